"""``spasmtimer status``: one short line for a tmux status bar or a shell prompt.

    desk-break in 12m · 3 today · 5-day streak

It is drawn again every few seconds, so it must be quick whatever the history holds: its facts
come from the history's indexes (`spasmtimer.history.lookups`), on a connection that only reads
and is closed at once, and it never writes (see `read_status`). Standard library only — no
msgspec, no records, no program file, no Textual — as a test of `status` holds it to.
`status_of` says the same from a list of sessions, as the rules are written.
"""

from __future__ import annotations

import math
import os
import sqlite3
from datetime import datetime, timedelta

from spasmtimer.base.text import cell_width, fit_cells, one_line
from spasmtimer.history import database, lookups
from spasmtimer.history.times import local_day

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see cli.entry)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from spasmtimer.history.records import SessionRecord

MAX_WIDTH = 60
"""Columns the line may take at most: a status bar shares its row with the window list."""

RUNNING_WITHIN = timedelta(seconds=10)
"""A session marked running whose row was written this recently is running now; one older was
cut off (its row is written at least every second while it runs, paused or not)."""


class Status:
    """What `spasmtimer status` says: the next break, and the sessions done."""

    __slots__ = ("due_in", "due_today", "later", "program", "streak_days", "today")

    def __init__(
        self,
        program: str,
        due_in: float | None,
        today: int,
        streak_days: int,
        due_today: int | None = None,
        later: str | None = None,
    ) -> None:
        self.program = program
        self.due_in = due_in
        """Seconds until the next break is due (0 or less: due now); None while one runs."""
        self.today = today
        """Sessions that counted today, of any program (with a course: of those it asks)."""
        self.streak_days = streak_days
        self.due_today = due_today
        """With a course: the sessions it asks of today."""
        self.later = later
        """With a course whose next session is not today: when it is ("tomorrow 08:00")."""

    def _facts(self) -> tuple[str, float | None, int, int, int | None, str | None]:
        return (
            self.program,
            self.due_in,
            self.today,
            self.streak_days,
            self.due_today,
            self.later,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Status) and self._facts() == other._facts()

    def __hash__(self) -> int:
        return hash(self._facts())

    def __repr__(self) -> str:
        return (
            "Status(program={!r}, due_in={!r}, today={!r}, streak_days={!r}, due_today={!r}, "
            "later={!r})".format(*self._facts())
        )


def due_in(
    running_at: datetime | None, heard: datetime | None, every: float, now: datetime
) -> float | None:
    """Seconds until a break is due: ``every`` after the last session was ``heard`` from (its
    end, whatever its program and whether it counted or not: any session is a break from
    sitting, and resets the wait), 0 when there has been none; None while one runs — its row
    written at ``running_at``, lately."""
    if running_at is not None and now - running_at < RUNNING_WITHIN:
        return None
    if heard is None:
        return 0.0
    return (heard + timedelta(seconds=every) - now).total_seconds()


def status_from(db: sqlite3.Connection, program: str, every: float, now: datetime) -> Status:
    """The status line's facts, from the history's indexes: a session running, when the last
    was heard from, today's counted sessions, the streak."""
    running_at = lookups.running_lately(db, now)
    heard = lookups.heard_last(db, now)
    today = lookups.counted_on(db, local_day(now), now)
    return Status(program, due_in(running_at, heard, every, now), today, lookups.streak(db, now))


def status_of(
    records: Sequence[SessionRecord], program: str, every: float, now: datetime
) -> Status:
    """The status line's facts, from every session in the history (oldest first), as the rules
    are written. One in the future (`SessionRecord.in_future`: a clock was wrong) is passed
    over: were it the latest, the next break would wait for it, a year if it is dated a year
    ahead."""
    from spasmtimer.history.records import totals

    dated = [r for r in records if not r.in_future(now)]
    # A session of any program is a break: "desk-break due" just after seven minutes of
    # another program's stretches would send the person straight back to the floor.
    running_at = max(
        (r.updated_at for r in dated if r.status == "running" and r.updated_at is not None),
        default=None,
    )
    heard = max((r.last_heard for r in dated), default=None)
    today = local_day(now)
    counted_today = sum(r.counted and local_day(r.started_at) == today for r in dated)
    streak = totals(dated, now).streak_days
    return Status(program, due_in(running_at, heard, every, now), counted_today, streak)


def read_status(path: str, program: str, every: float, now: datetime) -> Status:
    """The status of ``program`` from the history at ``path``, read without writing: no history
    is made, nothing is checked, migrated or recovered (a session still marked running may
    have died), and the connection is closed at once. SQLite may still make the WAL's two side
    files. A history of an older schema is opened to be migrated, once; one another program
    changed the shape of is read the slow way.

    Raises `database.HistoryError` when it cannot be read right now.
    """
    if not os.path.exists(path):
        return Status(program, 0.0, 0, 0)
    try:
        db = database.connect_to_read(path, database.PEEK_TIMEOUT)
    except sqlite3.Error as e:
        reason = database.passing_reason(e) or e
        raise database.HistoryError(f"cannot read {path}: {reason}") from None
    try:
        if db.execute("PRAGMA user_version").fetchone()[0] == database.SCHEMA_VERSION:
            return status_from(db, program, every, now)
    except sqlite3.OperationalError as e:
        if database.passing_reason(e) is not None or not database.is_of_another_shape(e):
            raise database.HistoryError(
                f"cannot read {path}: {database.passing_reason(e) or e}"
            ) from None
    finally:
        db.close()
    return _read_status_slowly(path, program, every, now)


def _read_status_slowly(path: str, program: str, every: float, now: datetime) -> Status:
    """A history of an older schema (migrated now, once), or of another program's shape (read
    from every session)."""
    from pathlib import Path

    from spasmtimer.history.store import History

    history = History.peek(Path(path))
    if history is None:
        return Status(program, 0.0, 0, 0)
    try:
        return status_from(history.connection, program, every, now)
    except sqlite3.OperationalError as e:
        if not database.is_of_another_shape(e):
            raise
        return status_of(history.sessions(), program, every, now)
    finally:
        history.close()


def wait_text(seconds: float) -> str:
    """How long until a break, in whole minutes rounded up: "12m", "1h05m"."""
    minutes = max(1, math.ceil(seconds / 60 - 1e-9))
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def status_line(status: Status, *, tmux: bool = False) -> str:
    """The line, at most `MAX_WIDTH` columns; with ``tmux``, the program's part coloured in
    tmux's own markup (``#[fg=…]``), which tmux reads in a status bar and does not show."""
    if status.later is not None:
        when, style = status.later, ""
    elif status.due_in is None:
        when, style = "now", "fg=green"
    elif status.due_in <= 0:
        when, style = "due", "fg=yellow,bold"
    else:
        when, style = f"in {wait_text(status.due_in)}", ""
    if status.due_today is not None:
        rest = [f"{status.today} of {status.due_today} today"]
    else:
        rest = [f"{status.today} today" if status.today else "none today"]
    if status.streak_days >= 2:
        rest.append(f"{status.streak_days}-day streak")
    tail = f" {when}" + "".join(f" · {part}" for part in rest)
    name = fit_cells(one_line(status.program), MAX_WIDTH - cell_width(tail))
    if not tmux:
        return name + tail
    name = name.replace("#", "##")  # tmux reads "#" as the start of its markup
    head, _, after = tail.partition(" · ")
    program_part = f"{name}{head}"
    if style:
        program_part = f"#[{style}]{program_part}#[default]"
    return f"{program_part} · {after}"
