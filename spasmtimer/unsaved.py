"""Sessions the history could not take, kept beside it until it can.

A session's writes wait out a locked or full history while it runs (`spasmtimer.recording`),
but at exit they can wait only so long. What is still unwritten then is not dropped: the
session's whole record as it ended — its row, this run's events and its ratings — is written
to ``history.sqlite3.unsaved-PID-XXXXXXXX.json`` beside the database, whole or not at all.
The next `History.open` that can write adds each such file to the history and removes it.

Adding a file twice changes nothing (a process killed between the two steps leaves the file
for next time): the session's row is found again by its id when it was resumed, else by its
program, start, host and process, and an event already there is not added again. A file that
cannot be read as one (damaged, a FIFO, huge, someone else's JSON) is renamed
``….unreadable`` and said once; it never stops the history from opening.

No Textual here.
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from spasmtimer.files import FileRefused, read_regular, replace_atomically

MAX_UNSAVED_BYTES = 16 * 1024 * 1024
"""The events of a six-hour session take some 100 KB: a larger file is not one of ours."""

Pain = Annotated[int, msgspec.Meta(ge=0, le=10)]
KeptEvent = tuple[str, str, float, int, float | None]
"""An event as the events table holds it: kind, wall time (ISO), elapsed, phase, seconds."""


class UnsavedSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A session's record as it ended, in the history's own terms (times as ISO text)."""

    program: str
    title: str
    path: str
    content_hash: str
    level: Annotated[int, msgspec.Meta(ge=0)]
    planned_seconds: float
    started_at: str
    host: str
    pid: int
    status: Literal["completed", "stopped"]
    ended_at: str
    updated_at: str
    done_seconds: float
    position: float
    pain_before: Pain | None
    pain_after: Pain | None
    notes: str | None
    rated: bool
    """Whether ``pain_before``, ``pain_after`` and ``notes`` are the person's final answers."""
    resumes: int | None
    """The id of the stopped session this run took up again; None: a session of its own."""
    events: tuple[KeptEvent, ...]
    """This run's events (a resumed session's earlier ones are in the history already)."""


def keep(database: Path, session: UnsavedSession) -> Path:
    """Write ``session`` beside ``database``, whole or not at all; raises `OSError`."""
    name = f"{database.name}.unsaved-{os.getpid()}-{os.urandom(4).hex()}.json"
    target = database.with_name(name)
    replace_atomically(target, msgspec.json.encode(session))
    return target


def kept_files(database: Path) -> list[Path]:
    return sorted(database.parent.glob(f"{glob.escape(database.name)}.unsaved-*.json"))


def add_kept(db: sqlite3.Connection, database: Path) -> list[str]:
    """Add every session kept beside ``database`` to it, removing each file once added.

    Returns what to tell the person: files that could not be read. A file that cannot be
    added now (the history locked again, a full disk) is left for next time, unsaid: its
    session was said to be kept when it was.
    """
    problems = []
    for file in kept_files(database):
        try:
            data = read_regular(file, MAX_UNSAVED_BYTES, "session file")
            session = msgspec.json.decode(data, type=UnsavedSession)
            with db:
                db.execute("BEGIN IMMEDIATE")
                _add(db, session)
        except (FileRefused, msgspec.DecodeError, ValueError, sqlite3.IntegrityError) as e:
            # Not a session this program wrote: damaged, or someone else's JSON.
            problems.append(_set_aside(file, str(e)))
            continue
        except sqlite3.Error:
            break  # locked, full, read-only: every file waits for the next open
        with contextlib.suppress(FileNotFoundError):  # another process added it as well
            file.unlink()
    return problems


def _set_aside(file: Path, reason: str) -> str:
    aside = file.with_name(file.name + ".unreadable")
    try:
        file.rename(aside)
    except OSError as e:
        return f"A kept session, {file.name}, cannot be read ({reason}) nor set aside ({e})."
    return f"A kept session, {file.name}, cannot be read ({reason}); it is left as {aside.name}."


def _add(db: sqlite3.Connection, kept: UnsavedSession) -> None:
    from spasmtimer.history import iso, parse_iso

    # Times exactly as the history writes them: its queries sort them as text.
    for moment in (kept.started_at, kept.ended_at, kept.updated_at, *(e[1] for e in kept.events)):
        if iso(parse_iso(moment)) != moment:  # parse_iso raises ValueError on its own
            raise ValueError(f"{moment!r} is not a time as the history keeps it")
    if kept.resumes is not None:
        found = db.execute(
            "SELECT id FROM sessions WHERE id = ? AND program = ? AND started_at = ?",
            (kept.resumes, kept.program, kept.started_at),
        ).fetchone()
    else:
        found = db.execute(
            "SELECT id FROM sessions WHERE program = ? AND started_at = ? AND host = ? AND pid = ?",
            (kept.program, kept.started_at, kept.host, kept.pid),
        ).fetchone()
    ending = (
        kept.status,
        kept.ended_at,
        kept.updated_at,
        kept.done_seconds,
        kept.position,
    )
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
        (session_id,) = found
        db.execute(
            "UPDATE sessions SET status = ?, ended_at = ?, updated_at = ?, done_seconds = ?, "
            "position = ? WHERE id = ?",
            (*ending, session_id),
        )
        if kept.rated:
            db.execute(
                "UPDATE sessions SET pain_before = ?, pain_after = ?, notes = ? WHERE id = ?",
                (kept.pain_before, kept.pain_after, kept.notes, session_id),
            )
    db.executemany(
        "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
        "SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM events "
        "WHERE session_id = ? AND kind = ? AND at = ? AND phase = ?)",
        [
            (session_id, kind, at, elapsed, phase, seconds, session_id, kind, at, phase)
            for kind, at, elapsed, phase, seconds in kept.events
        ],
    )
