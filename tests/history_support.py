"""Histories for tests of the history screen and its trends: sessions written as the app would,
at fixed moments, so that what is shown depends on neither today's date nor a random draw."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from spasmtimer.history import History


@contextlib.contextmanager
def local_time(zone: str) -> Iterator[None]:
    """The machine's local time is ``zone`` (a POSIX TZ string such as ``"UTC"`` or
    ``"XXX-13"``, thirteen hours ahead of UTC, which needs no time zone database) until the
    block ends."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


@dataclass(frozen=True)
class Past:
    """One past session."""

    program: str
    level: int
    at: datetime
    before: int | None = None
    after: int | None = None
    notes: str | None = None
    done: float = 257
    """Seconds done."""
    planned: float = 257
    completed: bool = True


def record(history: History, *sessions: Past) -> None:
    for s in sessions:
        sid = history.begin(
            program=s.program,
            title=s.program,
            path="/x",
            content_hash="h",
            level=s.level,
            planned_seconds=s.planned,
            started_at=s.at,
            pain_before=s.before,
        )
        history.end(
            sid,
            completed=s.completed,
            ended_at=s.at + timedelta(seconds=s.done),
            done_seconds=s.done,
        )
        history.rate(sid, s.before, s.after, s.notes)
