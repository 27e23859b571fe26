"""Sessions the history could not take, kept beside it until it can.

A session's writes wait out a locked or full history while it runs
(`spasmtimer.history.recording`), but at exit they can wait only so long, and a process may be
killed meanwhile. So while they wait, the session as it stands — its record and this run's
events — is kept in ``history.sqlite3.unsaved-PID-XXXXXXXX.json`` beside the database, written
again as it changes, whole or not at all; it is removed once the writes are made. Still
unwritten at exit, it is kept for good ("final").

The next `History.open` that can write (a session, the history, the library; not `status`,
which only reads) adds each such file to the history with `merge` and removes it, oldest first:
a final one at once, one kept as it went once its process is gone (as `History.recover`
decides). Adding a file twice changes nothing (a process killed between the two steps leaves
the file for next time): `merge` finds the session by its `id`, leaves a row written since as
it is, and adds no event twice. A file that cannot be read as one (damaged, a FIFO, huge,
someone else's JSON, a time or a number the history cannot hold) is renamed ``….unreadable``
and said once; it never stops the history from opening.

No Textual here.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from spasmtimer.base.files import FileRefused, read_regular, remove_stale_temps, replace_atomically
from spasmtimer.history.liveness import Runner, process_gone
from spasmtimer.history.merge import merge
from spasmtimer.history.records import (
    EventRecord,
    SessionRecord,
    Whole,
    new_session_id,
    parse_iso,
)

MAX_UNSAVED_BYTES = 16 * 1024 * 1024
"""The events of a six-hour session take some 100 KB: a larger file is not one of ours."""


class KeptSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag="kept-2"):
    """A session as it stands (as it ended, when ``final``), kept beside the history."""

    session: SessionRecord
    events: tuple[EventRecord, ...]
    """This run's events (a resumed session's earlier ones are in the history already)."""
    runner: Runner
    """The process that ran it."""
    final: bool = True
    """Kept as its process exited. Otherwise kept while its writes waited: the process may
    still be running, and write the session itself once it can."""


def keep(database: Path, session: KeptSession, kept_as: Path | None = None) -> Path:
    """Write ``session`` beside ``database`` (over ``kept_as``, its file so far), whole or not
    at all; raises `OSError`."""
    if kept_as is None:
        # Each is named afresh, so `replace_atomically` never meets one it left half-written.
        remove_stale_temps(database.parent, f"{glob.escape(database.name)}.unsaved-*.json")
        name = f"{database.name}.unsaved-{os.getpid()}-{os.urandom(4).hex()}.json"
        kept_as = database.with_name(name)
    replace_atomically(kept_as, msgspec.json.encode(session))
    return kept_as


def kept_files(database: Path) -> list[Path]:
    return sorted(database.parent.glob(f"{glob.escape(database.name)}.unsaved-*.json"))


def add_kept(db: sqlite3.Connection, database: Path, now: datetime) -> list[str]:
    """Add every session kept beside ``database`` to it, removing each file once added.

    Returns what to tell the person: files that could not be read. A file that cannot be
    added now (the history locked again, a full disk) is left for next time, unsaid: its
    session was said to be kept when it was.
    """
    problems, found = [], []
    for file in kept_files(database):
        try:
            data = read_regular(file, MAX_UNSAVED_BYTES, "session file")
            kept = _decode(db, data)
            heard = kept.session.updated_at or kept.session.started_at
            # Kept while its writes waited: its process may still write it, once it can.
            if kept.final or process_gone(kept.runner, heard, now):
                found.append((kept, file))
        except FileRefused as e:
            if not e.missing:  # missing: another spasmtimer has just added it
                problems.extend(_set_aside(file, str(e)))
        except (msgspec.DecodeError, ValueError) as e:  # not a session this program wrote
            problems.extend(_set_aside(file, str(e)))
    # Oldest first: a session resumed twice ends as its last run left it.
    for kept, file in sorted(found, key=lambda pair: pair[0].session.updated_at or now):
        try:
            # Each added for good before its file goes, as the WAL's NORMAL would not.
            db.execute("PRAGMA synchronous = FULL")
            with db:
                db.execute("BEGIN IMMEDIATE")
                merge(db, kept.session, kept.events, runner=kept.runner)
        except (ValueError, OverflowError, sqlite3.IntegrityError) as e:
            # A number or a text the history cannot hold: not a session we wrote.
            problems.extend(_set_aside(file, str(e)))
            continue
        except sqlite3.Error:
            break  # locked, full, read-only: every file waits for the next open
        finally:
            db.execute("PRAGMA synchronous = NORMAL")
        # Not removed (a read-only folder), it is added again next time, which changes nothing.
        with contextlib.suppress(OSError):
            file.unlink()
    return problems


def _set_aside(file: Path, reason: str) -> list[str]:
    aside = file.with_name(file.name + ".unreadable")
    try:
        file.rename(aside)
    except FileNotFoundError:
        return []  # another spasmtimer has just set it aside
    except OSError as e:
        return [f"A kept session, {file.name}, cannot be read ({reason}) nor set aside ({e})."]
    return [f"A kept session, {file.name}, cannot be read ({reason}); it is left as {aside.name}."]


def _decode(db: sqlite3.Connection, data: bytes) -> KeptSession:
    """A kept file, as this version writes it or as the one before did (`_KeptBefore`, kept by
    a spasmtimer upgraded before its session could be added); raises `msgspec.DecodeError` or
    `ValueError`."""
    try:
        return msgspec.json.decode(data, type=KeptSession)
    except msgspec.DecodeError as e:
        try:
            before = msgspec.json.decode(data, type=_KeptBefore)
        except msgspec.DecodeError:
            raise e from None
    return before.now_kept(db)


# --- as spasmtimer kept a session before its sessions had an `id` (schema 2) ----------------

_Pain = Annotated[int, msgspec.Meta(ge=0, le=10)]
_Seconds = Annotated[float, msgspec.Meta(ge=0)]


class _KeptBefore(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A kept session as the version before this one wrote it: its times as text, the row it
    resumed by its number, its ratings only "rated" once given."""

    program: str
    title: str
    path: str
    content_hash: str
    level: Whole
    planned_seconds: _Seconds
    started_at: str
    host: str
    pid: Whole
    status: Literal["completed", "stopped"]
    ended_at: str
    updated_at: str
    done_seconds: _Seconds
    position: _Seconds
    pain_before: _Pain | None
    pain_after: _Pain | None
    notes: str | None
    rated: bool
    resumes: Whole | None
    events: tuple[tuple[str, str, _Seconds, Whole, float | None], ...]
    final: bool = True

    def now_kept(self, db: sqlite3.Connection) -> KeptSession:
        """The same session as this version keeps it: its row found as the version before
        found it (the row it resumed; else by its program, start, host and process), so that
        it joins that row, with the ratings there unless this file has the final ones."""
        if self.resumes is not None:
            query = "WHERE id = ? AND program = ? AND started_at = ?"
            parameters: tuple[object, ...] = (self.resumes, self.program, self.started_at)
        else:
            query = "WHERE program = ? AND started_at = ? AND host = ? AND pid = ?"
            parameters = (self.program, self.started_at, self.host, self.pid)
        row = db.execute(
            f"SELECT uid, pain_before, pain_after, notes FROM sessions {query}", parameters
        ).fetchone()
        uid, *rating = row if row else (None, self.pain_before, None, None)
        if self.rated:
            rating = [self.pain_before, self.pain_after, self.notes]
        started_at = parse_iso(self.started_at)
        session = msgspec.convert(
            {
                "id": uid or new_session_id(started_at),
                "program": self.program,
                "title": self.title,
                "path": self.path,
                "content_hash": self.content_hash,
                "level": self.level,
                "started_at": self.started_at,
                "ended_at": self.ended_at,
                "status": self.status,
                "planned_seconds": self.planned_seconds,
                "done_seconds": self.done_seconds,
                "pain_before": rating[0],
                "pain_after": rating[1],
                "notes": rating[2],
                "position": self.position,
                "updated_at": self.updated_at,
            },
            SessionRecord,
        )
        events = tuple(
            EventRecord(kind, parse_iso(at), elapsed, phase, seconds)
            for kind, at, elapsed, phase, seconds in self.events
        )
        return KeptSession(session, events, Runner(self.host, self.pid), self.final)
