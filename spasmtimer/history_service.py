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
from spasmtimer.history import History, SessionRecord, SessionRecorder, Totals, totals
from spasmtimer.library import Item
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


class StoredHistory:
    """The history database."""

    def __init__(self, history: History) -> None:
        self.history = history

    def level_of(self, name: str) -> int:
        return self.history.current_level(name)

    def recorder_for(self, item: Item, timeline: Timeline) -> Recorder:
        return SessionRecorder(
            self.history,
            program=item.entry.name,
            title=item.title,
            path=str(item.entry.path),
            timeline=timeline,
        )

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
