"""What the app asks of the history: a `HistoryService`, kept in SQLite (`StoredHistory`) or
not at all (`NoHistory`), as `engine.Recorder` and `engine.NullRecorder` are for one session.

No Textual here: the app is handed one of these, and tests hand it their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import msgspec

from spasmtimer.history.recording import HistoryWriter, SessionRecorder, Warn
from spasmtimer.history.records import SessionRecord, Totals, content_hash, resumable
from spasmtimer.history.rows import Mark
from spasmtimer.history.store import History
from spasmtimer.program.resolved import Program
from spasmtimer.program.timeline import LimitError, Timeline, cap_level, expand
from spasmtimer.session.display import counting_text, finished, next_level_text
from spasmtimer.session.engine import NullRecorder, Recorder, Resumption, Session
from spasmtimer.session.levels import Level
from spasmtimer.session.library import Item, LevelOf

if TYPE_CHECKING:
    from spasmtimer.history.trends import Trends


class ProgramLevels(msgspec.Struct, frozen=True):
    """One program's level, as the history screen shows it."""

    current: Level
    """The level the program runs at next (each counted session's is in `Trends.levels`)."""


TABLE_PAGE = 100
"""Sessions the history screen's table reads at a time: at first, and then as it is scrolled."""


class HistoryView(msgspec.Struct, frozen=True):
    """What the history screen shows: the totals, the trends and the table's first page, read
    from the history's indexes and a bounded number of its rows, whatever its years."""

    newest: Sequence[SessionRecord]
    """The table's first page: the newest sessions, newest first."""
    more: Mark | None
    """Where the table reads on from (`HistoryService.older`); None when that is all."""
    sessions: int
    """How many sessions there are in all."""
    totals: Totals
    levels: dict[str, ProgramLevels]
    trends: Trends


def find_resumable(history: History, name: str, program: Program) -> SessionRecord | None:
    """The session of ``name`` to offer to take up again, if there is one (see
    `history.resumable`): the program must still expand, at that session's level, to exactly
    what it ran."""
    latest = history.latest(name)
    if latest is None or latest.status != "stopped" or latest.origin is not None:
        return None  # only a session stopped here: another machine's is taken up there
    try:
        # The steps held now were held when it ran: only a counted session changes them.
        held = history.current_level(name, cap_level(program)).held
        fingerprint: str | None = content_hash(expand(program, latest.level, held))
    except LimitError:
        fingerprint = None
    return latest if resumable(latest, history.now(), fingerprint) else None


def resumption(record: SessionRecord) -> Resumption:
    return Resumption(record.position, record.done_seconds, record.pain_before)


class HistoryService(Protocol):
    def level_of(self, name: str, cap: int | None) -> Level:
        """A program's current level, held to its cap level (None: not known)."""

    def levels(self) -> LevelOf:
        """Every program's current level, as `level_of`, from one look at the history, which
        may be called from any thread (the library loads on one of its own)."""

    def recorder_for(
        self, item: Item, timeline: Timeline, resuming: SessionRecord | None = None
    ) -> Recorder:
        """A recorder for one session of ``item`` running ``timeline`` (the same row as
        ``resuming``, when it takes that one up again)."""

    def resumable(self, item: Item) -> SessionRecord | None:
        """The stopped session of ``item`` to offer to take up again, if any."""

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        """What the summary says about the next session's level, given the ratings."""

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView | None:
        """What the history screen shows (``cap_of`` gives a program's cap level, by name);
        None when no history is kept."""

    def sessions_since(self, moment: datetime) -> list[SessionRecord]:
        """The sessions begun at or after ``moment``, oldest first."""

    def share(self) -> None:
        """Write this machine's sessions out to the sync folder, if one is set, after the
        session's own writes (docs/history.md, "Across machines")."""

    def older(self, mark: Mark) -> tuple[list[SessionRecord], Mark | None]:
        """The table's next page: the sessions before the one ``mark`` marks, newest first, and
        where to read on from (None: that is all)."""

    def on_warning(self, warn: Warn) -> None:
        """Say what goes wrong from now on (a row that cannot be read, a write that waits)
        through ``warn``, which may be called from another thread."""


