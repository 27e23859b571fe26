"""Session history in SQLite, and the levels that follow from it (SPEC section 3).

Nothing a person did is lost: a session's row is written the moment it starts and updated as it
goes, so one ended by Ctrl-C, SIGTERM, a closed SSH connection or a crash is still there. WAL
mode and a busy timeout let two terminals record at once. A database that cannot be read is moved
aside — never deleted — and a fresh one started, so the timer always works.

No Textual here: the CLI, the plain runner and the app all use this module.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from spasmtimer.engine import Session, Status
from spasmtimer.timeline import Timeline

Now = Callable[[], datetime]

GAP_DAYS = 7
"""After this many days without a completed session, the next one runs a level lower."""
WORSE_BY = 2
"""Pain after this many points above pain before holds the level."""
HEARTBEAT_SECONDS = 1.0
"""A running session's row is touched at most this often, so a crash loses at most this much."""

SCHEMA_VERSION = 1
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
}
"""Each schema version's changes, applied in order inside one transaction."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def content_hash(timeline: Timeline) -> str:
    """A short fingerprint of exactly what a session ran: its expanded phases."""
    phases = timeline.as_json()["phases"]
    digest = hashlib.sha256(json.dumps(phases, sort_keys=True).encode()).hexdigest()
    return digest[:16]


class HistoryError(Exception):
    """The history cannot be used at all (its folder cannot be written, say)."""


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
)
"""The columns of a session that are read back, in the order `SessionRecord` lists them."""


def felt_worse(pain_before: int | None, pain_after: int | None) -> bool:
    """Pain after at least WORSE_BY points above pain before (both given)."""
    if pain_before is None or pain_after is None:
        return False
    return pain_after - pain_before >= WORSE_BY


def level_following(level: int, pain_before: int | None, pain_after: int | None) -> int:
    """The level after a completed session at ``level``: one up, unless the pain got worse."""
    return level if felt_worse(pain_before, pain_after) else level + 1


@dataclass(frozen=True, slots=True)
class SessionRecord:
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

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SessionRecord:
        values = {name: row[name] for name in SESSION_COLUMNS}
        values["started_at"] = parse_iso(row["started_at"])
        values["ended_at"] = parse_iso(row["ended_at"]) if row["ended_at"] else None
        return cls(**values)

    @property
    def completed(self) -> bool:
        return self.status == "completed"

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
)
"""The fields of an exported session (``SessionRecord.as_json``), in order: the CSV's columns."""


def level_after(last_completed: SessionRecord | None, now: datetime) -> int:
    """The level the next session runs at, from the last completed one (SPEC section 3)."""
    if last_completed is None:
        return 0
    r = last_completed
    level = level_following(r.level, r.pain_before, r.pain_after)
    ended = r.ended_at or r.started_at
    if now - ended >= timedelta(days=GAP_DAYS):
        level -= 1
    return max(0, level)


