"""Whether the process that ran a session is gone: a session left "running" by a crash, a kill
or a power cut is then stopped where it was last heard from (`History.recover`), and a session
kept beside the history while its writes waited may be added (`spasmtimer.history.kept`).
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from spasmtimer.history.records import host_name

LONGEST_SILENCE = timedelta(hours=7)
"""A session on another machine sharing this folder, not heard from for this long, has ended:
no session lasts so long (six hours at most) without writing."""


def process_gone(host: str, pid: int, heard: datetime, now: datetime) -> bool:
    """Whether the process that ran a session, last heard from at ``heard``, is gone. On
    another machine sharing this folder, only a session older than any can last is."""
    if host != host_name():
        return now - heard > LONGEST_SILENCE
    if pid <= 0:  # no process's (0 and below name process groups)
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none has it; none can have it
        return True
    except PermissionError:  # another user's
        return False
    return False
