"""Sessions the history could not take, kept beside it until it can.

A session's writes wait out a locked or full history while it runs (`spasmtimer.history.recording`),
but at exit they can wait only so long, and a process may be killed meanwhile. So while they
wait, the session's whole record as it stands — its row, this run's events and its ratings — is
kept in ``history.sqlite3.unsaved-PID-XXXXXXXX.json`` beside the database, written again as
it changes, whole or not at all; it is removed once the writes are made. Still unwritten at
exit, it is kept for good ("final").

The next `History.open` that can write (a session, the history, the library; not `status`,
which only reads) adds each such file to the history and removes it, oldest first: a final
one at once, one kept as it went once its process is gone (as `History.recover` decides).

Adding a file twice changes nothing (a process killed between the two steps leaves the file
for next time): the session's row is found again by its id when it was resumed, else by its
program, start, host and process; a row written since is left as it is; and an event already
there is not added again. A file that cannot be read as one (damaged, a FIFO, huge, someone
else's JSON, a time or a number the history cannot hold) is renamed ``….unreadable`` and said
once; it never stops the history from opening.

No Textual here.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from spasmtimer.base.files import FileRefused, read_regular, remove_stale_temps, replace_atomically

MAX_UNSAVED_BYTES = 16 * 1024 * 1024
"""The events of a six-hour session take some 100 KB: a larger file is not one of ours."""

Pain = Annotated[int, msgspec.Meta(ge=0, le=10)]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
"""A whole number SQLite can hold."""
Seconds = Annotated[float, msgspec.Meta(ge=0)]
KeptEvent = tuple[str, str, Seconds, Count, float | None]
"""An event as the events table holds it: kind, wall time (ISO), elapsed, phase, seconds."""


class UnsavedSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A session's record as it stands (as it ended, when ``final``), in the history's own
    terms (times as ISO text)."""

    program: str
    title: str
    path: str
    content_hash: str
    level: Count
    planned_seconds: Seconds
    started_at: str
    host: str
    pid: Count
    status: Literal["completed", "stopped"]
    ended_at: str
    updated_at: str
    done_seconds: Seconds
    position: Seconds
    pain_before: Pain | None
    pain_after: Pain | None
    notes: str | None
    rated: bool
    """Whether ``pain_before``, ``pain_after`` and ``notes`` are the person's final answers."""
    resumes: Count | None
    """The id of the stopped session this run took up again; None: a session of its own."""
    events: tuple[KeptEvent, ...]
    """This run's events (a resumed session's earlier ones are in the history already)."""
    final: bool = True
    """Kept as its process exited. Otherwise kept while its writes waited: the process may
    still be running, and write the session itself once it can."""


def keep(database: Path, session: UnsavedSession, kept_as: Path | None = None) -> Path:
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
    from spasmtimer.history.store import parse_iso, process_gone

    problems, found = [], []
    for file in kept_files(database):
        try:
            data = read_regular(file, MAX_UNSAVED_BYTES, "session file")
            session = msgspec.json.decode(data, type=UnsavedSession)
            heard = parse_iso(session.updated_at)
            # Kept while its writes waited: its process may still write it, once it can.
            if session.final or process_gone(session.host, session.pid, heard, now):
                found.append((session, file))
        except FileRefused as e:
            if not e.missing:  # missing: another spasmtimer has just added it
                problems.extend(_set_aside(file, str(e)))
        except (msgspec.DecodeError, ValueError) as e:  # not a session this program wrote
            problems.extend(_set_aside(file, str(e)))
    # Oldest first: a session resumed twice ends as its last run left it.
    for session, file in sorted(found, key=lambda kept: kept[0].updated_at):
        try:
            # Each added for good before its file goes, as the WAL's NORMAL would not.
            db.execute("PRAGMA synchronous = FULL")
            with db:
                db.execute("BEGIN IMMEDIATE")
                _add(db, session)
        except (ValueError, OverflowError, sqlite3.IntegrityError) as e:
            # A time, a number or a pain the history cannot hold: not a session we wrote.
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


def _add(db: sqlite3.Connection, kept: UnsavedSession) -> None:
    from spasmtimer.history.store import iso, parse_iso

    # Times exactly as the history writes them: its queries sort them as text.
    for moment in (kept.started_at, kept.ended_at, kept.updated_at, *(e[1] for e in kept.events)):
        if iso(parse_iso(moment)) != moment:  # parse_iso raises ValueError on its own
            raise ValueError(f"{moment!r} is not a time as the history keeps it")
    if kept.resumes is not None:
        found = db.execute(
            "SELECT id, updated_at FROM sessions WHERE id = ? AND program = ? AND started_at = ?",
            (kept.resumes, kept.program, kept.started_at),
        ).fetchone()
    else:
        found = db.execute(
            "SELECT id, updated_at FROM sessions "
            "WHERE program = ? AND started_at = ? AND host = ? AND pid = ?",
            (kept.program, kept.started_at, kept.host, kept.pid),
        ).fetchone()
    ending = (kept.status, kept.ended_at, kept.updated_at, kept.done_seconds, kept.position)
    if found is None:
        session_id = db.execute(
            "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
            "status, ended_at, updated_at, done_seconds, position, planned_seconds, "
            "pain_before, pain_after, notes, host, pid) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                kept.program,
                kept.title,
                kept.path,
                kept.content_hash,
                kept.level,
                kept.started_at,
                *ending,
                kept.planned_seconds,
                kept.pain_before,
                kept.pain_after,
                kept.notes,
                kept.host,
                kept.pid,
            ),
        ).lastrowid
    else:
        session_id, updated_at = found
        # A row written since (a resumed session run again) is newer than this record of it.
        if not isinstance(updated_at, str) or kept.updated_at >= updated_at:
            db.execute(
                "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ?, "
                "done_seconds = ?, position = ? WHERE id = ?",
                (*ending, session_id),
            )
            if kept.rated:
                db.execute(
                    "UPDATE sessions SET pain_before = ?, pain_after = ?, notes = ? WHERE id = ?",
                    (kept.pain_before, kept.pain_after, kept.notes, session_id),
                )
    # Only the events not written already: as many of each (kind, time, phase) as it had.
    already = Counter(
        db.execute(
            "SELECT kind, at, phase FROM events WHERE session_id = ?", (session_id,)
        ).fetchall()
    )
    missing = []
    for kind, at, elapsed, phase, seconds in kept.events:
        if already[kind, at, phase] > 0:
            already[kind, at, phase] -= 1
        else:
            missing.append((session_id, kind, at, elapsed, phase, seconds))
    db.executemany(
        "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        missing,
    )
