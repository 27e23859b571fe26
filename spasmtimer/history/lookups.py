"""What commands ask of the history, each answered from an index and the few rows it needs
(`spasmtimer.history.database.INDEXES`), never from every session: a session running now, the
last heard from, the sessions that counted on a local day, this week's, the streak, the last
session for break reminders.

Each takes a connection, and reads only the columns it needs, passing over a row whose times
cannot be read (as `History.sessions` leaves it out) and a session in the future (the clock
that dated it was wrong: docs/history.md). Standard library only: `spasmtimer status` asks on
every redraw of a status bar, without msgspec or the records; `History` asks the same.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Generator
from datetime import date, datetime, timedelta

from spasmtimer.history import database, days
from spasmtimer.history.days import COUNTED
from spasmtimer.history.times import day_span, in_future, latest_allowed, local_day, parse_iso

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see cli.entry)
if TYPE_CHECKING:
    from pathlib import Path

    from spasmtimer.session.reminders import LastSession

Times = tuple[datetime, datetime | None, datetime | None]
"""A session's start, end and last write."""


def read_times(started: object, ended: object, updated: object) -> Times | None:
    """A row's times, or None when one cannot be read (the row is then left out)."""
    try:
        if not isinstance(started, str):
            return None
        read = [parse_iso(started)]
        for text in (ended, updated):
            if text is not None and not isinstance(text, str):
                return None
            read.append(parse_iso(text) if text is not None else None)  # type: ignore[arg-type]
    except ValueError:
        return None
    return read[0], read[1], read[2]


def latest_of(times: Times) -> datetime:
    """The latest of a session's times: whether it is in the future goes by it."""
    return max(t for t in times if t is not None)


def last_heard(times: Times) -> datetime:
    """When a session ended, or was last heard from while it ran (`SessionRecord.last_heard`)."""
    started, ended, updated = times
    return ended or updated or started


# --- the latest ---------------------------------------------------------------------------


def running_lately(db: sqlite3.Connection, now: datetime) -> datetime | None:
    """When a session marked running (of any program, not in the future) was last written:
    by the index of running sessions, which holds the few not yet ended."""
    rows = db.execute(
        "SELECT started_at, ended_at, updated_at FROM sessions WHERE status = 'running'"
    )
    try:
        written = [
            times[2]
            for times in (read_times(*columns) for columns in rows)
            if times is not None and times[2] is not None and not in_future(latest_of(times), now)
        ]
    finally:
        rows.close()
    return max(written, default=None)


def heard_last(db: sqlite3.Connection, now: datetime) -> datetime | None:
    """When the last session was heard from: the latest `last_heard` of the sessions not in
    the future, of any program (the end of the last break, or now, while one runs). From the
    newest back, by the index on coalesce(ended_at, updated_at, started_at)."""
    rows = db.execute(
        "SELECT started_at, ended_at, updated_at FROM sessions "
        "ORDER BY coalesce(ended_at, updated_at, started_at) DESC, id DESC"
    )
    try:
        for columns in rows:
            times = read_times(*columns)
            if times is not None and not in_future(latest_of(times), now):
                return last_heard(times)
        return None
    finally:
        rows.close()


# --- days -----------------------------------------------------------------------------------


def counted_sessions(
    db: sqlite3.Connection, first: date, last: date, now: datetime, program: str | None = None
) -> Generator[tuple[date, Times], None, None]:
    """The sessions (of ``program``) that counted on the local days ``first`` to ``last`` and
    are not in the future, with the day of each: by the index of sessions by start,
    over the span of UTC times that holds those days (`day_span`), each kept by its own
    `local_day`."""
    start, end = day_span(first, last)
    mine, parameters = _of(program)
    rows = db.execute(
        f"SELECT started_at, ended_at, updated_at FROM sessions WHERE {COUNTED} "
        f"AND started_at >= ? AND started_at < ?{mine} ORDER BY started_at",
        (start, end, *parameters),
    )
    try:
        for columns in rows:
            times = read_times(*columns)
            if times is None or in_future(latest_of(times), now):
                continue
            day = local_day(times[0])
            if first <= day <= last:
                yield day, times
    finally:
        rows.close()


def _of(program: str | None) -> tuple[str, tuple[str, ...]]:
    """The condition that keeps one program's sessions, if one is named."""
    return ("", ()) if program is None else (" AND program = ?", (program,))


