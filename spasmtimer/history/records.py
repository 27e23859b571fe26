"""A session as the history keeps it — `SessionRecord`, the one record of a session, and its
events — with the rules read off it: whether it counts, whether it may be
resumed, the week's totals.

One record, everywhere: the store reads its rows into it (with `msgspec.convert`, which checks
every value, since SQLite keeps whatever another program writes), the recorder keeps a running
session as one, a session kept beside the history is one (`spasmtimer.history.kept`), and
`spasmtimer.history.store.merge` takes one in, keyed by its `id`.

Pure: no database, no Textual.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

# The time forms and local days are kept in `times` (standard library only, for `status`), and
# read from here too.
from spasmtimer.history.times import EARLIEST as EARLIEST
from spasmtimer.history.times import FUTURE_SKEW as FUTURE_SKEW
from spasmtimer.history.times import LATEST as LATEST
from spasmtimer.history.times import check_time
from spasmtimer.history.times import iso as iso
from spasmtimer.history.times import local_day as local_day
from spasmtimer.history.times import parse_iso as parse_iso
from spasmtimer.session.levels import CountedSession, counts

if TYPE_CHECKING:  # `spasmtimer status` reads records without loading the program format
    from spasmtimer.program.timeline import Timeline

# --- identity -----------------------------------------------------------------------------

_last_id_time = 0
_id_lock = threading.Lock()


def new_session_id(at: datetime | None = None) -> str:
    """A new session's `id`: a UUID version 7 (RFC 9562), unique across machines with no one
    to hand them out, and in the order of ``at`` (default now) to the millisecond. Within one
    process, ids made one after another sort in the order they were made."""
    global _last_id_time
    if at is not None:
        millis = int(at.timestamp() * 1000)
    else:
        with _id_lock:
            # Never the same or an earlier millisecond than the last: ids made in a row sort.
            millis = max(time.time_ns() // 1_000_000, _last_id_time + 1)
            _last_id_time = millis
    value = (millis & (2**48 - 1)) << 80
    value |= 0x7 << 76  # version 7
    # The system's randomness, as `secrets` gives it, read directly: importing `secrets` (and
    # with it hmac and hashlib) took some 9 ms of the start of every command that reads a
    # history.
    random = int.from_bytes(os.urandom(10))
    value |= (random >> 68) << 64  # 12 bits
    value |= 0b10 << 62  # the RFC's variant
    value |= random & (2**62 - 1)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def host_name() -> str:
    """This machine's name, as `socket.gethostname` gives it (both read uname(2) on the
    systems spasmtimer runs on), without importing socket: 4 ms of every session's start."""
    try:
        return os.uname().nodename
    except AttributeError:  # no uname: not a POSIX system
        import socket

        return socket.gethostname()


def content_hash(timeline: Timeline) -> str:
    """A short fingerprint of exactly what a session ran: its expanded phases."""
    # Imported here: `spasmtimer status` reads this module on every redraw of a status bar,
    # and never needs them.
    import hashlib
    import json

    # What ran: its timing and words. Not the figure that showed it (a figure file of one's
    # own standing in for a bundled one changes nothing of the session).
    phases = [
        {key: value for key, value in phase.items() if key != "figure"}
        for phase in timeline.as_json()["phases"]
    ]
    digest = hashlib.sha256(json.dumps(phases, sort_keys=True).encode()).hexdigest()
    return digest[:16]


# --- the record ---------------------------------------------------------------------------

Status = Literal["running", "completed", "stopped"]
Pain = Annotated[int, msgspec.Meta(ge=0, le=10)]
Whole = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
"""A whole number SQLite can hold."""
Seconds = Annotated[float, msgspec.Meta(ge=0)]
Moment = Annotated[datetime, msgspec.Meta(tz=True)]
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z-]+$")]
"""A session's id: one of ours is a UUID; one from elsewhere is held to plain, short text."""
Text = Annotated[str, msgspec.Meta(max_length=100_000)]


