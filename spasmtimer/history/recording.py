"""Recording a session as it runs, without ever holding up the timer.

A `SessionRecorder` (the engine's `Recorder`) turns what happens into writes, and a
`HistoryWriter` makes them on a thread of its own, in order, on a connection of its own. When a
write cannot be made now — another program holds the database's lock, the disk is full, the
file is read-only — the writer says so once and tries again, slower and slower, until it can:
the session goes on counting meanwhile, and what was already recorded is never touched; the
session is kept whole beside the history as it goes (`spasmtimer.history.kept`), in case the process
is killed before its writes are made. Only at exit does it give up, after waiting a little: each
session whose writes are not all made is then kept for good, to be added at the next open.

No Textual here.
"""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
from msgspec.structs import replace

from spasmtimer.history.database import is_corrupt, passing_reason
from spasmtimer.history.kept import KeptSession, keep
from spasmtimer.history.liveness import this_process
from spasmtimer.history.merge import merge
from spasmtimer.history.records import (
    EventRecord,
    SessionRecord,
    content_hash,
    later_than,
    new_session_id,
)
from spasmtimer.history.store import History
from spasmtimer.program.timeline import Timeline
from spasmtimer.session.engine import SYNC_SECONDS, Session, Status

KEEP_SECONDS = 0.5
"""While writes wait, how often a session is kept beside the history, if it has changed. With
`SYNC_SECONDS` and one attempt at the lock, a kill -9 or a power cut loses under 2 seconds
of it (docs/history.md, "Nothing lost, whatever happens")."""
WRITE_TIMEOUT = 0.25
"""How long one attempt at a write waits for another program's lock before trying later."""
RETRY_CEILING = 2.0
"""The longest wait between two attempts at a write that cannot be made now."""

Write = Callable[[sqlite3.Connection], None]
Warn = Callable[[str], None]
Keeper = Callable[[bool], Path]
"""Keeps a session whose writes are not made beside the history — ``final``: as its process
exits — and says where; raises `OSError`."""


