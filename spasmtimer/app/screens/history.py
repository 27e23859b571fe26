"""Past sessions: totals and streak, every session, and each program's level over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from spasmtimer.app.widgets import cell, plain
from spasmtimer.display import pain_text, seconds_text
from spasmtimer.history_service import HistoryView

BLOCKS = "▁▂▃▄▅▆▇█"


def level_line(levels: Sequence[int]) -> str:
    """Levels as a row of bars, tallest for the highest level reached."""
    top = max(levels, default=0) or 1
    return "".join(
        BLOCKS[min(len(BLOCKS) - 1, round(level / top * (len(BLOCKS) - 1)))] for level in levels
    )


class HistoryScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,h", "app.pop_screen", "Back")]

    def __init__(self, view: HistoryView) -> None:
        super().__init__()
        self.records = view.records
        self.totals = view.totals
        self.levels = view.levels

    def compose(self) -> ComposeResult:
        yield Static("History", id="header")
        with VerticalScroll(id="history"):
            if not self.records:
                yield Static("No sessions yet. They appear here as soon as one starts.")
            else:
                yield Static(self.totals.describe(), id="totals")
                width = max(len(name) for name in self.levels)
                lines = [
                    f"{name:<{width}}  {level_line(levels.done)}  now {levels.current}"
                    for name, levels in sorted(self.levels.items())
                ]
                yield Static(
                    Content.assemble(("Levels over time", "bold"), "\n", plain("\n".join(lines))),
                    id="levels",
                )
                yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        if not self.records:
            return
        table = self.query_one(DataTable)
        table.add_columns("When", "Program", "Level", "Time", "", "Pain", "Notes")
        for r in reversed(self.records):
            table.add_row(
                _when(r.started_at),
                cell(r.title),
                str(r.level),
                seconds_text(round(r.done_seconds)),
                cell(r.status),
                pain_text(r.pain_before, r.pain_after),
                cell(" ".join((r.notes or "").split())),  # one line per session
            )


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%a %d %b %H:%M")