def counted_on(db: sqlite3.Connection, day: date, now: datetime) -> int:
    """How many sessions counted on the local ``day`` (and are not in the future)."""
    return sum(1 for _ in counted_sessions(db, day, day, now))


def any_counted_on(
    db: sqlite3.Connection, day: date, now: datetime, program: str | None = None
) -> bool:
    found = counted_sessions(db, day, day, now, program)
    try:
        return next(iter(found), None) is not None
    finally:
        found.close()


def streak(db: sqlite3.Connection, now: datetime, program: str | None = None) -> int:
    """Consecutive local days, up to today (or yesterday), each with a counted session (of
    ``program``).

    Today and yesterday are asked of the sessions themselves; the days before, of the days
    kept with a counted session (`spasmtimer.history.days`), so that a streak of years is read
    as quickly as one of days. Where those are not kept for this machine's time zone (or for
    one program's streak), the sessions are asked a day at a time, back to the first day
    without one."""
    today = local_day(now)
    anchor = today
    if not any_counted_on(db, today, now, program):
        anchor = today - timedelta(days=1)
        if not any_counted_on(db, anchor, now, program):
            return 0
    first = days.first_of_run(db, anchor) if program is None else None
    if first is not None:
        return (anchor - first).days + 1
    day = anchor
    while any_counted_on(db, day - timedelta(days=1), now, program):
        day -= timedelta(days=1)
    return (anchor - day).days + 1


def week_so_far(
    db: sqlite3.Connection, now: datetime, program: str | None = None
) -> tuple[int, float]:
    """This local week's counted sessions (from Monday), and all the seconds done in its
    sessions, counted or not (of ``program``): by the index of sessions by start."""
    today = local_day(now)
    monday = today - timedelta(days=today.weekday())
    start, _ = day_span(monday, monday)
    counted, seconds = 0, 0.0
    mine, parameters = _of(program)
    rows = db.execute(
        f"SELECT started_at, ended_at, updated_at, {COUNTED}, done_seconds FROM sessions "
        f"WHERE started_at >= ? AND started_at <= ?{mine}",
        (start, latest_allowed(now), *parameters),
    )
    try:
        for started, ended, updated, was_counted, done in rows:
            times = read_times(started, ended, updated)
            if times is None or in_future(latest_of(times), now) or local_day(times[0]) < monday:
                continue
            if isinstance(done, int | float):
                counted += bool(was_counted)
                seconds += done
    finally:
        rows.close()
    return counted, seconds


def in_all(db: sqlite3.Connection, program: str | None = None) -> tuple[int, float]:
    """Every counted session (of ``program``), and all the seconds done, future or not: one
    pass of SQLite's own over the table (no row reaches Python)."""
    where = "" if program is None else " WHERE program = ?"
    counted, seconds = db.execute(
        f"SELECT count(*) FILTER (WHERE {COUNTED}), total(done_seconds) FROM sessions{where}",
        () if program is None else (program,),
    ).fetchone()
    return int(counted), float(seconds)


def last_session(path: Path) -> LastSession | None:
    """The most recent session, of any program (each is a break from sitting), for break
    reminders, which look every few seconds for hours: one indexed query on a connection
    opened read-only and closed at once, so nothing is held open or locked in between, and a
    history replaced meanwhile is the one read. None when there is none — or when it cannot be
    read now (locked, missing, damaged), which the next look tries again. A row that cannot be
    read is passed over."""
    # Only break reminders ask: a session's start does not import them.
    from spasmtimer.session.reminders import LastSession

    if not os.path.isfile(path):
        return None
    try:
        connection = database.connect_to_read(os.path.realpath(path))
    except (sqlite3.Error, ValueError):
        return None
    try:
        # By start, not by row: a session taken in from another machine is a later row.
        rows = connection.execute(
            "SELECT coalesce(uid, 'row-' || id), ended_at, updated_at FROM sessions "
            "ORDER BY started_at DESC LIMIT 5"
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    for session_id, ended_at, updated_at in rows:
        try:
            heard = parse_iso(ended_at or updated_at)
        except (TypeError, ValueError):
            continue
        if isinstance(session_id, str):
            return LastSession(session_id, heard, running=ended_at is None)
    return None
