"""What the app asks of the history: a `HistoryService`, kept in SQLite (`StoredHistory`) or
not at all (`NoHistory`), as `engine.Recorder` and `engine.NullRecorder` are for one session.

No Textual here: the app is handed one of these, and tests hand it their own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from spasmtimer.display import counting_text, finished, next_level_text
from spasmtimer.engine import NullRecorder, Recorder, Session
from spasmtimer.history import History, SessionRecord, Totals, totals
from spasmtimer.levels import Level
from spasmtimer.library import Item
from spasmtimer.recording import HistoryWriter, SessionRecorder, Warn
from spasmtimer.timeline import Timeline, cap_level
from spasmtimer.trends import Trends, trends


@dataclass(frozen=True, slots=True)
class ProgramLevels:
    current: Level
    """The level the program runs at next (each counted session's is in `Trends.levels`)."""


@dataclass(frozen=True, slots=True)
class HistoryView:
    """What the history screen shows."""

    records: Sequence[SessionRecord]
    totals: Totals
    levels: dict[str, ProgramLevels]
    trends: Trends


class HistoryService(Protocol):
    def level_of(self, name: str, cap: int | None) -> Level:
        """A program's current level, held to its cap level (None: not known)."""

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        """A recorder for one session of ``item`` running ``timeline``."""

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        """What the summary says about the next session's level, given the ratings."""

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView | None:
        """What the history screen shows (``cap_of`` gives a program's cap level, by name);
        None when no history is kept."""

    def on_warning(self, warn: Warn) -> None:
        """Say what goes wrong from now on (a row that cannot be read, a write that waits)
        through ``warn``, which may be called from another thread."""


class NoHistory:
    """Nothing is kept: every level is 0, and there is nothing to show."""

    def level_of(self, name: str, cap: int | None) -> Level:
        return Level(0)

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        return NullRecorder()

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        ended = finished(session)
        return counting_text(ended.finished, ended.done, ended.planned)

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView | None:
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

    def level_of(self, name: str, cap: int | None) -> Level:
        return self.history.current_level(name, cap)

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
        records = self.history.sessions()
        levels = {
            name: ProgramLevels(self.history.current_level(name, cap_of(name)))
            for name in sorted({r.program for r in records})
        }
        now = self.history.now()
        return HistoryView(records, totals(records, now), levels, trends(records, now))
