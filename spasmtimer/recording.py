"""Recording a session as it runs, without ever holding up the timer.

A `SessionRecorder` (the engine's `Recorder`) turns what happens into writes, and a
`HistoryWriter` makes them on a thread of its own, in order, on a connection of its own. When a
write cannot be made now — another program holds the database's lock, the disk is full, the
file is read-only — the writer says so once and tries again, slower and slower, until it can:
the session goes on counting meanwhile, and what was already recorded is never touched. Only at
exit does it give up, after waiting a little: each session whose writes are not all made is
then kept whole beside the history (`spasmtimer.unsaved`), to be added to it at the next start.

No Textual here.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from spasmtimer.engine import SYNC_SECONDS, Session, Status
from spasmtimer.history import (
    EventRow,
    History,
    SessionRecord,
    content_hash,
    end_session,
    host_name,
    insert_events,
    insert_session,
    is_corrupt,
    iso,
    passing_reason,
    rate_session,
    reopen_session,
)
from spasmtimer.timeline import Timeline
from spasmtimer.unsaved import UnsavedSession, keep

WRITE_TIMEOUT = 0.25
"""How long one attempt at a write waits for another program's lock before trying later."""
RETRY_CEILING = 2.0
"""The longest wait between two attempts at a write that cannot be made now."""

Write = Callable[[sqlite3.Connection], None]
Warn = Callable[[str], None]
Keeper = Callable[[], Path]
"""Keeps a session whose writes were given up beside the history; raises `OSError`."""


class HistoryWriter:
    """Makes writes to the history on its own thread, in the order they are given."""

    def __init__(self, path: Path, warn: Warn) -> None:
        self.path = path
        self.warn = warn
        self._queue: queue.Queue[tuple[Write, Keeper | None] | None] = queue.Queue()
        self._connection: sqlite3.Connection | None = None
        self._waiting_for: str | None = None
        """Why writes are waiting, once said (so it is said once)."""
        self._give_up_at: float | None = None
        self._failed = False
        self.unsaved = 0
        """Writes given up: the program is exiting and they still could not be made."""
        self._keepers: dict[Keeper, None] = {}
        """Of the sessions with writes given up, in order."""
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    def submit(self, write: Write, keeper: Keeper | None = None) -> None:
        """Make ``write`` (a function of the connection) soon, after those given before it;
        should it be given up, ``keeper`` is called as the writer closes."""
        self._queue.put((write, keeper))

    def flush(self, timeout: float) -> bool:
        """Wait until every write given so far is made; False if ``timeout`` passes first."""
        done = threading.Event()
        self._queue.put((lambda db: done.set(), None))
        return done.wait(timeout)

    def close(self, timeout: float) -> None:
        """Make what is left, waiting at most ``timeout`` seconds, and stop the thread.

        What still cannot be made by then is given up, and said.
        """
        self._give_up_at = time.monotonic() + timeout
        self._queue.put(None)
        self._thread.join(timeout + RETRY_CEILING + 1)
        if not self.unsaved:
            return
        reason = self._waiting_for or "it could not be written"
        changes = "1 change" if self.unsaved == 1 else f"{self.unsaved} changes"
        kept, failures = [], []
        for keeper in self._keepers:
            try:
                kept.append(keeper())
            except OSError as e:
                failures.append(e)
        if failures or not kept:
            lost = f"; nor kept aside: {failures[0].strerror or failures[0]}" if failures else ""
            self.warn(f"History: {changes} not saved: {reason}{lost}.")
        if kept:
            where = str(kept[0]) if len(kept) == 1 else f"{len(kept)} files beside the history"
            self.warn(
                f"History: not saved yet ({reason}): kept in {where}, and added to the history "
                "the next time spasmtimer runs a session or shows the history."
            )

    # -- the thread --------------------------------------------------------------------------
    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            write, keeper = item
            if not self._make(write) and keeper is not None:
                self._keepers[keeper] = None
        if self._connection is not None:
            self._connection.close()

    def _make(self, write: Write) -> bool:
        """Make ``write``, waiting out a lock until the writer closes; False if given up."""
        wait = 0.05
        while not self._failed:
            if self._waiting_for is not None and self._past_deadline():
                break  # exiting, and writes still cannot be made: do not wait for each one
            try:
                db = self._connect()
                with db:  # one transaction: all of it or nothing
                    write(db)
                if self._waiting_for is not None:
                    self._waiting_for = None
                    self.warn("History: writing again.")
                return True
            except sqlite3.Error as e:
                reason = passing_reason(e)
                if reason is None:
                    self._fail(e)
                    break
                if reason != self._waiting_for:
                    self._waiting_for = reason
                    self.warn(
                        f"History: {reason}; the session goes on and is saved when it can be."
                    )
                if self._past_deadline():
                    break
                time.sleep(wait)
                wait = min(wait * 2, RETRY_CEILING)
        self.unsaved += 1
        return False

    def _past_deadline(self) -> bool:
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # Opened here, on the thread that uses it (sqlite3 connections stay on one thread).
            connection = sqlite3.connect(self.path, timeout=WRITE_TIMEOUT)
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            self._connection = connection
        return self._connection

    def _fail(self, error: sqlite3.Error) -> None:
        self._failed = True
        what = "is damaged" if is_corrupt(error) else "cannot be written"
        self.warn(
            f"History: {self.path} {what} ({error}); the rest of this run is kept aside as it "
            "ends."
        )


