"""Session history in SQLite, and the levels that follow from it (SPEC sections 3 and 4).

Nothing a person did is lost: a session's row is written the moment it starts and updated as it
goes (see `spasmtimer.history.recording`, which writes from a thread of its own), so one ended by
Ctrl-C, SIGTERM, a closed SSH connection or a crash is still there. WAL mode lets two terminals
record at once, and readers never wait for a writer.

A database is moved aside — never deleted — only when SQLite says it is corrupt or not a
database. Locked by another program, a full disk, a read-only file: those are reported and
waited out, and the history is left as it is; a session that cannot be written by the time its
process exits is kept beside the history, and added to it at the next open
(`spasmtimer.history.kept`).
A row that cannot be read is skipped with a warning.

No Textual here: the CLI, the plain runner and the app all use this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from spasmtimer.base.errors import UserError
from spasmtimer.history.kept import add_kept, kept_files
from spasmtimer.session.levels import CountedSession, Level, counts, current_level

if TYPE_CHECKING:  # `spasmtimer status` reads the history without loading the program format
    from spasmtimer.program.timeline import Timeline
    from spasmtimer.session.reminders import LastSession

Now = Callable[[], datetime]

HEARTBEAT_SECONDS = 1.0
"""A running session's row is touched at most this often, so a crash loses at most this much."""

SCHEMA_VERSION = 2
MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE sessions (
        id              INTEGER PRIMARY KEY,
        program         TEXT NOT NULL,
        title           TEXT NOT NULL,
        path            TEXT NOT NULL,
        content_hash    TEXT NOT NULL,
        level           INTEGER NOT NULL CHECK (level >= 0),
        started_at      TEXT NOT NULL,
        ended_at        TEXT,
        updated_at      TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'stopped')),
        planned_seconds REAL NOT NULL,
        done_seconds    REAL NOT NULL DEFAULT 0,
        pain_before     INTEGER CHECK (pain_before BETWEEN 0 AND 10),
        pain_after      INTEGER CHECK (pain_after BETWEEN 0 AND 10),
        notes           TEXT,
        host            TEXT NOT NULL,
        pid             INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_program ON sessions (program, started_at);
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES sessions (id),
        kind        TEXT NOT NULL,
        at          TEXT NOT NULL,
        elapsed     REAL NOT NULL,
        phase       INTEGER NOT NULL,
        seconds     REAL
    );
    CREATE INDEX events_by_session ON events (session_id);
    """,
    # Where in its timeline a session got to, to resume it: after skips that is not the time
    # done. Until now done_seconds held exactly that position (which is why it could be
    # inflated by skipping), so it is the right value for the sessions already kept.
    2: """
    ALTER TABLE sessions ADD COLUMN position REAL NOT NULL DEFAULT 0;
    UPDATE sessions SET position = done_seconds
    """,
}
"""Each schema version's changes, applied in order inside one transaction."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Times outside these are not a session's: shown in local time near Python's year 1 or
9999, they would end the command with OverflowError."""


def parse_iso(text: str) -> datetime:
    """A time as the history keeps it; raises `ValueError` for anything else, or one outside
    `EARLIEST`–`LATEST`."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None or not EARLIEST <= moment < LATEST:
        raise ValueError(f"{text!r} is not a time a session can have")
    return moment


def content_hash(timeline: Timeline) -> str:
    """A short fingerprint of exactly what a session ran: its expanded phases."""
    # Imported here: `spasmtimer status` reads this module on every redraw of a status bar,
    # and never needs them.
    import hashlib
    import json

    phases = timeline.as_json()["phases"]
    digest = hashlib.sha256(json.dumps(phases, sort_keys=True).encode()).hexdigest()
    return digest[:16]


def host_name() -> str:
    """This machine's name, as `socket.gethostname` gives it (both read uname(2) on the
    systems spasmtimer runs on), without importing socket: 4 ms of every session's start."""
    try:
        return os.uname().nodename
    except AttributeError:  # no uname: not a POSIX system
        import socket

        return socket.gethostname()


class HistoryError(UserError):
    """The history cannot be used at all (its folder cannot be written, say)."""


