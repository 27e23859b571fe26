"""Work shared among forked processes: every item's result, in order, or left out for the
caller to do; nothing forked where a thread runs; no child left behind, whatever happens."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from spasmtimer.base import forked
from spasmtimer.base.forked import map_forked

PARENT = os.getpid()


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture(autouse=True)
def reaped() -> Iterator[None]:
    yield
    assert no_children_left()


class Together:
    """Work in which each process, at its first item, waits until every process has one: so
    that each claims a part, however the machine schedules them."""

    def __init__(self, folder: Path, processes: int) -> None:
        self.folder = folder
        self.processes = processes

    def __call__(self, n: int) -> tuple[int, int]:
        mark = self.folder / str(os.getpid())
        if not mark.exists():
            mark.touch()
            deadline = time.monotonic() + 10
            while len(list(self.folder.iterdir())) < self.processes:
                assert time.monotonic() < deadline, "the other processes never came"
                time.sleep(0.001)
        return n * n, os.getpid()


def test_each_item_is_done_once_on_every_process(tmp_path: Path) -> None:
    items = list(range(60))
    done = map_forked(Together(tmp_path, 3), items, 3)
    assert sorted(done) == items
    assert [done[n][0] for n in items] == [n * n for n in items]
    pids = {pid for _, pid in done.values()}
    assert len(pids) == 3 and os.getpid() in pids


def test_a_process_on_a_slower_core_does_less(tmp_path: Path) -> None:
    """Parts are claimed one at a time: a child four times slower does about a fifth."""
    together = Together(tmp_path, 2)

    def work(n: int) -> int:
        together(n)
        time.sleep(0.002 if os.getpid() == PARENT else 0.008)
        return os.getpid()

    done = map_forked(work, list(range(160)), 2)
    assert len(done) == 160
    by_child = sum(pid != PARENT for pid in done.values())
    assert 10 <= by_child <= 60  # a half each, shared out in advance, would be 80


def in_child_only(fault: Callable[[int], object], together: Together) -> Callable[[int], object]:
    def work(n: int) -> object:
        done = together(n)
        return done if os.getpid() == PARENT else fault(n)

    return work


def raise_a_bug(n: int) -> object:
    raise ValueError("a bug, in a child")


def be_killed(n: int) -> object:
    os.kill(os.getpid(), signal.SIGKILL)
    return n


def unpicklable(n: int) -> object:
    return lambda: n


@pytest.mark.parametrize("fault", [raise_a_bug, be_killed, unpicklable])
def test_what_a_failing_child_claimed_is_left_to_the_caller(
    tmp_path: Path, fault: Callable[[int], object]
) -> None:
    """Its work raised, it was killed, or its results would not pickle: what the child
    claimed is left out, and what this process did is there."""
    done = map_forked(in_child_only(fault, Together(tmp_path, 2)), list(range(40)), 2)
    assert 0 < len(done) < 40
    assert all(result == (n * n, PARENT) for n, result in done.items())


def test_nothing_is_forked_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert map_forked(lambda n: n, list(range(10)), 2) == {}
    finally:
        stop.set()
        other.join()


def test_one_process_or_one_item_forks_nothing() -> None:
    assert map_forked(lambda n: n, [], 4) == {}
    assert map_forked(lambda n: os.getpid(), [1, 2, 3], 1) == {}
    assert map_forked(lambda n: os.getpid(), [1], 4) == {}


def test_ctrl_c_while_they_work_stops_every_child(tmp_path: Path) -> None:
    """The parent interrupted (a Ctrl-C sent to it alone) while a child works: no child is
    left working, nor waited out."""
    (tmp_path / "together").mkdir()
    (tmp_path / "marks").mkdir()
    together = Together(tmp_path / "together", 2)

    def work(n: int) -> int:
        together(n)  # each process at work on an item of its own
        if os.getpid() == PARENT:
            os.kill(PARENT, signal.SIGINT)
            time.sleep(5)  # the KeyboardInterrupt lands here
        else:
            time.sleep(30)  # a child would take this long, if it were waited out
            (tmp_path / "marks" / str(n)).touch()
        return n

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_forked(work, list(range(4)), 2)
    assert time.monotonic() - start < 10
    assert os.listdir(tmp_path / "marks") == []


@pytest.mark.parametrize(
    ("groups", "files", "quota"),
    [
        ("0::/box\n", {"box/cpu.max": "150000 100000"}, 1.5),  # cgroup v2
        ("0::/box\n", {"box/cpu.max": "max 100000"}, None),
        (
            "3:cpu,cpuacct:/box\n0::/\n",
            {
                "cpu,cpuacct/box/cpu.cfs_quota_us": "50000",
                "cpu,cpuacct/box/cpu.cfs_period_us": "100000",
            },
            0.5,
        ),
        (
            "3:cpu,cpuacct:/box\n0::/\n",
            {
                "cpu,cpuacct/box/cpu.cfs_quota_us": "-1",
                "cpu,cpuacct/box/cpu.cfs_period_us": "100000",
            },
            None,
        ),
        ("0::/box\n", {"box/cpu.max": "garbage"}, None),
        ("not a cgroup file at all", {}, None),
    ],
)
def test_a_containers_cpu_quota_is_read(
    tmp_path: Path, groups: str, files: dict[str, str], quota: float | None
) -> None:
    (tmp_path / "cgroup").write_text(groups)
    for name, text in files.items():
        (tmp_path / "fs" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "fs" / name).write_text(text + "\n")
    assert forked._quota(str(tmp_path / "cgroup"), str(tmp_path / "fs")) == quota


def test_no_more_processes_than_the_quota_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3, 4, 5, 6, 7})
    monkeypatch.setattr(forked, "_quota", lambda: 0.5)
    assert forked.usable_cores() == 1
    monkeypatch.setattr(forked, "_quota", lambda: 2.5)
    assert forked.usable_cores() == 3
    monkeypatch.setattr(forked, "_quota", lambda: None)
    assert forked.usable_cores() == 8


def test_children_are_waited_for_where_sigchld_is_ignored(tmp_path: Path) -> None:
    """A parent that ignores SIGCHLD passes that on: the system would take the children away
    as they end, and waiting for them fail. They are waited for; SIGCHLD is ignored after."""
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        done = map_forked(Together(tmp_path, 2), list(range(20)), 2)
        assert signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert sorted(done) == list(range(20))
    assert len({pid for _, pid in done.values()}) == 2


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_no_process_to_be_had_leaves_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_more(*args: object) -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more)
    files = open_files()
    done = map_forked(lambda n: (n, os.getpid()), list(range(20)), 4)
    assert done == {n: (n, PARENT) for n in range(20)}  # this process did them all
    assert open_files() == files


def test_no_pipe_to_be_had_forks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_many_open() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", too_many_open)
    files = open_files()
    assert map_forked(lambda n: n, list(range(20)), 4) == {}
    assert open_files() == files
