"""A program before it runs: what it is for, its steps at your level, each step's figure in
its held pose, and what the next level changes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from spasmtimer.app.figure import FigureView
from spasmtimer.app.messages import EditProgram, RunProgram
from spasmtimer.app.widgets import plain
from spasmtimer.program.timeline import (
    LimitError,
    at_level,
    change_levels,
    expand,
    scheduled_values,
)
from spasmtimer.session.display import (
    FigureFrame,
    held_lines,
    seconds_text,
    step_text,
    value_text,
)
from spasmtimer.session.library import Item


def next_level_text(item: Item) -> str:
    """What the next level that changes anything changes: ``Level 3: hold 20 s → 25 s``."""
    assert item.program is not None
    values = scheduled_values(item.program)
    coming = next((lv for lv in change_levels(item.program) if lv > item.level.value), None)
    if coming is None:
        return "Every value is at its cap: the program stays as it is at higher levels."
    changes = [
        f"{v.step + 1}. {v.name}: {v.key} {value_text(v.key, now)} → {value_text(v.key, then)}"
        for v in values
        if (now := v.at(item.level.value)) != (then := v.at(coming))
    ]
    return f"At level {coming}:\n" + "\n".join(f"  {c}" for c in changes)


class PreviewScreen(Screen[None]):
    BINDINGS = [
        Binding("enter,r", "run", "Run"),
        Binding("e", "edit", "Edit"),
        Binding("escape,q", "app.pop_screen", "Back"),
    ]

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        program = self.item.program
        assert program is not None
        level = self.item.level.value
        yield Static(plain(f"{program.title} · {self.item.level}"), id="header")
        with VerticalScroll(id="preview"):
            if program.summary:
                yield Static(plain(program.summary), classes="summary")
            if program.caution:
                caution = Content.assemble(
                    ("Caution:", "bold $warning"), " ", plain(program.caution)
                )
                yield Static(caution, classes="caution")
            for line in held_lines(program.steps, self.item.level):
                yield Static(Content.assemble(("Held:", "bold $warning"), " ", plain(line)))
            try:
                timeline = expand(program, level, self.item.level.held)
                total = f"{seconds_text(timeline.total_seconds)} · {len(timeline.phases)} phases"
            except LimitError as e:
                total = f"cannot run at this level: {e}"
            rounds = f" · {program.rounds} rounds" if program.rounds > 1 else ""
            yield Static(
                Content.assemble(("Total:", "bold"), " ", plain(f"{total}{rounds}")),
                classes="total",
            )
            lines = [
                Content.assemble(
                    f"{n}. ",
                    plain(step.name, "bold"),
                    " — ",
                    plain(step_text(at_level(step, level))),
                )
                for n, step in enumerate(program.steps, start=1)
            ]
            yield Static(Content("\n").join(lines), id="steps")
            shown = [
                (n, step)
                for n, step in enumerate(program.steps, start=1)
                if program.figure(step.figure) is not None
            ]
            if shown:
                with Grid(id="preview-figures"):
                    for n, step in shown:
                        with Vertical(classes="preview-figure"):
                            figure = FigureView(program.figures)
                            assert step.figure is not None
                            figure.set_reactive(FigureView.frame, FigureFrame(step.figure, "hold"))
                            yield figure
                            yield Static(plain(f"{n}. {step.name}"))
            yield Static(plain(next_level_text(self.item)), id="next-level")
        yield Footer()

    def action_run(self) -> None:
        self.post_message(RunProgram(self.item))

    def action_edit(self) -> None:
        self.post_message(EditProgram(self.item))