class NoHistory:
    """Nothing is kept: every level is 0, and there is nothing to show."""

    def level_of(self, name: str, cap: int | None) -> Level:
        return Level(0)

    def levels(self) -> LevelOf:
        return self.level_of

    def recorder_for(
        self, item: Item, timeline: Timeline, resuming: SessionRecord | None = None
    ) -> Recorder:
        return NullRecorder()

    def resumable(self, item: Item) -> SessionRecord | None:
        return None

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        ended = finished(session)
        return counting_text(ended.finished, ended.done, ended.planned)

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView | None:
        return None

    def sessions_since(self, moment: datetime) -> list[SessionRecord]:
        return []

    def share(self) -> None:
        pass

    def older(self, mark: Mark) -> tuple[list[SessionRecord], Mark | None]:
        return [], None

    def on_warning(self, warn: Warn) -> None:
        pass


class StoredHistory:
    """The history database. Its sessions are written by a `HistoryWriter`, made with the first
    one; `close` waits (a little) for what is still being written."""

    def __init__(self, history: History, warn: Warn, sync_folder: Path | None = None) -> None:
        self.history = history
        self.warn = warn
        """Says what goes wrong with writing (from the writer's thread)."""
        self.sync_folder = sync_folder
        self._writer: HistoryWriter | None = None

    def level_of(self, name: str, cap: int | None) -> Level:
        return self.history.current_level(name, cap)

    def levels(self) -> LevelOf:
        # On a connection of this thread's own: the library asks from a thread of its own.
        try:
            reader = History.reader(self.history.path, self.history.now)
        except sqlite3.Error as e:
            self.warn(f"History: the levels cannot be read now ({e}): all shown as 0.")
            return NoHistory().level_of
        try:
            return reader.levels()
        except sqlite3.Error as e:
            self.warn(f"History: the levels cannot be read now ({e}): all shown as 0.")
            return NoHistory().level_of
        finally:
            reader.close()

    def recorder_for(
        self, item: Item, timeline: Timeline, resuming: SessionRecord | None = None
    ) -> Recorder:
        if self._writer is None:
            self._writer = HistoryWriter(self.history.path, lambda message: self.warn(message))
        return SessionRecorder(
            self.history,
            self._writer,
            program=item.entry.name,
            title=item.title,
            path=item.entry.path_text,
            timeline=timeline,
            resuming=resuming,
        )

    def resumable(self, item: Item) -> SessionRecord | None:
        if item.program is None:
            return None
        return find_resumable(self.history, item.entry.name, item.program)

    def sessions_since(self, moment: datetime) -> list[SessionRecord]:
        return self.history.sessions(since=moment)

    def share(self) -> None:
        folder = self.sync_folder
        if folder is None or self._writer is None:
            return
        from spasmtimer.history.sync import machine_id, send_out

        def write(db: sqlite3.Connection) -> None:
            try:
                send_out(db, folder, machine_id(db))
            except OSError as e:  # said, and sent the next time
                self.warn(f"Sync: cannot write to {folder} ({e.strerror or e}).")

        self._writer.submit(write)

    def on_warning(self, warn: Warn) -> None:
        self.warn = warn
        self.history.warn = warn

    def close(self, timeout: float) -> None:
        """Wait (at most ``timeout``) for what is still being written; a later session gets a
        writer of its own."""
        if self._writer is not None:
            self._writer.close(timeout)
            self._writer = None

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        assert item.program is not None
        cap = cap_level(item.program)
        return next_level_text(
            finished(session),
            cap=cap,
            current=self.level_of(item.entry.name, cap),
            pain_before=pain_before,
            pain_after=pain_after,
        )

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView:
        # The trends are the history screen's alone: not imported before a session's first frame.
        from spasmtimer.history.trends import read_trends

        history = self.history
        now = history.now()
        programs = history.programs()
        levels = {
            name: ProgramLevels(history.current_level(name, cap_of(name), now)) for name in programs
        }
        newest, more = history.newest(TABLE_PAGE)
        return HistoryView(
            newest,
            more,
            history.count(),
            history.totals(now),
            levels,
            read_trends(history, now, programs),
        )

    def older(self, mark: Mark) -> tuple[list[SessionRecord], Mark | None]:
        return self.history.newest(TABLE_PAGE, after=mark)