class HistoryWriter:
    """Makes writes to the history on its own thread, in the order they are given."""

    def __init__(self, path: Path, warn: Warn) -> None:
        self.path = path
        self.warn = warn
        # SimpleQueue, in C: a Ctrl-C raised in the middle of `Queue.put` (Python code, its
        # condition's `notify` too) could take a waiter off without waking it, and the writer
        # slept through the rest; `run --plain` then took its whole exit wait to end.
        self._queue: queue.SimpleQueue[tuple[Write, Keeper | None] | None] = queue.SimpleQueue()
        self._connection: sqlite3.Connection | None = None
        self._waiting_for: str | None = None
        """Why writes are waiting, once said (so it is said once)."""
        self._give_up_at: float | None = None
        self._failed = False
        self.unsaved = 0
        """Writes given up: the program is exiting and they still could not be made."""
        self._keepers: dict[Keeper, None] = {}
        """Of the sessions with writes given up, in order."""
        self._kept_live: dict[Keeper, tuple[float, Path]] = {}
        """Sessions kept while their writes wait: when (monotonic) and where, until made."""
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    def submit(self, write: Write, keeper: Keeper | None = None) -> None:
        """Make ``write`` (a function of the connection) soon, after those given before it.
        ``keeper`` keeps its session beside the history while the write waits, and for good
        should it be given up as the writer closes."""
        self._queue.put((write, keeper))

    def flush(self, timeout: float) -> bool:
        """Wait until every write given so far is made; False if ``timeout`` passes first."""
        done = threading.Event()
        self._queue.put((lambda db: done.set(), None))
        return done.wait(timeout)

    def close(self, timeout: float) -> None:
        """Make what is left, waiting at most ``timeout`` seconds, and stop the thread.

        What still cannot be made by then is given up: its sessions are kept for good beside
        the history, and that is said.
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
                kept.append(keeper(True))
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
            if not self._make(write, keeper) and keeper is not None:
                self._keepers[keeper] = None
                if self._give_up_at is None:  # the history failed: kept as it goes
                    self._keep_live(keeper)
        if self._connection is not None:
            self._connection.close()

    def _keep_live(self, keeper: Keeper) -> None:
        """Keep the session beside the history now and then while its writes wait, so that a
        kill -9 or a power cut meanwhile loses no more of it than it would of one written."""
        now = time.monotonic()
        if keeper in self._kept_live and now - self._kept_live[keeper][0] < KEEP_SECONDS:
            return
        with contextlib.suppress(OSError):  # the writes are still waiting, and said to be
            self._kept_live[keeper] = (now, keeper(False))

    def _make(self, write: Write, keeper: Keeper | None) -> bool:
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
                    # What was kept meanwhile is in the queue, to be written in a moment.
                    for _, kept in self._kept_live.values():
                        with contextlib.suppress(OSError):
                            kept.unlink()
                    self._kept_live.clear()
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
                until = time.monotonic() + wait
                while (left := until - time.monotonic()) > 0:
                    if keeper is not None:
                        self._keep_live(keeper)
                    time.sleep(min(left, KEEP_SECONDS))
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
            f"History: {self.path} {what} ({error}); the rest of this run is kept aside as it ends."
        )


class SessionRecorder:
    """Keeps one running session in the history as it goes (an engine `Recorder`).

    The session as it stands is one `SessionRecord`, replaced whole at each change, with the
    events this run has added; every write hands it to `merge`, on the `HistoryWriter`'s
    thread: nothing here waits for the disk. Wall-clock times are the start's wall time plus
    the engine's own (monotonic) offsets, so the record agrees with the session to the
    millisecond even if the system clock jumps.
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
        """The stopped session this one takes up again: the same session, its time adding up."""
        self.program = program
        self.title = title
        self.path = path
        self.timeline = timeline
        self._written = 0
        self._wall_start: datetime | None = None
        self._ended = False
        self._last_write = -float("inf")
        self._standing: _Standing | None = None
        """The session as it stands: one value, swapped whole, so that the writer's thread
        (which keeps it aside while writes wait) never reads it half-changed."""
        self._kept_as: Path | None = None
        self._kept_standing: _Standing | None = None

    @property
    def session_id(self) -> str | None:
        """The session's `id`, once it has started."""
        return self._standing.record.id if self._standing else None

    @property
    def record(self) -> SessionRecord | None:
        """The session as it stands, whether or not the writer has written it yet."""
        return self._standing.record if self._standing else None

    def _wall(self, session: Session, monotonic: float) -> datetime:
        assert self._wall_start is not None and session.started_at is not None
        return self._wall_start + timedelta(seconds=monotonic - session.started_at)

    def _elapsed(self, seconds: float) -> float:
        """Seconds since the session first started: a resumed one goes on from its stop."""
        if self.resuming is None or self.resuming.ended_at is None:
            return seconds
        return (self.resuming.ended_at - self.resuming.started_at).total_seconds() + seconds

    def started(self, session: Session, pain_before: int | None) -> None:
        self._wall_start = started_at = self.history.now()
        resuming = self.resuming
        if resuming is not None:
            # The same session runs again, in this process; every rating it has is kept.
            record = replace(
                resuming,
                status="running",
                ended_at=None,
                updated_at=started_at,
                pain_before=resuming.pain_before if pain_before is None else pain_before,
            )
        else:
            record = SessionRecord(
                id=new_session_id(),
                program=self.program,
                title=self.title,
                path=self.path,
                content_hash="",  # worked out on the writer's thread: see `_write`
                level=self.timeline.level,
                started_at=started_at,
                ended_at=None,
                status="running",
                planned_seconds=self.timeline.total_seconds,
                done_seconds=0.0,
                pain_before=pain_before,
                pain_after=None,
                notes=None,
                updated_at=started_at,
            )
        self._standing = _Standing(record)
        self._submit(())
        self.sync(session)

    def sync(self, session: Session) -> None:
        """Write the session's new events and how far it got: at once when something happened,
        else at most once a `SYNC_SECONDS`."""
        if self._ended or self._standing is None:
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
        events = tuple(
            EventRecord(
                e.kind,
                self._wall(session, session.started_at + e.elapsed),
                self._elapsed(e.elapsed),
                e.phase,
                e.seconds,
            )
            for e in new
        )
        changes: dict[str, object] = {
            "done_seconds": state.done_seconds,
            "position": state.elapsed,
            "updated_at": self._wall(session, now),
        }
        if ended is not None:
            self._ended = True
            at = self._wall(session, ended)
            completed = state.status is Status.FINISHED
            changes.update(
                status="completed" if completed else "stopped", ended_at=at, updated_at=at
            )
        self._change(events, **changes)

    def rated_before(self, session: Session, pain_before: int) -> None:
        """Written at once, like an event: a kill, a crash or a dropped connection a moment
        later must not lose it, nor the summary of the session taken up again."""
        if self._standing is None or session.started_at is None:
            return  # not started: `started` is given it
        self._change((), pain_before=pain_before, updated_at=self._wall(session, session.clock()))

    def rated(
        self,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        if self._standing is None:
            return
        earlier = self.resuming
        if earlier is not None:
            # A session taken up again keeps every rating already given (docs/history.md,
            # "Resuming"): one left empty now, or a summary closed with Esc, erases none.
            pain_after = earlier.pain_after if pain_after is None else pain_after
            notes = earlier.notes if notes is None else notes
            marks = marks or earlier.marks
        self._change(
            (),
            pain_before=pain_before,
            pain_after=pain_after,
            notes=notes,
            marks=marks,
            updated_at=later_than(self._standing.record.updated_at, self.history.now()),
        )

    def _change(self, events: tuple[EventRecord, ...], **changes: object) -> None:
        assert self._standing is not None
        self._standing = _Standing(
            replace(self._standing.record, **changes), self._standing.events + events
        )
        self._submit(events)

    def _submit(self, events: tuple[EventRecord, ...]) -> None:
        standing = self._standing
        assert standing is not None

        def write(db: sqlite3.Connection) -> None:
            merge(db, self._fingerprinted(standing.record), events, runner=this_process())

        self.writer.submit(write, self.keep)

    def _fingerprinted(self, record: SessionRecord) -> SessionRecord:
        """``record`` with its `content_hash`: worked out once, on the writer's thread, since
        hashing a long timeline (and importing json and hashlib) would hold up the session's
        first frame."""
        if record.content_hash:
            return record
        if self._fingerprint is None:
            self._fingerprint = content_hash(self.timeline)
        return replace(record, content_hash=self._fingerprint)

    _fingerprint: str | None = None

    def keep(self, final: bool) -> Path:
        """Keep the session, as it stands, beside the history (see `spasmtimer.history.kept`):
        in one file, written again each time. ``final``: its process is exiting."""
        standing = self._standing
        assert standing is not None
        kept_as = self._kept_as
        if not final and kept_as and standing is self._kept_standing and kept_as.exists():
            return kept_as  # kept as it stands already
        record = self._fingerprinted(standing.record)
        if record.status == "running":
            # Should this process die before its writes are made, this is where it stopped.
            record = replace(record, status="stopped", ended_at=record.updated_at)
        self._kept_as = keep(
            self.writer.path, KeptSession(record, standing.events, this_process(), final), kept_as
        )
        self._kept_standing = standing
        return self._kept_as


class _Standing(msgspec.Struct, frozen=True):
    """A recorded session as it stands: its record, and the events this run has added."""

    record: SessionRecord
    events: tuple[EventRecord, ...] = ()
