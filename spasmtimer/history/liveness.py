"""Whether the process that ran a session is gone: a session left "running" by a crash, a kill
or a power cut is then stopped where it was last heard from (`History.recover`), and a session
kept beside the history while its writes waited may be added (`spasmtimer.history.kept`).

A process id alone cannot tell: after a reboot the id is someone else's, and in a container
(a pid namespace: podman, flatpak, ``unshare -fp``) a session's process may be number 1, which
is always alive. So a session's row keeps its process's start, since this boot of this machine
(`Runner.started`, from /proc); a process with that id but another start is another process.
And a session not heard from for longer than any session lasts is over, whatever the ids say.
"""

from __future__ import annotations

import functools
import os
from datetime import datetime, timedelta

import msgspec

from spasmtimer.history.records import Text, host_name

LONGEST_SILENCE = timedelta(hours=7)
"""A running session writes its row every second or two, and lasts six hours at most: one not
heard from for this long has ended, on this machine or another."""


class Runner(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The process that runs, or ran, a session."""

    host: Text
    """The machine's name."""
    pid: int
    """The process's id, as that machine (and its pid namespace) numbers it."""
    started: Text | None = None
    """The process's start: this boot's id and the clock ticks since boot at which the process
    started (the 22nd field of /proc/PID/stat); None where the system does not tell."""


def process_started(pid: int) -> str | None:
    """When process ``pid`` started, in this boot (see `Runner.started`); None if it is not
    there, or the system does not tell."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            # The name, second, may hold spaces and parentheses: count from after its last ")".
            fields = stat.read().rpartition(b")")[2].split()
        return f"{_boot_id()}/{int(fields[19])}"  # field 22: the 20th after the name
    except (OSError, IndexError, ValueError):
        return None


@functools.cache
def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id") as boot:
            return boot.read().strip()
    except OSError:
        return "?"


@functools.cache
def this_process() -> Runner:
    pid = os.getpid()
    return Runner(host_name(), pid, process_started(pid))


def process_gone(runner: Runner, heard: datetime, now: datetime) -> bool:
    """Whether ``runner``, last heard from at ``heard``, is gone."""
    if now - heard > LONGEST_SILENCE:
        return True
    if runner.host != host_name():  # another machine sharing this folder: only the silence tells
        return False
    if runner.pid <= 0:  # no process's (0 and below name process groups)
        return True
    try:
        os.kill(runner.pid, 0)
    except (ProcessLookupError, OverflowError):  # none has it; none can have it
        return True
    except PermissionError:  # another user's: it may still be the one
        pass
    if runner.started is None:
        return False  # recorded where the system did not tell: the id is all there is
    now_started = process_started(runner.pid)
    # Another process with the id (a reboot, a pid namespace): the one that ran it is gone.
    return now_started is not None and now_started != runner.started