class CorruptHistory(sqlite3.DatabaseError):
    """SQLite's own integrity check found the database damaged."""


CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
PASSING_CODES = {
    sqlite3.SQLITE_BUSY: "it is locked by another program",
    sqlite3.SQLITE_LOCKED: "it is locked by another program",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_READONLY: "it cannot be written (read-only)",
    sqlite3.SQLITE_IOERR: "the disk could not write it",
    sqlite3.SQLITE_CANTOPEN: "it cannot be opened",
}
"""Conditions that pass (or that a person can clear) and are waited out, in words."""


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF  # extended codes carry the primary low


def is_corrupt(error: sqlite3.Error) -> bool:
    """Does SQLite say the database itself is damaged (and so may be moved aside)?"""
    return isinstance(error, CorruptHistory) or _primary_code(error) in CORRUPT_CODES


def passing_reason(error: sqlite3.Error) -> str | None:
    """Why a write cannot be made *now*, in words, if it is worth trying again later."""
    code = _primary_code(error)
    if code is None and "locked" in str(error):  # errors raised without a code
        return PASSING_CODES[sqlite3.SQLITE_BUSY]
    return PASSING_CODES.get(code) if code is not None else None


SESSION_COLUMNS = (
    "id",
    "program",
    "title",
    "path",
    "content_hash",
    "level",
    "started_at",
    "ended_at",
    "status",
    "planned_seconds",
    "done_seconds",
    "pain_before",
    "pain_after",
    "notes",
    "position",
    "updated_at",
)
"""The columns of a session that are read back, in the order `SessionRecord` lists them."""


_COLUMN_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": int,
    "program": str,
    "title": str,
    "path": str,
    "content_hash": str,
    "level": int,
    "started_at": str,
    "ended_at": (str, type(None)),
    "status": str,
    "planned_seconds": (int, float),
    "done_seconds": (int, float),
    "pain_before": (int, type(None)),
    "pain_after": (int, type(None)),
    "notes": (str, type(None)),
    "position": (int, float),
    "updated_at": str,
}


class SessionRecord(msgspec.Struct, frozen=True):
    """One session as the history keeps it."""

    id: int
    program: str
    title: str
    path: str
    content_hash: str
    level: int
    started_at: datetime
    ended_at: datetime | None
    status: str
    planned_seconds: float
    done_seconds: float
    pain_before: int | None
    pain_after: int | None
    notes: str | None
    position: float = 0.0
    """Where in its timeline it got to (seconds from the start), for resuming it."""
    updated_at: datetime | None = None
    """When its row was last written: a running session's is at most a second old."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRecord:
        """The session in ``row``; raises `ValueError` saying what in it cannot be read (SQLite
        keeps whatever another program writes, whatever the column's type)."""
        values = {name: row[name] for name in SESSION_COLUMNS}
        for name, kinds in _COLUMN_TYPES.items():
            if not isinstance(values[name], kinds) or isinstance(values[name], bool):
                raise ValueError(f"its {name} is {values[name]!r}")
        for name in ("pain_before", "pain_after"):
            if values[name] is not None and not 0 <= values[name] <= 10:
                raise ValueError(f"its {name} is {values[name]!r}")
        values["started_at"] = parse_iso(values["started_at"])
        values["ended_at"] = parse_iso(values["ended_at"]) if values["ended_at"] else None
        values["updated_at"] = parse_iso(values["updated_at"])
        return cls(**values)

    @property
    def completed(self) -> bool:
        """It reached its end (by the clock, or skipped through)."""
        return self.status == "completed"

    @property
    def counted(self) -> bool:
        """It counts toward the level (see `levels.counts`)."""
        return counts(self.completed, self.done_seconds, self.planned_seconds)

    def as_counted(self) -> CountedSession:
        return CountedSession(
            self.level, self.pain_before, self.pain_after, self.ended_at or self.started_at
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
            "content_hash": self.content_hash,
            "path": self.path,
        }


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


EXPORTED_EVENTS = frozenset({"pause", "resume", "skip", "back", "adjust", "stop"})
"""The events an export lists (a session's start is its ``started_at``)."""


class EventRecord(msgspec.Struct, frozen=True):
    """Something that happened in a session, as the history keeps it."""

    kind: str
    at: float
    """Seconds since the session started (pauses included)."""
    time: datetime
    phase: int
    """The phase it happened in (0-based)."""
    seconds: float | None
    """For adjust: the seconds added (negative: taken away)."""

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
    "content_hash",
    "path",
    "events",
)
"""The fields of an exported session, in order: the CSV's columns. ``events`` is a list of
`EventRecord.as_json` (in the CSV, that list as JSON)."""


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
            f"{self.minutes_this_week:.0f} min · streak: {_plural(self.streak_days, 'day')} · "
            f"in all: {_plural(self.sessions, 'session')}, {self.minutes:.0f} min"
        )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def totals(records: Sequence[SessionRecord], now: datetime) -> Totals:
    today = now.astimezone().date()
    week_start = today - timedelta(days=today.weekday())
    week = [r for r in records if r.started_at.astimezone().date() >= week_start]
    days = {r.started_at.astimezone().date() for r in records if r.counted}
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


