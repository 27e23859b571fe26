"""The local days with a counted session, kept as sessions are written (`merge`), so that a
streak of years is read from one small table rather than from every session
(`spasmtimer.history.lookups.streak`).

Each day is kept as its number (`date.toordinal`), so that the day before is one less. Days
are the machine's local days, and another time zone counts them otherwise: they are kept
with the zone they were worked out in (`times.zone_signature`), and read only in it. A session
written from another zone leaves them unkept; the next time the history is opened to write
(`keep_up`, from `History.open`), they are worked out again from the sessions, once.

A day is kept while one of its sessions counts, whenever it is dated: the streak asks the
sessions themselves about today and yesterday, where a session in the future (a clock that
was wrong) may fall and must count for nothing.

Standard library only, as `spasmtimer status` reads it.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from spasmtimer.history.database import is_of_another_shape
from spasmtimer.history.times import day_span, iso, local_day, parse_iso, zone_signature

COUNTED = "status = 'completed' AND done_seconds + 0.001 >= 0.75 * planned_seconds"
"""`spasmtimer.session.levels.counts` in SQL: a session that reached its end with three
quarters of its planned time done (a test holds the two to agree)."""


def kept_zone(db: sqlite3.Connection) -> str | None:
    """The zone the days are kept in; None when they are not kept."""
    try:
        row = db.execute("SELECT zone FROM counted_days_zone").fetchone()
    except sqlite3.OperationalError as e:
        if is_of_another_shape(e):  # a history of an older schema, or another program's
            return None
        raise
    return row[0] if row else None


def first_of_run(db: sqlite3.Connection, last: date) -> date | None:
    """The first of the consecutive days kept, each with a counted session, that end at
    ``last``; None when the days are not kept in this machine's zone, or ``last`` is not kept
    (the sessions must then be asked)."""
    if kept_zone(db) != zone_signature():
        return None
    kept = db.execute("SELECT 1 FROM counted_days WHERE day = ?", (last.toordinal(),))
    if kept.fetchone() is None:
        return None
    # From `last` back, the first day whose day before is not kept: a step of the table's own
    # order and a look-up by key a day, all of it inside SQLite.
    row = db.execute(
        "SELECT day FROM counted_days AS kept WHERE day <= ? AND NOT EXISTS "
        "(SELECT 1 FROM counted_days WHERE day = kept.day - 1) ORDER BY day DESC LIMIT 1",
        (last.toordinal(),),
    ).fetchone()
    return date.fromordinal(row[0])


def note(
    db: sqlite3.Connection, started: datetime, counted: bool, before: tuple[str, bool] | None
) -> None:
    """Keep the day of a session just written: it started at ``started``, and ``counted`` or
    not; ``before`` is its start as it was written and whether it counted then (None: it is
    new). Inside the writer's transaction."""
    zone = kept_zone(db)
    if zone is None:
        return
    if zone != zone_signature():
        # Another zone's days, which this one would count otherwise: worked out again at the
        # next open.
        db.execute("DELETE FROM counted_days_zone")
        return
    if counted:
        db.execute(
            "INSERT OR IGNORE INTO counted_days (day) VALUES (?)",
            (local_day(started).toordinal(),),
        )
    if before is not None:
        was_started, was_counted = before
        if was_counted and (not counted or was_started != iso(started)):
            _forget_unless_counted(db, was_started)


def note_added(db: sqlite3.Connection, counted_starts: list[datetime]) -> None:
    """`note` for many sessions just added at once (taken in from another machine), of which
    those that count started at ``counted_starts``. Inside the writer's transaction."""
    zone = kept_zone(db)
    if zone is None or not counted_starts:
        return
    if zone != zone_signature():
        db.execute("DELETE FROM counted_days_zone")
        return
    db.executemany(
        "INSERT OR IGNORE INTO counted_days (day) VALUES (?)",
        {(local_day(started).toordinal(),) for started in counted_starts},
    )


def _forget_unless_counted(db: sqlite3.Connection, started: str) -> None:
    """Forget the day of a session that no longer counts there, unless another does."""
    try:
        day = local_day(parse_iso(started))
    except (TypeError, ValueError):  # unreadable as it was: nothing of it was kept
        return
    start, end = day_span(day, day)
    for (other,) in db.execute(
        f"SELECT started_at FROM sessions WHERE {COUNTED} AND started_at >= ? AND started_at < ?",
        (start, end),
    ):
        try:
            if local_day(parse_iso(other)) == day:
                return
        except (TypeError, ValueError):
            continue
    db.execute("DELETE FROM counted_days WHERE day = ?", (day.toordinal(),))


def keep_up(db: sqlite3.Connection) -> None:
    """Work the days out from the sessions, unless they are kept in this machine's zone
    already: once after the history is made (or migrated), and after it is used in another
    zone. One transaction, which waits for the lock as any write; raises `sqlite3.Error`."""
    zone = zone_signature()
    if kept_zone(db) == zone:
        return
    with db:
        db.execute("BEGIN IMMEDIATE")
        if kept_zone(db) == zone:  # another process worked them out while this one waited
            return
        kept = set()
        for (started,) in db.execute(f"SELECT started_at FROM sessions WHERE {COUNTED}"):
            try:
                kept.add(local_day(parse_iso(started)).toordinal())
            except (TypeError, ValueError):  # unreadable: the row is left out everywhere
                continue
        db.execute("DELETE FROM counted_days")
        db.executemany("INSERT INTO counted_days (day) VALUES (?)", ((d,) for d in sorted(kept)))
        db.execute("DELETE FROM counted_days_zone")
        db.execute("INSERT INTO counted_days_zone (zone) VALUES (?)", (zone,))