@dataclass
class Totals:
    sessions_this_week: int
    minutes_this_week: float
    streak_days: int
    """Consecutive days, up to today (or yesterday), with at least one completed session."""
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
    days: set[date] = set()
    week = [r for r in records if r.started_at.astimezone().date() >= week_start]
    for r in records:
        if r.completed:
            days.add(r.started_at.astimezone().date())
    streak = 0
    day = today if today in days else today - timedelta(days=1)
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return Totals(
        sessions_this_week=len(week),
        minutes_this_week=sum(r.done_seconds for r in week) / 60,
        streak_days=streak,
        sessions=len(records),
        minutes=sum(r.done_seconds for r in records) / 60,
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class History:
    """The history database. Open it with `History.open`."""

    path: Path
    connection: sqlite3.Connection
    now: Now = utc_now
    problems: list[str] = field(default_factory=list)
    """What went wrong opening it (a database moved aside), for the person to be told."""

    @classmethod
    def open(cls, path: Path, now: Now = utc_now) -> History:
        """Open (or create) the history at ``path``, moving a corrupt database aside.

        Raises `HistoryError` only when no database can be had at all.
        """
        problems: list[str] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HistoryError(f"cannot create {path.parent}: {e.strerror or e}") from None
        try:
            history = cls(path, _connect(path), now, problems)
            history.recover()
        except sqlite3.DatabaseError as e:
            try:
                aside = _move_aside(path, now())
            except OSError as move:
                raise HistoryError(
                    f"{path} cannot be read ({e}) nor moved aside ({move.strerror or move})"
                ) from None
            problems.append(
                f"The history at {path} could not be read ({e}); it was moved to {aside.name} "
                "and a new one started."
            )
            try:
                history = cls(path, _connect(path), now, problems)
            except sqlite3.Error as again:
                raise HistoryError(f"cannot open {path}: {again}") from None
        except sqlite3.Error as e:  # locked for longer than the timeout, read-only, ...
            raise HistoryError(f"cannot open {path}: {e}") from None
        return history

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.connection:  # one transaction, committed or rolled back
            yield self.connection

    # -- recording -------------------------------------------------------------------------------
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
                    socket.gethostname(),
                    os.getpid(),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_events(
        self,
        session_id: int,
        events: Sequence[tuple[str, datetime, float, int, float | None]],
        *,
        done_seconds: float,
        updated_at: datetime,
    ) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (session_id, kind, iso(at), elapsed, phase, seconds)
                    for kind, at, elapsed, phase, seconds in events
                ],
            )
            db.execute(
                "UPDATE sessions SET done_seconds = ?, updated_at = ? WHERE id = ?",
                (done_seconds, iso(updated_at), session_id),
            )

    def end(
        self, session_id: int, *, completed: bool, ended_at: datetime, done_seconds: float
    ) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ?, done_seconds = ? "
                "WHERE id = ?",
                (
                    "completed" if completed else "stopped",
                    iso(ended_at),
                    iso(ended_at),
                    done_seconds,
                    session_id,
                ),
            )

    def rate(
        self, session_id: int, pain_before: int | None, pain_after: int | None, notes: str | None
    ) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE sessions SET pain_before = ?, pain_after = ?, notes = ? WHERE id = ?",
                (pain_before, pain_after, notes, session_id),
            )

    def recover(self) -> int:
        """Mark as stopped the sessions whose process died without saying so (a crash, a kill).

        Their end is the last time they were heard from. Returns how many were recovered.
        """
        rows = self.connection.execute(
            "SELECT id, host, pid, updated_at FROM sessions WHERE status = 'running'"
        ).fetchall()
        here = socket.gethostname()
        now = self.now()
        dead = [
            (row[0], row[3])
            for row in rows
            if (row[1] == here and not _process_alive(row[2]))
            # On another machine sharing this folder, only a session older than any can last.
            or (row[1] != here and now - parse_iso(row[3]) > timedelta(hours=7))
        ]
        if dead:
            with self._write() as db:
                db.executemany(
                    "UPDATE sessions SET status = 'stopped', ended_at = ? WHERE id = ?",
                    [(updated, session_id) for session_id, updated in dead],
                )
        return len(dead)

    # -- reading ---------------------------------------------------------------------------------
    def sessions(self, program: str | None = None) -> list[SessionRecord]:
        """Sessions, oldest first; only one program's if ``program`` is given."""
        query = f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions"
        parameters: tuple[str, ...] = ()
        if program is not None:
            query += " WHERE program = ?"
            parameters = (program,)
        cursor = self.connection.execute(query + " ORDER BY started_at, id", parameters)
        cursor.row_factory = sqlite3.Row
        return [SessionRecord.from_row(row) for row in cursor]

    def events(self, session_id: int) -> list[tuple[str, str, float, int, float | None]]:
        return self.connection.execute(
            "SELECT kind, at, elapsed, phase, seconds FROM events WHERE session_id = ? ORDER BY id",
            (session_id,),
        ).fetchall()

    def last_completed(self, program: str) -> SessionRecord | None:
        completed = [r for r in self.sessions(program) if r.completed]
        return max(completed, key=lambda r: (r.ended_at or r.started_at, r.id), default=None)

    def current_level(self, program: str, now: datetime | None = None) -> int:
        return level_after(self.last_completed(program), now or self.now())

    def levels_over_time(self, program: str) -> list[tuple[datetime, int]]:
        """The level of each completed session of a program, in order."""
        return [(r.started_at, r.level) for r in self.sessions(program) if r.completed]


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=10)
    try:
        check = connection.execute("PRAGMA quick_check").fetchone()
        if check is None or check[0] != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else '?'}")
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


class SessionRecorder:
    """Keeps one running session in the history as it goes (an engine `Recorder`).

    Wall-clock times are the start's wall time plus the engine's own (monotonic) offsets, so the
    record agrees with the session to the millisecond even if the system clock jumps. A failed
    write is reported once and never stops the session.
    """

    def __init__(
        self,
        history: History,
        *,
        program: str,
        title: str,
        path: str,
        timeline: Timeline,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.history = history
        self.program = program
        self.title = title
        self.path = path
        self.timeline = timeline
        self.warn = warn or (lambda message: None)
        self.session_id: int | None = None
        self._written = 0
        self._wall_start: datetime | None = None
        self._ended = False
        self._failed = False
        self._last_write = -float("inf")

    def _guard(self, write: Callable[[], None]) -> None:
        try:
            write()
        except sqlite3.Error as e:
            if not self._failed:
                self._failed = True
                self.warn(f"History not saved: {e}")

    def _wall(self, session: Session, monotonic: float) -> datetime:
        assert self._wall_start is not None and session.started_at is not None
        return self._wall_start + timedelta(seconds=monotonic - session.started_at)

    def started(self, session: Session, pain_before: int | None) -> None:
        self._wall_start = started_at = self.history.now()

        def write() -> None:
            self.session_id = self.history.begin(
                program=self.program,
                title=self.title,
                path=self.path,
                content_hash=content_hash(self.timeline),
                level=self.timeline.level,
                planned_seconds=self.timeline.total_seconds,
                started_at=started_at,
                pain_before=pain_before,
            )

        self._guard(write)
        self.sync(session)

    def sync(self, session: Session) -> None:
        if self.session_id is None or self._ended or self._wall_start is None:
            return
        session_id = self.session_id
        assert session.started_at is not None
        new = session.events[self._written :]
        now = session.clock()
        ended = session.ended_at(now)
        if not new and ended is None and now - self._last_write < HEARTBEAT_SECONDS:
            return
        self._last_write = now
        state = session.state_at(now)
        rows = [
            (
                e.kind,
                self._wall(session, session.started_at + e.elapsed),
                e.elapsed,
                e.phase,
                e.seconds,
            )
            for e in new
        ]

        def write() -> None:
            self.history.add_events(
                session_id, rows, done_seconds=state.elapsed, updated_at=self._wall(session, now)
            )
            self._written += len(new)
            if ended is not None:
                self.history.end(
                    session_id,
                    completed=state.status is Status.FINISHED,
                    ended_at=self._wall(session, ended),
                    done_seconds=state.elapsed,
                )
                self._ended = True

        self._guard(write)

    def rated(self, pain_before: int | None, pain_after: int | None, notes: str | None) -> None:
        if self.session_id is None:
            return
        session_id = self.session_id
        self._guard(lambda: self.history.rate(session_id, pain_before, pain_after, notes))