def process_gone(host: str, pid: int, heard: datetime, now: datetime) -> bool:
    """Whether the process that ran a session, last heard from at ``heard``, is gone. On
    another machine sharing this folder, only a session older than any can last is."""
    if host != host_name():
        return now - heard > timedelta(hours=7)
    if pid <= 0:  # no process's (0 and below name process groups)
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none has it; none can have it
        return True
    except PermissionError:  # another user's
        return False
    return False


# --- writing: one function per change, used by `History` and by the recording thread ---------


def insert_session(
    db: sqlite3.Connection,
    *,
    program: str,
    title: str,
    path: str,
    content_hash: str,
    level: int,
    planned_seconds: float,
    started_at: datetime,
    pain_before: int | None,
) -> int:
    cursor = db.execute(
        "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
        "updated_at, status, planned_seconds, pain_before, host, pid) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)",
        (
            program,
            title,
            path,
            content_hash,
            level,
            iso(started_at),
            iso(started_at),
            planned_seconds,
            pain_before,
            host_name(),
            os.getpid(),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


EventRow = tuple[str, datetime, float, int, float | None]
"""An event as written: kind, wall time, seconds since the start, phase, seconds adjusted."""


def insert_events(
    db: sqlite3.Connection,
    session_id: int,
    events: Sequence[EventRow],
    *,
    done_seconds: float,
    updated_at: datetime,
    position: float | None = None,
) -> None:
    """A session's new events and how far it got (``position``: where in its timeline, the
    time done if not given — a session done straight through)."""
    db.executemany(
        "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [(session_id, kind, iso(at), *rest) for kind, at, *rest in events],
    )
    db.execute(
        "UPDATE sessions SET done_seconds = ?, position = ?, updated_at = ? WHERE id = ?",
        (
            done_seconds,
            done_seconds if position is None else position,
            iso(updated_at),
            session_id,
        ),
    )


def reopen_session(db: sqlite3.Connection, session_id: int, *, updated_at: datetime) -> None:
    """A stopped session runs again (resumed), in this process."""
    db.execute(
        "UPDATE sessions SET status = 'running', ended_at = NULL, updated_at = ?, host = ?, "
        "pid = ? WHERE id = ?",
        (iso(updated_at), host_name(), os.getpid(), session_id),
    )


def end_session(
    db: sqlite3.Connection,
    session_id: int,
    *,
    completed: bool,
    ended_at: datetime,
    done_seconds: float,
    position: float | None = None,
) -> None:
    db.execute(
        "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ?, done_seconds = ?, "
        "position = ? WHERE id = ?",
        (
            "completed" if completed else "stopped",
            iso(ended_at),
            iso(ended_at),
            done_seconds,
            done_seconds if position is None else position,
            session_id,
        ),
    )


def rate_session(
    db: sqlite3.Connection,
    session_id: int,
    pain_before: int | None,
    pain_after: int | None,
    notes: str | None,
) -> None:
    db.execute(
        "UPDATE sessions SET pain_before = ?, pain_after = ?, notes = ? WHERE id = ?",
        (pain_before, pain_after, notes, session_id),
    )


class History(msgspec.Struct):
    """The history database, for reading. Open it with `History.open`; sessions are written as
    they run by a `spasmtimer.history.recording.SessionRecorder`."""

    path: Path
    connection: sqlite3.Connection
    now: Now = utc_now
    problems: list[str] = msgspec.field(default_factory=list)
    """What went wrong opening it (a database moved aside), for the person to be told."""
    warnings: list[str] = msgspec.field(default_factory=list)
    """Rows that could not be read and were left out, each said once."""
    warn: Callable[[str], None] | None = None
    """Where to say a warning as it comes (besides keeping it in `warnings`)."""

    @classmethod
    def open(cls, path: Path, now: Now = utc_now) -> History:
        """Open (or create) the history at ``path``, moving it aside only if it is corrupt.

        Raises `HistoryError` when no database can be had (its folder cannot be made, it
        was written by a newer spasmtimer, or a new one cannot be created right now).
        """
        problems: list[str] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HistoryError(f"cannot create {path.parent}: {e.strerror or e}") from None
        try:
            connection = _connect(path)
        except sqlite3.Error as e:
            if not is_corrupt(e):
                raise HistoryError(f"cannot open {path}: {passing_reason(e) or e}") from None
            try:
                aside = _move_aside(path, now())
            except OSError as move:
                raise HistoryError(
                    f"{path} cannot be read ({e}) nor moved aside ({move.strerror or move})"
                ) from None
            problems.append(
                f"The history at {path} is damaged ({e}); it was moved to {aside.name} "
                "and a new one started."
            )
            try:
                connection = _connect(path)
            except sqlite3.Error as again:
                raise HistoryError(f"cannot open {path}: {again}") from None
        history = cls(path, connection, now, problems)
        history.recover()
        if kept_files(path):
            problems += add_kept(connection, path, now())
        return history

    @classmethod
    def peek(cls, path: Path, now: Now = utc_now) -> History | None:
        """The history at ``path`` opened only to read, at once, as a status line needs: no
        history is made and no row is written (no check, migration or recovery), so a session
        still marked running may have died; SQLite may still make the WAL's two side files.
        None when there is no history yet.

        A history of an older schema is opened with `open`, to be migrated once. Raises
        `HistoryError` when it cannot be read right now.
        """
        if not path.exists():
            return None
        try:
            connection = sqlite3.connect(
                f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=PEEK_TIMEOUT
            )
        except sqlite3.Error as e:
            raise HistoryError(f"cannot read {path}: {passing_reason(e) or e}") from None
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as e:
            connection.close()
            raise HistoryError(f"cannot read {path}: {passing_reason(e) or e}") from None
        if version != SCHEMA_VERSION:
            connection.close()
            return cls.open(path, now)
        return cls(path, connection, now)

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.connection:  # one transaction, committed or rolled back
            yield self.connection

    # -- writing here and now (tests, and one-off changes) ---------------------------------------
    def begin(
        self,
        *,
        program: str,
        title: str,
        path: str,
        content_hash: str,
        level: int,
        planned_seconds: float,
        started_at: datetime,
        pain_before: int | None,
    ) -> int:
        with self._write() as db:
            return insert_session(
                db,
                program=program,
                title=title,
                path=path,
                content_hash=content_hash,
                level=level,
                planned_seconds=planned_seconds,
                started_at=started_at,
                pain_before=pain_before,
            )

    def add_events(
        self,
        session_id: int,
        events: Sequence[EventRow],
        *,
        done_seconds: float,
        updated_at: datetime,
    ) -> None:
        with self._write() as db:
            insert_events(db, session_id, events, done_seconds=done_seconds, updated_at=updated_at)

    def end(
        self, session_id: int, *, completed: bool, ended_at: datetime, done_seconds: float
    ) -> None:
        with self._write() as db:
            end_session(
                db, session_id, completed=completed, ended_at=ended_at, done_seconds=done_seconds
            )

    def rate(
        self, session_id: int, pain_before: int | None, pain_after: int | None, notes: str | None
    ) -> None:
        with self._write() as db:
            rate_session(db, session_id, pain_before, pain_after, notes)

    def recover(self) -> int:
        """Mark as stopped the sessions whose process died without saying so (a crash, a kill).

        Their end is the last time they were heard from. Returns how many were recovered; a
        database locked by another program is left for the next time.
        """
        try:
            rows = self.connection.execute(
                "SELECT id, host, pid, updated_at FROM sessions WHERE status = 'running'"
            ).fetchall()
            now = self.now()
            dead = []
            for session_id, host, pid, updated in rows:
                try:
                    heard = parse_iso(updated)
                except (TypeError, ValueError):
                    continue  # unreadable: `sessions` says so
                # A pid that is no number (another program's row) is no process of ours.
                if not isinstance(pid, int) or process_gone(host, pid, heard, now):
                    dead.append((updated, session_id))
            if dead:
                with self._write() as db:
                    db.executemany(
                        "UPDATE sessions SET status = 'stopped', ended_at = ? WHERE id = ?", dead
                    )
        except sqlite3.Error as e:
            if passing_reason(e) is None:
                raise
            return 0
        return len(dead)

    # -- reading ---------------------------------------------------------------------------------
    def sessions(self, program: str | None = None) -> list[SessionRecord]:
        """Sessions, oldest first; only one program's if ``program`` is given. A row that
        cannot be read is left out, and said once in `warnings`."""
        where, parameters = ("WHERE program = ?", (program,)) if program is not None else ("", ())
        return list(self._read_sessions(f"{where} ORDER BY started_at, id", parameters))

    def _read_sessions(
        self, rest: str, parameters: tuple[str, ...]
    ) -> Generator[SessionRecord, None, None]:
        """The sessions ``rest`` (a WHERE and ORDER BY) selects, read one by one as they are
        asked for: a row that cannot be read is passed over, and said once in `warnings`."""
        cursor = self.connection.execute(
            f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions {rest}", parameters
        )
        cursor.row_factory = sqlite3.Row
        try:
            for row in cursor:
                try:
                    yield SessionRecord.from_row(row)
                except (TypeError, ValueError) as e:
                    warning = (
                        f"History: session {row['id']!r} cannot be read ({e}) and is left out."
                    )
                    if warning not in self.warnings:
                        self.warnings.append(warning)
                        if self.warn is not None:
                            self.warn(warning)
        finally:
            # A statement left open keeps this connection's read snapshot: it would go on
            # seeing the history as it was, whatever the writer adds.
            cursor.close()

    def exported_events(self) -> dict[int, list[EventRecord]]:
        """Every session's exported events (see `EXPORTED_EVENTS`), in order, by session id;
        an event row that cannot be read is left out."""
        found: dict[int, list[EventRecord]] = {}
        rows = self.connection.execute(
            "SELECT session_id, kind, at, elapsed, phase, seconds FROM events ORDER BY id"
        )
        for session_id, kind, at, elapsed, phase, seconds in rows:
            if kind not in EXPORTED_EVENTS:
                continue
            try:
                event = EventRecord(kind, float(elapsed), parse_iso(at), int(phase), seconds)
            except (TypeError, ValueError):
                continue
            found.setdefault(session_id, []).append(event)
        return found

    def events(self, session_id: int) -> list[tuple[str, str, float, int, float | None]]:
        return self.connection.execute(
            "SELECT kind, at, elapsed, phase, seconds FROM events WHERE session_id = ? ORDER BY id",
            (session_id,),
        ).fetchall()

    # The next two read from the newest row back and stop at the first that answers: a start
    # of `run` asks both, and reading years of sessions took it 10 ms per thousand. The times
    # are written in one fixed-width UTC form (`iso`), so SQL orders them as time does.
    def latest(self, program: str) -> SessionRecord | None:
        """The program's most recently started session."""
        newest_first = "WHERE program = ? ORDER BY started_at DESC, id DESC"
        with contextlib.closing(self._read_sessions(newest_first, (program,))) as records:
            return next(records, None)

    def last_counted(self, program: str) -> SessionRecord | None:
        """The program's session that counts toward its level and ended last."""
        newest_first = "WHERE program = ? ORDER BY coalesce(ended_at, started_at) DESC, id DESC"
        with contextlib.closing(self._read_sessions(newest_first, (program,))) as records:
            return next((record for record in records if record.counted), None)

    def current_level(self, program: str, cap: int | None, now: datetime | None = None) -> Level:
        """The level ``program`` runs at next; ``cap`` is its cap level (None: not known)."""
        last = self.last_counted(program)
        return current_level(last.as_counted() if last else None, cap, now or self.now())

    def levels_over_time(self, program: str) -> list[tuple[datetime, int]]:
        """The level of each counted session of a program, in order."""
        return [(r.started_at, r.level) for r in self.sessions(program) if r.counted]


def last_session(path: Path, program: str) -> LastSession | None:
    """``program``'s most recent session, for break reminders, which look every few seconds
    for hours: one indexed query on a connection opened read-only and closed at once, so
    nothing is held open or locked in between, and a history replaced meanwhile is the one
    read. None when there is none — or when it cannot be read now (locked, missing, damaged),
    which the next look tries again. A row that cannot be read is passed over."""
    # Only break reminders ask: a session's start does not import them.
    from spasmtimer.session.reminders import LastSession

    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=READ_TIMEOUT
        )
    except (sqlite3.Error, ValueError):
        return None
    try:
        rows = connection.execute(
            "SELECT id, ended_at, updated_at FROM sessions WHERE program = ? "
            "ORDER BY id DESC LIMIT 5",
            (program,),
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
        if isinstance(session_id, int) and heard.tzinfo is not None:
            return LastSession(session_id, heard, running=ended_at is None)
    return None


_ROW_CONSTRAINT = re.compile(r"(CHECK constraint failed|NULL value) in ")
"""What quick_check says of a row another program wrote against a column's rule: not damage
to the database (the row is skipped when read), so never a reason to move it aside."""

READ_TIMEOUT = 1.0
"""Seconds a reading connection waits for a lock (readers of a WAL database rarely need one)."""
PEEK_TIMEOUT = 0.05
"""What `History.peek` waits for one: a status line is drawn again in a few seconds anyway."""


OPEN_PATIENCE = 3.0
"""Seconds opening the history keeps trying while another process holds it (see `_connect`)."""


def _connect(path: Path, timeout: float = READ_TIMEOUT) -> sqlite3.Connection:
    """A checked, migrated connection to the history at ``path``.

    Some of what opening does fails at once with SQLITE_BUSY instead of waiting for the lock:
    switching a new database to WAL while another spasmtimer is creating it, say. Two sessions
    started together must both be recorded, so busy is tried again for a few seconds.
    """
    give_up_at = time.monotonic() + OPEN_PATIENCE
    while True:
        try:
            return _connect_once(path, timeout)
        except sqlite3.OperationalError as e:
            if _primary_code(e) not in BUSY_CODES or time.monotonic() >= give_up_at:
                raise
            time.sleep(0.02)


def _connect_once(path: Path, timeout: float) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=timeout)
    try:
        damage = [
            line
            for (line,) in connection.execute("PRAGMA quick_check").fetchall()
            if line != "ok" and not _ROW_CONSTRAINT.match(line)
        ]
        if damage:
            raise CorruptHistory(f"integrity check failed: {damage[0]}")
        _refuse_newer(connection)
        connection.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL survives any crash of this program; only a power cut may lose the
        # last second, and each phase's heartbeat then costs no fsync.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        _migrate(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _refuse_newer(connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        # Not corrupt, only newer: leave it untouched for the newer spasmtimer.
        raise HistoryError(
            f"the history was written by a newer spasmtimer (schema {version}; this one "
            f"knows {SCHEMA_VERSION}): upgrade spasmtimer to keep recording"
        )


def _migrate(connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    for target in range(version + 1, SCHEMA_VERSION + 1):
        with connection:
            connection.execute("BEGIN IMMEDIATE")
            # Another process may have migrated while this one waited for the lock.
            if connection.execute("PRAGMA user_version").fetchone()[0] >= target:
                continue
            for statement in MIGRATIONS[target].split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {target}")


def _move_aside(path: Path, now: datetime) -> Path:
    stamp = now.astimezone().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.unreadable-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        companion = Path(str(path) + suffix)
        if companion.exists():
            companion.rename(Path(str(aside) + suffix))
    return aside
