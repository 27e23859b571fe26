"""The history's SQLite file as such: its schema and migrations, connecting to it with its
integrity checked, what SQLite's errors mean, and moving a damaged file aside.

A database is moved aside — never deleted — only when SQLite says it is corrupt or not a
database. Locked by another program, a full disk, a read-only file: those pass, and are waited
out (`passing_reason`). No Textual here.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime

from spasmtimer.base.errors import UserError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see cli.entry)
if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_VERSION = 4


def _give_every_session_an_id(db: sqlite3.Connection) -> None:
    """Schema 3: each session's `id`, unique across machines (a UUID, `new_session_id`), for the
    sessions kept before there was one, in the order of their start; and the steps marked."""
    # Here, not above: `spasmtimer status` reads this module, and records need msgspec.

    from spasmtimer.history.records import new_session_id, parse_iso

    db.execute("ALTER TABLE sessions ADD COLUMN uid TEXT")
    rows = db.execute("SELECT id, started_at FROM sessions ORDER BY id").fetchall()
    given = []
    for row_id, started_at in rows:
        try:
            at = parse_iso(started_at) if isinstance(started_at, str) else None
        except ValueError:  # a row no one can read keeps an id all the same
            at = None
        given.append((new_session_id(at), row_id))
    db.executemany("UPDATE sessions SET uid = ? WHERE id = ?", given)
    db.execute("CREATE UNIQUE INDEX sessions_by_uid ON sessions (uid)")
    # What makes a session's process itself (see `spasmtimer.history.liveness`).
    db.execute("ALTER TABLE sessions ADD COLUMN process TEXT")
    # The steps marked as having hurt, or been too hard ("0,3"; see `SessionRecord.marks`).
    db.execute("ALTER TABLE sessions ADD COLUMN marks TEXT NOT NULL DEFAULT ''")
    # One history across machines (`spasmtimer.history.sync`): the machine that ran a session
    # (NULL: this one); the order in which rows last changed, for what is to be sent out; this
    # history's own facts, as its machine id; and how far each file from elsewhere was read.
    db.execute("ALTER TABLE sessions ADD COLUMN origin TEXT")
    db.execute("ALTER TABLE sessions ADD COLUMN changed INTEGER NOT NULL DEFAULT 0")
    db.execute("UPDATE sessions SET changed = id")
    db.execute("CREATE INDEX sessions_by_change ON sessions (changed)")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE sync_files (path TEXT PRIMARY KEY, inode INTEGER NOT NULL, "
        "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, offset INTEGER NOT NULL, "
        "tail BLOB NOT NULL, said INTEGER NOT NULL DEFAULT 0)"
    )


INDEXES = {
    # What `status`, levels, streaks, this week, the charts and the table ask, each answered
    # from the rows it needs rather than from every row (`spasmtimer.history.lookups`).
    "sessions_by_start": "sessions (started_at)",
    "sessions_heard": "sessions (coalesce(ended_at, updated_at, started_at))",
    "sessions_completed_by_program": (
        "sessions (program, coalesce(ended_at, started_at)) WHERE status = 'completed'"
    ),
    "sessions_rated_by_start": (
        "sessions (started_at) WHERE pain_before IS NOT NULL OR pain_after IS NOT NULL"
    ),
    "sessions_running": "sessions (status) WHERE status = 'running'",
}
"""Schema 4's indexes, by name."""


def _index_what_is_asked(db: sqlite3.Connection) -> None:
    """Schema 4: the indexes (`INDEXES`), and the days with a counted session
    (`spasmtimer.history.days`), filled in the first time the history is opened to write.

    An index on a column another program dropped is left out: what it would answer is then
    answered the slow way."""
    for name, definition in INDEXES.items():
        try:
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
    db.execute("CREATE TABLE IF NOT EXISTS counted_days (day INTEGER PRIMARY KEY)")
    db.execute("CREATE TABLE IF NOT EXISTS counted_days_zone (zone TEXT NOT NULL)")


MIGRATIONS: dict[int, str | object] = {
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
    3: _give_every_session_an_id,
    4: _index_what_is_asked,
}
"""Each schema version's changes (SQL, or a function of the connection), applied in order,
each inside one transaction."""


class HistoryError(UserError):
    """The history cannot be used at all (its folder cannot be written, say)."""


class CorruptHistory(sqlite3.DatabaseError):
    """SQLite's own integrity check found the database damaged."""


CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
READ_ONLY = "it cannot be written (read-only)"
CANNOT_OPEN = "it cannot be opened"
PASSING_CODES = {
    sqlite3.SQLITE_BUSY: "it is locked by another program",
    sqlite3.SQLITE_LOCKED: "it is locked by another program",
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_READONLY: READ_ONLY,
    sqlite3.SQLITE_IOERR: "the disk could not write it",
    sqlite3.SQLITE_CANTOPEN: CANNOT_OPEN,
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


_ROW_CONSTRAINT = ("CHECK constraint failed in ", "NULL value in ")
"""What quick_check says of a row another program wrote against a column's rule: not damage
to the database (the row is skipped when read), so never a reason to move it aside."""

READ_TIMEOUT = 1.0
"""Seconds a reading connection waits for a lock (readers of a WAL database rarely need one)."""
PEEK_TIMEOUT = 0.05
"""What `History.peek` waits for one: a status line is drawn again in a few seconds anyway."""


OPEN_PATIENCE = 3.0
"""Seconds opening the history keeps trying while another process holds it (see `connect`)."""


def connect(path: Path, timeout: float = READ_TIMEOUT) -> sqlite3.Connection:
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
    stamp = _stamp(path)  # before the check: a change made during it is checked next time
    connection = sqlite3.connect(path, timeout=timeout)
    try:
        if not _checked_as_it_is(stamp):
            damage = [
                line
                for (line,) in connection.execute("PRAGMA quick_check").fetchall()
                if line != "ok" and not line.startswith(_ROW_CONSTRAINT)
            ]
            if damage:
                raise CorruptHistory(f"integrity check failed: {damage[0]}")
            _note_checked(stamp)
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


CHECKED_FILE = "history-checked"
"""Kept in the cache folder: the history's files as they were when SQLite's check last found it
whole. The check reads every page (some 90 ms at ten years of sessions): it is made again only
once the history has changed since — by a session, another machine's, another program — and
not by every command that opens it."""


def _stamp(path: Path) -> str:
    """The history's files as they are now: each one's inode, size and time of change."""
    parts = [os.path.abspath(path)]
    for suffix in ("", "-wal"):
        try:
            info = os.stat(f"{path}{suffix}")
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}")
    return " ".join(parts)


def _checked_as_it_is(stamp: str) -> bool:
    from spasmtimer.base.locations import cache_dir

    try:
        return (cache_dir() / CHECKED_FILE).read_text(encoding="utf-8") == stamp
    except (OSError, UnicodeDecodeError):
        return False


def _note_checked(stamp: str) -> None:
    """Keep ``stamp`` as the history last found whole; not at all if the cache folder cannot
    be written (the next open checks again)."""
    from spasmtimer.base.files import replace_atomically
    from spasmtimer.base.locations import cache_dir

    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(folder / CHECKED_FILE, stamp.encode("utf-8"), cache=True)
    except OSError:
        return


def connect_to_read(
    path: str | os.PathLike[str], timeout: float = READ_TIMEOUT
) -> sqlite3.Connection:
    """A connection that only reads the history at ``path``, wherever it is: on a read-only
    mount, or in a folder this user cannot write, SQLite cannot make the WAL's side files, and
    a plain read-only open fails; the file is then read as it is (``immutable``), which is
    right there, since no one can be writing it. Raises `sqlite3.Error` when it cannot be
    read at all."""
    uri = file_uri(path)
    try:
        connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=timeout)
        connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        return connection
    except sqlite3.OperationalError as e:
        if _primary_code(e) not in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, None):
            raise
    connection = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, timeout=timeout)
    try:
        connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except BaseException:
        connection.close()
        raise
    return connection


def file_uri(path: str | os.PathLike[str]) -> str:
    """``path`` as the ``file:`` URI SQLite opens: absolute, every byte that could end its path
    (``?``, ``#``), start an escape (``%``) or is not ASCII escaped, as `Path.as_uri` would —
    without pathlib, which `spasmtimer status` does not import."""
    absolute = os.fsencode(os.path.abspath(path))
    escaped = "".join(
        chr(byte) if 0x20 < byte < 0x7F and byte not in b"%?#" else f"%{byte:02X}"
        for byte in absolute
    )
    return f"file://{escaped}"


def is_of_another_shape(error: sqlite3.Error) -> bool:
    """Does ``error`` say the history's tables are not as this version made them (a column or
    a table another program dropped)?"""
    text = str(error)
    return isinstance(error, sqlite3.OperationalError) and text.startswith(
        ("no such column", "no such table", "table sessions has no column", "table events has no")
    )


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
            change = MIGRATIONS[target]
            if isinstance(change, str):
                for statement in change.split(";"):
                    if statement.strip():
                        connection.execute(statement)
            else:
                change(connection)  # type: ignore[operator]
            connection.execute(f"PRAGMA user_version = {target}")


def move_aside(path: Path, now: datetime) -> Path:
    from pathlib import Path

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
