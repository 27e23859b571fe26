"""Work shared among the machine's cores, in processes forked for it.

For a library's first load: hundreds of programs, each parsed and checked in Python, one core
busy and the others idle. Forking is safe only in a process with no other thread (a thread
holding a lock at the fork leaves the child's copy of it held for ever), so where another
runs — the app's — nothing is forked and the caller does the work itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_PROCESSES = 8


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_forked(work: Callable[[T], R], items: Sequence[T], processes: int) -> dict[int, R]:
    """``work(item)`` for each of ``items``, by index: this process does a share and forked
    children the rest, ``processes`` in all.

    What cannot be had so is left out, for the caller to do itself: every item, when nothing
    may be forked (another thread runs, or there is no `os.fork`); a child's share, when the
    child fails (its work raised, it was killed, its results would not pickle). ``work`` must
    write nothing to a shared file: a child's output is its results alone, and it ends with
    `os._exit`, flushing, closing and finalising nothing of what it inherited (the history's
    database connection, buffered output).

    None is left behind: a Ctrl-C (to the process group, as a terminal sends it) ends every
    child at once; this process's own work raising ends them and waits for them; and a child
    whose parent is gone (killed) stops before its next item.
    """
    processes = min(processes, len(items), MAX_PROCESSES)
    if processes < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return {}
    shares = [range(n, len(items), processes) for n in range(processes)]  # alike in size
    children: list[tuple[int, range]] = []
    unread: dict[int, int] = {}  # each child's pipe, by pid, until it is read and closed
    done: dict[int, R] = {}
    whole = False
    parent = os.getpid()
    try:
        for share in shares[1:]:
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns, whatever happens (even a Ctrl-C now)
                status = 1
                try:
                    for inherited in (read_end, *unread.values()):  # its brothers' pipes too
                        os.close(inherited)
                    status = _child(work, items, share, write_end, parent)
                finally:
                    os._exit(status)
            os.close(write_end)
            children.append((pid, share))
            unread[pid] = read_end
        for n in shares[0]:
            done[n] = work(items[n])
        for pid, share in children:
            results = _results(unread.pop(pid), len(share))
            if results is not None:
                done.update(zip(share, results, strict=True))
        whole = True
    finally:
        for read_end in unread.values():
            os.close(read_end)
        for pid, _share in children:
            if not whole:  # this process's own work raised (a Ctrl-C): theirs is not wanted
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)  # none is left behind
    return done


def _child(
    work: Callable[[T], R], items: Sequence[T], share: range, write_end: int, parent: int
) -> int:
    """Do ``share`` and write its results: the child's exit status."""
    # Ctrl-C reaches the whole process group: a child stops at once, the parent says so.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        results = []
        for n in share:
            if os.getppid() != parent:  # the parent is gone (killed): no one wants the rest
                return 1
            results.append(work(items[n]))
        data = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    except BaseException:  # anything: the parent does this share itself
        return 1
    return 0


def _results(read_end: int, count: int) -> list[Any] | None:
    """A child's results, read to its end, and its pipe closed; None if they are not whole."""
    chunks = []
    try:
        while chunk := os.read(read_end, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(read_end)
    try:
        results = pickle.loads(b"".join(chunks))
    except Exception:  # cut short: the child failed before it had written them all
        return None
    return results if isinstance(results, list) and len(results) == count else None