class SessionRecorder:
    """Keeps one running session in the history as it goes (an engine `Recorder`).

    Wall-clock times are the start's wall time plus the engine's own (monotonic) offsets, so the
    record agrees with the session to the millisecond even if the system clock jumps. Every
    write goes to the `HistoryWriter`: nothing here waits for the disk.
    """

    def __init__(
        self,
        history: History,
        writer: HistoryWriter,
        *,
        program: str,
        title: str,
        path: str,
        timeline: Timeline,
        resuming: SessionRecord | None = None,
    ) -> None:
        self.history = history
        self.writer = writer
        self.resuming = resuming
        """The stopped session this one takes up again: the same row, its time adding up."""
        self.program = program
        self.title = title
        self.path = path
        self.timeline = timeline
        self.session_id: int | None = None
        """The session's row, once the writer has made it."""
        self._written = 0
        self._wall_start: datetime | None = None
        self._ended = False
        self._last_write = -float("inf")
        # The session as it stands, to keep it whole should its writes be given up.
        self._events: list[EventRow] = []
        self._pain_before: int | None = None
        self._rating: tuple[int | None, int | None, str | None] | None = None
        self._progress = (0.0, 0.0)
        """Seconds done, and where in the timeline it got to."""
        self._updated_at: datetime | None = None
        self._ending: tuple[bool, datetime] | None = None

    def _wall(self, session: Session, monotonic: float) -> datetime:
        assert self._wall_start is not None and session.started_at is not None
        return self._wall_start + timedelta(seconds=monotonic - session.started_at)

    def _elapsed(self, seconds: float) -> float:
        """Seconds since the session first started: a resumed one goes on from its stop."""
        if self.resuming is None or self.resuming.ended_at is None:
            return seconds
        return (self.resuming.ended_at - self.resuming.started_at).total_seconds() + seconds

    def started(self, session: Session, pain_before: int | None) -> None:
        self._wall_start = self._updated_at = started_at = self.history.now()
        self._pain_before = pain_before
        resuming = self.resuming

        def begin(db: sqlite3.Connection) -> None:
            if resuming is not None:
                reopen_session(db, resuming.id, updated_at=started_at)
                self.session_id = resuming.id
                return
            self.session_id = insert_session(
                db,
                program=self.program,
                title=self.title,
                path=self.path,
                # Worked out here, on the writer's thread: hashing a long timeline (and
                # importing json and hashlib) would hold up the session's first frame.
                content_hash=content_hash(self.timeline),
                level=self.timeline.level,
                planned_seconds=self.timeline.total_seconds,
                started_at=started_at,
                pain_before=pain_before,
            )

        self.writer.submit(begin, self.keep)
        self.sync(session)

    def sync(self, session: Session) -> None:
        """Write the session's new events and how far it got: at once when something happened,
        else at most once a `SYNC_SECONDS`."""
        if self._ended or self._wall_start is None:
            return
        assert session.started_at is not None
        new = session.events[self._written :]
        now = session.clock()
        ended = session.ended_at(now)
        if not new and ended is None and now - self._last_write < SYNC_SECONDS * 0.9:
            return
        self._last_write = now
        self._written += len(new)
        state = session.state_at(now)
        rows: list[EventRow] = [
            (
                e.kind,
                self._wall(session, session.started_at + e.elapsed),
                self._elapsed(e.elapsed),
                e.phase,
                e.seconds,
            )
            for e in new
        ]
        updated_at = self._wall(session, now)
        done, position = state.done_seconds, state.elapsed
        ending = None
        if ended is not None:
            self._ended = True
            ending = (state.status is Status.FINISHED, self._wall(session, ended))
        self._events += rows
        self._progress, self._updated_at, self._ending = (done, position), updated_at, ending

        def update(db: sqlite3.Connection) -> None:
            if self.session_id is None:
                return  # its beginning could not be written
            insert_events(
                db,
                self.session_id,
                rows,
                done_seconds=done,
                updated_at=updated_at,
                position=position,
            )
            if ending is not None:
                completed, ended_at = ending
                end_session(
                    db,
                    self.session_id,
                    completed=completed,
                    ended_at=ended_at,
                    done_seconds=done,
                    position=position,
                )

        self.writer.submit(update, self.keep)

    def rated(self, pain_before: int | None, pain_after: int | None, notes: str | None) -> None:
        self._rating = (pain_before, pain_after, notes)

        def rate(db: sqlite3.Connection) -> None:
            if self.session_id is not None:
                rate_session(db, self.session_id, pain_before, pain_after, notes)

        self.writer.submit(rate, self.keep if self._wall_start is not None else None)

    def keep(self) -> Path:
        """Keep the session, as it stands, beside the history (see `spasmtimer.unsaved`)."""
        assert self._wall_start is not None and self._updated_at is not None
        completed, ended_at = self._ending or (False, self._updated_at)
        pain_before, pain_after, notes = self._rating or (self._pain_before, None, None)
        resuming = self.resuming
        done, position = self._progress
        return keep(
            self.writer.path,
            UnsavedSession(
                program=self.program,
                title=self.title,
                path=self.path,
                content_hash=content_hash(self.timeline),
                level=self.timeline.level,
                planned_seconds=self.timeline.total_seconds,
                started_at=iso(resuming.started_at if resuming else self._wall_start),
                host=host_name(),
                pid=os.getpid(),
                status="completed" if completed else "stopped",
                ended_at=iso(ended_at),
                updated_at=iso(ended_at),  # as `end_session` writes it
                done_seconds=done,
                position=position,
                pain_before=pain_before,
                pain_after=pain_after,
                notes=notes,
                rated=self._rating is not None,
                resumes=resuming.id if resuming else None,
                events=tuple(
                    (kind, iso(at), elapsed, phase, seconds)
                    for kind, at, elapsed, phase, seconds in self._events
                ),
            ),
        )
