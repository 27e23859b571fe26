"""Work shared among forked processes: every item's result, in order, or left out for the
caller to do; nothing forked where a thread runs; no child left behind, whatever happens."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

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


def test_each_item_is_done_once_in_order_on_every_process() -> None:
    items = list(range(40))
    done = map_forked(lambda n: (n * n, os.getpid()), items, 3)
    assert sorted(done) == items
    assert [done[n][0] for n in items] == [n * n for n in items]
    pids = {pid for _, pid in done.values()}
    assert len(pids) == 3 and os.getpid() in pids


def test_a_child_that_fails_leaves_its_share_to_the_caller() -> None:
    def work(n: int) -> int:
        if n == 1 and os.getpid() != PARENT:
            raise ValueError("a bug, in a child")
        return n

    done = map_forked(work, list(range(10)), 2)
    assert done == {n: n for n in range(0, 10, 2)}  # the parent's own share, and no more


def test_a_child_killed_leaves_its_share_to_the_caller() -> None:
    def work(n: int) -> int:
        if n == 3 and os.getpid() != PARENT:
            os.kill(os.getpid(), signal.SIGKILL)
        return n

    assert sorted(map_forked(work, list(range(10)), 2)) == [0, 2, 4, 6, 8]


def test_results_that_do_not_pickle_leave_the_share_to_the_caller() -> None:
    done = map_forked(lambda n: (lambda: n) if n % 2 else n, list(range(6)), 2)
    assert done == {0: 0, 2: 2, 4: 4}


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


def test_ctrl_c_while_they_work_stops_every_child(tmp_path: os.PathLike[str]) -> None:
    """The parent interrupted (a Ctrl-C sent to it alone): no child is left working, nor
    waited out."""
    marks = str(tmp_path)

    def work(n: int) -> int:
        if os.getpid() == PARENT:
            if n == 0:
                os.kill(PARENT, signal.SIGINT)
                time.sleep(5)  # the KeyboardInterrupt lands here
        else:
            time.sleep(30)  # a child would take this long, if it were waited out
            open(os.path.join(marks, str(n)), "w").close()
        return n

    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_forked(work, list(range(4)), 2)
    assert time.monotonic() - start < 10
    assert os.listdir(marks) == []