class SessionRecord(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One session, as the history keeps it: the one record of a session."""

    id: Id
    """Unique across machines and never changed (`new_session_id`)."""
    program: Text
    title: Text
    path: Text
    content_hash: Text
    level: Whole
    started_at: Moment
    ended_at: Moment | None
    status: Status
    planned_seconds: Seconds
    done_seconds: Seconds
    pain_before: Pain | None
    pain_after: Pain | None
    notes: Text | None
    position: Seconds = 0.0
    """Where in its timeline it got to (seconds from the start), for resuming it."""
    updated_at: Moment | None = None
    """When it was last written: a running session's is at most a second old."""
    marks: tuple[Whole, ...] = ()
    """The steps (their places in the program, from 0) the person marked, after it, as having
    hurt or been too hard: two sessions in a row hold a step's progression (`levels.holds`)."""
    origin: Id | None = None
    """The machine that ran it, when another one did (`spasmtimer.history.sync`): only this
    machine's own sessions are sent out, and offered to be taken up again."""

    def __post_init__(self) -> None:
        for moment in (self.started_at, self.ended_at, self.updated_at):
            if moment is not None:
                check_time(moment)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SessionRecord:
        """The session in ``row`` (its columns by name); raises `ValueError` saying what in it
        cannot be read."""
        marks = row.get("marks")
        if marks is None or isinstance(marks, str):  # the column holds "0,3"
            row = {**row, "marks": marks_from_column(marks)}
        try:
            return msgspec.convert(row, cls)
        except msgspec.ValidationError as e:
            raise ValueError(str(e)) from None

    @property
    def completed(self) -> bool:
        """It reached its end (by the clock, or skipped through)."""
        return self.status == "completed"

    @property
    def counted(self) -> bool:
        """It counts toward the level (see `levels.counts`)."""
        return counts(self.completed, self.done_seconds, self.planned_seconds)

    @property
    def last_heard(self) -> datetime:
        """When it ended, or was last heard from while it ran."""
        return self.ended_at or self.updated_at or self.started_at

    def in_future(self, now: datetime) -> bool:
        """Does it start or end later than ``now``, by more than `FUTURE_SKEW`? The clock that
        dated it was wrong: it counts for no day, no week and no streak, and puts off no
        break."""
        times = (self.started_at, self.ended_at, self.updated_at)
        return max(t for t in times if t is not None) > now + FUTURE_SKEW

    def as_counted(self) -> CountedSession:
        return CountedSession(
            self.level,
            self.pain_before,
            self.pain_after,
            self.ended_at or self.started_at,
            self.marks,
        )

    def as_json(self) -> dict[str, Any]:
        """The session as ``history --json`` and ``--csv`` export it, keys in `EXPORT_FIELDS`
        order."""
        return {
            "id": self.id,
            "program": self.program,
            "title": self.title,
            "level": self.level,
            "started_at": iso(self.started_at),
            "ended_at": iso(self.ended_at) if self.ended_at else None,
            "completed": self.completed,
            "status": self.status,
            "planned_seconds": round(self.planned_seconds, 3),
            "done_seconds": round(self.done_seconds, 3),
            "pain_before": self.pain_before,
            "pain_after": self.pain_after,
            "notes": self.notes,
            "marks": list(self.marks),
            "content_hash": self.content_hash,
            "path": self.path,
        }


EventKind = Annotated[str, msgspec.Meta(min_length=1, max_length=16, pattern=r"^[a-z_]+$")]


class EventRecord(msgspec.Struct, frozen=True, array_like=True):
    """Something that happened in a session, as the history keeps it."""

    kind: EventKind
    time: Moment
    """When, on the wall clock."""
    at: Seconds
    """Seconds since the session started (pauses included)."""
    phase: Whole
    """The phase it happened in (0-based)."""
    seconds: float | None = None
    """For adjust: the seconds added (negative: taken away)."""

    def __post_init__(self) -> None:
        check_time(self.time)

    def as_json(self) -> dict[str, Any]:
        exported: dict[str, Any] = {
            "kind": self.kind,
            "at": round(self.at, 3),
            "time": iso(self.time),
            "phase": self.phase,
        }
        if self.seconds is not None:
            exported["seconds"] = round(self.seconds, 3)
        return exported


EXPORTED_EVENTS = frozenset({"pause", "resume", "skip", "back", "adjust", "stop"})
"""The events an export lists (a session's start is its ``started_at``)."""


def later_than(written: datetime | None, now: datetime) -> datetime:
    """The version of a change (a rating) to a session last written at ``written``: a
    millisecond later, so that the changed copy wins over the one before (`merge`) wherever
    the two meet, whatever any clock says; ``now`` for one never written."""
    return now if written is None else written + timedelta(milliseconds=1)


def marks_column(marks: tuple[int, ...]) -> str:
    """Marks as the sessions table holds them: "0,3"."""
    return ",".join(str(step) for step in marks)


def marks_from_column(text: str | None) -> tuple[int, ...] | str:
    """The marks a column holds (itself, for `SessionRecord.from_row` to refuse, when it is
    not a list of step numbers)."""
    if not text:
        return ()
    try:
        return tuple(int(step) for step in text.split(","))
    except ValueError:
        return text


EXPORT_FIELDS = (
    "id",
    "program",
    "title",
    "level",
    "started_at",
    "ended_at",
    "completed",
    "status",
    "planned_seconds",
    "done_seconds",
    "pain_before",
    "pain_after",
    "notes",
    "marks",
    "content_hash",
    "path",
    "events",
)
"""The fields of an exported session, in order: the CSV's columns. ``events`` is a list of
`EventRecord.as_json` (in the CSV, that list as JSON)."""


# --- what the records say -----------------------------------------------------------------

RESUMABLE_FOR = timedelta(hours=12)
"""How long a session stopped early can be taken up again."""


def resumable(latest: SessionRecord | None, now: datetime, fingerprint: str | None) -> bool:
    """May ``latest`` — a program's latest session — be taken up again now?

    It stopped early (by ``q``, a signal, a dropped connection or a crash) less than 12 hours
    ago, short of its end, and the program still expands, at that session's level, to exactly
    what it ran: ``fingerprint`` is `content_hash` of that expansion (None: it no longer
    expands at all).
    """
    if latest is None or latest.status != "stopped" or latest.ended_at is None:
        return False
    recent = now - latest.ended_at <= RESUMABLE_FOR  # a clock set back makes it no less recent
    unfinished = 0 < latest.position < latest.planned_seconds - 0.5
    return recent and unfinished and fingerprint == latest.content_hash


class Totals(msgspec.Struct):
    """Sessions are those that counted; minutes are all the time done, counted or not."""

    sessions_this_week: int
    minutes_this_week: float
    streak_days: int
    """Consecutive days, up to today (or yesterday), with at least one counted session."""
    sessions: int
    minutes: float

    def describe(self) -> str:
        return (
            f"This week: {_plural(self.sessions_this_week, 'session')}, "
            f"{self.minutes_this_week:,.0f} min · streak: {_plural(self.streak_days, 'day')} · "
            f"in all: {_plural(self.sessions, 'session')}, {self.minutes:,.0f} min"
        )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def totals(records: Sequence[SessionRecord], now: datetime) -> Totals:
    """This week's (from Monday) and the streak's days are local days. A session in the future
    (`SessionRecord.in_future`) is in neither, though it is in all."""
    today = local_day(now)
    week_start = today - timedelta(days=today.weekday())
    dated = [r for r in records if not r.in_future(now)]
    week = [r for r in dated if local_day(r.started_at) >= week_start]
    days = {local_day(r.started_at) for r in dated if r.counted}
    streak = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return Totals(
        sessions_this_week=sum(r.counted for r in week),
        minutes_this_week=sum(r.done_seconds for r in week) / 60,
        streak_days=streak,
        sessions=sum(r.counted for r in records),
        minutes=sum(r.done_seconds for r in records) / 60,
    )
