"""What the app asks of the history: a `HistoryService`, kept in SQLite (`StoredHistory`) or
not at all (`NoHistory`), as `engine.Recorder` and `engine.NullRecorder` are for one session.

No Textual here: the app is handed one of these, and tests hand it their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from spasmtimer.display import next_level_text
from spasmtimer.engine import NullRecorder, Recorder, Session, Status
from spasmtimer.history import History, SessionRecord, Totals, totals
from spasmtimer.library import Item
from spasmtimer.recording import HistoryWriter, SessionRecorder, Warn
from spasmtimer.timeline import Timeline


@dataclass(frozen=True, slots=True)
class ProgramLevels:
    done: list[int]
    """The level of each completed session, oldest first."""
    current: int


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the history screen shows."""

    records: Sequence[SessionRecord]
    totals: Totals
    levels: dict[str, ProgramLevels]


class HistoryService(Protocol):
    def level_of(self, name: str) -> int:
        """A program's current level."""

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        """A recorder for one session of ``item`` running ``timeline``."""

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        """What the summary says about the next session's level, given the ratings."""

    def view(self) -> HistoryView | None:
        """What the history screen shows; None when no history is kept."""

    def on_warning(self, warn: Warn) -> None:
        """Say what goes wrong from now on (a row that cannot be read, a write that waits)
        through ``warn``, which may be called from another thread."""


class NoHistory:
    """Nothing is kept: every level is 0, and there is nothing to show."""

    def level_of(self, name: str) -> int:
        return 0

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        return NullRecorder()

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        return ""

    def view(self) -> HistoryView | None:
        return None

    def on_warning(self, warn: Warn) -> None:
        pass


class StoredHistory:
    """The history database. Its sessions are written by a `HistoryWriter`, made with the first
    one; `close` waits (a little) for what is still being written."""

    def __init__(self, history: History, warn: Warn) -> None:
        self.history = history
        self.warn = warn
        """Says what goes wrong with writing (from the writer's thread)."""
        self._writer: HistoryWriter | None = None

    def level_of(self, name: str) -> int:
        return self.history.current_level(name)

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        if self._writer is None:
            self._writer = HistoryWriter(self.history.path, lambda message: self.warn(message))
        return SessionRecorder(
            self.history,
            self._writer,
            program=item.entry.name,
            title=item.title,
            path=str(item.entry.path),
            timeline=timeline,
        )

    def on_warning(self, warn: Warn) -> None:
        self.warn = warn
        self.history.warn = warn

    def close(self, timeout: float) -> None:
        if self._writer is not None:
            self._writer.close(timeout)

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        return next_level_text(
            session.timeline.level,
            finished=session.status() is Status.FINISHED,
            current=self.level_of(item.entry.name),
            pain_before=pain_before,
            pain_after=pain_after,
        )

    def view(self) -> HistoryView:
        records = self.history.sessions()
        levels = {
            name: ProgramLevels(
                [level for _, level in self.history.levels_over_time(name)],
                self.history.current_level(name),
            )
            for name in sorted({r.program for r in records})
        }
        return HistoryView(records, totals(records, self.history.now()), levels)
