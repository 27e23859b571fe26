"""The history, as the app's `Services`: levels, recorders and the summary's level words."""

from __future__ import annotations

from spasmtimer.app.app import Services, no_history
from spasmtimer.app.screens.history import HistoryView
from spasmtimer.engine import Session, Status
from spasmtimer.history import WORSE_BY, History, SessionRecorder, totals
from spasmtimer.library import Item


def history_services(history: History | None) -> Services:
    if history is None:
        return no_history()

    def recorder_for(item: Item, level: int) -> SessionRecorder:
        from spasmtimer.timeline import expand

        assert item.program is not None
        return SessionRecorder(
            history,
            program=item.entry.name,
            title=item.title,
            path=str(item.entry.path),
            timeline=expand(item.program, level),
        )

    def next_level_text(item: Item, session: Session, before: int | None, after: int | None) -> str:
        level = session.timeline.level
        if session.status() is not Status.FINISHED:
            return (
                f"Stopped early: next time is still level {history.current_level(item.entry.name)}."
            )
        if before is not None and after is not None and after - before >= WORSE_BY:
            return f"Pain {after} after {before} before: next time stays at level {level}."
        return f"Next time: level {level + 1}."

    def history_view() -> HistoryView:
        records = history.sessions()
        levels = {
            p: ([level for _, level in history.levels_over_time(p)], history.current_level(p))
            for p in sorted({r.program for r in records})
        }
        return records, totals(records, history.now()), levels

    return Services(
        level_of=history.current_level,
        recorder_for=recorder_for,
        next_level_text=next_level_text,
        history_view=history_view,
    )
