"""Work shared among the machine's cores, in processes forked for it.

For a library's first load: hundreds of programs, each parsed and checked in Python, one core
busy and the others idle. Forking is safe only in a process with no other thread (a thread
holding a lock at the fork leaves the child's copy of it held for ever), so where another
runs — the app's — nothing is forked and the caller does the work itself.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_PROCESSES = 8
CLAIMS_PER_PROCESS = 8
"""Each process's work is claimed in about this many parts, one at a time: a process on a
slower core (a busy machine, a virtual one) takes fewer, rather than hold up the rest."""
CLAIM = 4
"""Bytes of a claim in the claims pipe: the index of the first item of a part."""
MAX_CLAIMS = 1024
"""At most this many parts, so that every claim fits in the pipe before anyone reads it (4 KiB:
a pipe holds at least that much wherever there is `os.fork`)."""


def usable_cores() -> int:
    """The cores this process may run on: its affinity (where the system says it), and no more
    than a container's CPU quota gives it."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _quota()
    return max(1, min(cores, math.ceil(quota))) if quota is not None else cores


def _quota(groups: str = "/proc/self/cgroup", mounted: str = "/sys/fs/cgroup") -> float | None:
    """The CPUs a Linux control group's quota allows, if one is set: cgroup v2's ``cpu.max``
    ("quota period"), or v1's ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``."""
    try:
        lines = _read(groups).splitlines()
    except OSError:
        return None
    for line in lines:
        number, controllers, path = [*line.split(":", 2), "", ""][:3]
        try:
            if number == "0" and not controllers:
                quota, period = _read(f"{mounted}{path}/cpu.max").split()[:2]
                if quota != "max":
                    return int(quota) / int(period)
            elif "cpu" in controllers.split(","):
                folder = f"{mounted}/{controllers}{path}"
                quota = _read(f"{folder}/cpu.cfs_quota_us")
                if int(quota) > 0:
                    return int(quota) / int(_read(f"{folder}/cpu.cfs_period_us"))
        except (OSError, ValueError, ZeroDivisionError):  # not this hierarchy, or no quota
            continue
    return None


def _read(path: str) -> str:
    with open(path) as file:
        return file.read(65536).strip()


def map_forked(work: Callable[[T], R], items: Sequence[T], processes: int) -> dict[int, R]:
    """``work(item)`` for each of ``items``, by index, on ``processes`` processes: this one
    and children forked for it, each claiming part after part until none is left.

    What cannot be had so is left out, for the caller to do itself: every item, when nothing
    may be forked (another thread runs, or there is no `os.fork`); the parts a child claimed,
    when it fails (its work raised, it was killed, its results would not pickle). ``work``
    must write nothing to a shared file: a child's output is its results alone, and it ends
    with `os._exit`, flushing, closing and finalising nothing of what it inherited (the
    history's database connection, buffered output).

    None is left behind: a Ctrl-C (to the process group, as a terminal sends it) ends every
    child at once; this process's own work raising ends them and waits for them; and a child
    whose parent is gone (killed) stops before its next item.
    """
    processes = min(processes, len(items), MAX_PROCESSES)
    if processes < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return {}
    count = len(items)
    size = max(-(-count // (processes * CLAIMS_PER_PROCESS)), -(-count // MAX_CLAIMS))
    parts = {start: range(start, min(start + size, count)) for start in range(0, count, size)}
    try:
        claims = _claims(list(parts))
    except OSError:  # no pipe to be had (too many files open): nothing forked
        return {}
    children: list[int] = []
    unread: dict[int, int] = {}  # each child's pipe, by pid, until it is read and closed
    done: dict[int, R] = {}
    whole = False
    parent = os.getpid()
    with _children_to_wait_for():
        try:
            for _ in range(processes - 1):
                child = _fork(work, items, parts, claims, parent, unread)
                if child is None:  # no more processes or pipes to be had: fewer do the work
                    break
                pid, read_end = child
                children.append(pid)
                unread[pid] = read_end
            while (part := _claim(claims, parts)) is not None:
                done.update((n, work(items[n])) for n in part)
            for pid in children:
                done.update(_results(unread.pop(pid), len(items)))
            whole = True
        finally:
            os.close(claims)
            for read_end in unread.values():
                os.close(read_end)
            for pid in children:
                if not whole:  # this process's own work raised (a Ctrl-C): theirs is not wanted
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGTERM)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)  # none is left behind
    return done


STOPPING = {signal.SIGINT, signal.SIGTERM}


def _fork(
    work: Callable[[T], R],
    items: Sequence[T],
    parts: dict[int, range],
    claims: int,
    parent: int,
    unread: dict[int, int],
) -> tuple[int, int] | None:
    """A child forked to claim and do parts: its pid and the pipe its results come by; None
    if no pipe or process can be had (a limit of open files or of processes)."""
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    # Held over the fork, a Ctrl-C lands in the child only once it stops it (not in Python's
    # handler, inherited, which would carry the child on through its parent's code), and in
    # this process only once the child is known, to be stopped and waited for.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: never returns, whatever happens
        status = 1
        try:
            for stopping in STOPPING:
                signal.signal(stopping, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
            for inherited in (read_end, *unread.values()):  # its brothers' pipes too
                os.close(inherited)
            status = _child(work, items, parts, claims, write_end, parent)
        finally:
            os._exit(status)
    try:
        os.close(write_end)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
    return pid, read_end


@contextlib.contextmanager
def _children_to_wait_for() -> Iterator[None]:
    """Children left for this process to wait for, within: where SIGCHLD is ignored (as a
    parent that ignores it leaves it), the system takes them away as they end, and waiting
    for one fails."""
    ignored = signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        yield
    finally:
        if ignored:
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)


def _claims(starts: list[int]) -> int:
    """A pipe holding a claim for each part, closed for writing: reading one takes that part
    (a pipe's reads of a few bytes are atomic), and reading nothing means none is left."""
    read_end, write_end = os.pipe()
    try:
        _write_all(write_end, b"".join(start.to_bytes(CLAIM, "big") for start in starts))
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end


def _claim(claims: int, parts: dict[int, range]) -> range | None:
    """The next part no process has claimed yet; None when every part is claimed."""
    claim = os.read(claims, CLAIM)
    return parts[int.from_bytes(claim, "big")] if len(claim) == CLAIM else None


def _child(
    work: Callable[[T], R],
    items: Sequence[T],
    parts: dict[int, range],
    claims: int,
    write_end: int,
    parent: int,
) -> int:
    """Claim part after part and do them, then write the results: the child's exit status.
    A Ctrl-C (the whole process group's) stops it at once; the parent says so."""
    try:
        results: dict[int, R] = {}
        while (part := _claim(claims, parts)) is not None:
            for n in part:
                if os.getppid() != parent:  # the parent is gone (killed): no one wants the rest
                    return 1
                results[n] = work(items[n])
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(write_end, data)
    except BaseException:  # anything: the parent does what this child claimed
        return 1
    return 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _results(read_end: int, count: int) -> dict[int, Any]:
    """A child's results, read to its end, and its pipe closed; none if they are not whole."""
    chunks = []
    try:
        while chunk := os.read(read_end, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read_end)
    try:
        results = pickle.loads(b"".join(chunks))
    except Exception:  # cut short: the child failed before it had written them all
        return {}
    if not isinstance(results, dict) or not all(
        isinstance(n, int) and 0 <= n < count for n in results
    ):
        return {}
    return results
