"""Histories for tests of the history screen and its trends: sessions written as the app would,
at fixed moments, so that what is shown depends on neither today's date nor a random draw."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from spasmtimer.history.store import History

TYPE_CHECKING = False
if TYPE_CHECKING:
    from spasmtimer.history.recording import HistoryWriter, SessionRecorder
    from spasmtimer.session.engine import Session
    from tests.support import FakeClock


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
    lasted: float | None = None
    """Seconds from its start to its end, when not the seconds done (skipped through)."""
    marks: tuple[int, ...] = ()
    """The steps marked as having hurt (from 0)."""


def record(history: History, *sessions: Past) -> list[str]:
    """Each session written as a past one, begun, ended and rated; their ids."""
    ids = []
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
        # In UTC: a time of a zone plus a timedelta adds clock readings, an hour out across a
        # change of the zone's clocks (and the second of a repeated hour becomes the first).
        lasted = timedelta(seconds=s.done if s.lasted is None else s.lasted)
        history.end(
            sid,
            completed=s.completed,
            ended_at=s.at.astimezone(UTC) + lasted,
            done_seconds=s.done,
        )
        history.rate(sid, s.before, s.after, s.notes, s.marks)
        ids.append(sid)
    return ids


BUSY_START = datetime(2026, 9, 7, 7, 45, tzinfo=UTC)
"""A Monday: the first session of `busy`."""
BUSY_NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
"""A Saturday, eleven weeks on: "now" for `busy`."""


def busy() -> list[Past]:
    """Eleven weeks of three programs: desk-break most weekdays, rising a level a session and
    eased after a fortnight away; the hamstring stretch twice a week, held once by a worse pain;
    first aid in two bad spells. Some sessions are stopped early, some not rated."""
    sessions: list[Past] = []
    level = 0
    for day in range(75):
        at = BUSY_START + timedelta(days=day)
        if 28 <= day < 42:  # a fortnight away: the level is eased by two
            level = max(0, level - 2) if day == 41 else level
            continue
        if at.weekday() < 5:
            stopped = day % 9 == 4
            pain = max(1, 6 - day // 15 + (day * 7) % 3 - 1)
            sessions.append(
                Past(
                    "desk-break",
                    level,
                    at,
                    before=None if day % 5 == 3 else pain,
                    after=None if day % 5 == 3 else max(0, pain - 1 - day % 3 + (day % 11 == 0)),
                    done=60 if stopped else 257,
                    completed=not stopped,
                )
            )
            if not stopped:
                level = min(level + 1, 8)
        if at.weekday() in (1, 4):
            hamstring = sum(1 for s in sessions if s.program == "seated-hamstring" and s.completed)
            worse = day == 18
            sessions.append(
                Past(
                    "seated-hamstring",
                    min(hamstring - (1 if day > 18 else 0), 5),
                    at + timedelta(hours=11),
                    before=3,
                    after=6 if worse else 2,
                    notes="pulled" if worse else None,
                    done=600,
                    planned=600,
                )
            )
    for day, before, after in [(12, 8, 5), (13, 7, 4), (50, 9, 6), (51, 6, 3), (52, 4, 2)]:
        sessions.append(
            Past("spasm-first-aid", 0, BUSY_START + timedelta(days=day, hours=2), before, after)
        )
    return sorted(sessions, key=lambda s: s.at)


def play_recorded(
    session: Session,
    recorder: SessionRecorder,
    clock: FakeClock,
    writer: HistoryWriter | None = None,
    after_start: Callable[[], object] | None = None,
) -> None:
    """The session the recording tests play, on a 55-second program: started with a pain of
    6; paused at 8 s for 100 s; resumed, with 5 s taken off; run to its end; rated 6 then 3,
    "easier today". With ``writer`` and ``after_start``, that is called once the start is
    written."""
    session.start()
    recorder.started(session, pain_before=6)
    if after_start is not None:
        assert writer is not None and writer.flush(5)
        after_start()
    clock.advance(8)
    session.pause()
    recorder.sync(session)
    clock.advance(100)
    session.resume()
    session.adjust(-5)
    recorder.sync(session)
    clock.advance(60)
    recorder.sync(session)
    recorder.rated(6, 3, "easier today")
