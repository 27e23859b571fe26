"""The figure on the session screen: the movement shown, not only named (docs/figures.md).

`FigureView` draws a `FigureFrame` with the pure renderer, in the theme's colours, and repaints
only the cells that change: a figure standing still costs nothing after its first frame.
`figure_area` decides where it goes: beside the clock in a wide window, under it in a tall one,
nowhere in a small one. The clock keeps its own rules in the room the figure leaves it: the
largest digits that fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import msgspec
from textual import events
from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from spasmtimer.app.widgets import CellsWidget
from spasmtimer.program.figures.pose import Figure, Layer
from spasmtimer.program.figures.render import SMALLEST, Drawing, render
from spasmtimer.session.display import FigureFrame

LAYER_STYLES: dict[Layer | None, str] = {
    "near": "$text",
    "far": "$text-muted",
    "prop": "$secondary",
    None: "",
}
"""The body's near side in the text's colour, its far side and the props quieter: from the
theme, so that 16 colours and NO_COLOR still tell them apart by shape."""

GAP = 2
"""Columns between the clock and a figure beside it."""
SHARE = 0.4
"""The part of the stage's width (beside the clock) or height (under it) the figure takes: the
clock is sized in the rest by its own rules, as large as fits."""
WIDEST = 72
"""A figure beside the clock stops growing here: the clock is what is read from afar."""
UPRIGHT, LYING = (7.5, 9.5), (11.0, 4.0)
"""Typical figures' boxes, in figure units across and up: one sitting or standing, one lying.
A place for the figure is judged by how large both would be drawn in it."""

Place = Literal["beside", "under", "hidden"]


class FigureArea(msgspec.Struct, frozen=True):
    """Where the figure goes, and its size in cells."""

    place: Place
    columns: int = 0
    rows: int = 0


def figure_area(columns: int, rows: int) -> FigureArea:
    """Where the figure goes in a stage of ``columns`` × ``rows`` cells that it shares with
    the clock: beside it or under it, whichever draws a figure larger; nowhere if neither
    leaves it `SMALLEST`."""
    beside = FigureArea("beside", min(WIDEST, round(columns * SHARE)), rows)
    under = FigureArea("under", columns, round(rows * SHARE))
    fitting = [a for a in (beside, under) if a.columns >= SMALLEST[0] and a.rows >= SMALLEST[1]]
    if not fitting:
        return FigureArea("hidden")
    return max(fitting, key=_drawn_size)


def _drawn_size(area: FigureArea) -> float:
    """How large typical figures are drawn in ``area``: cells across per figure unit."""
    return sum(min(area.columns / across, area.rows * 2 / up) for across, up in (UPRIGHT, LYING))


class FigureView(CellsWidget):
    """The figure of the phase, in its pose; repaints only the cells a new frame changes."""

    DEFAULT_CSS = """
    FigureView {
        width: 30;
        height: 10;
    }
    """

    frame: reactive[FigureFrame | None] = reactive(None, repaint=False)

    def __init__(self, figures: Sequence[Figure], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.figures = {figure.name: figure for figure in figures}

    def drawing(self, frame: FigureFrame | None) -> Drawing | None:
        width, height = self.size
        figure = self.figures.get(frame.name) if frame else None
        if frame is None or figure is None or width < SMALLEST[0] or height < SMALLEST[1]:
            return None
        pose = figure.pose(frame.pose)
        if frame.moving_from is not None and frame.share < 1:
            pose = figure.pose(frame.moving_from).between(pose, frame.share)
        return render(figure, pose, width, height, mirrored=frame.mirrored)

    def lines(self, frame: FigureFrame | None) -> list[Content]:
        drawing = self.drawing(frame)
        if drawing is None:
            return []
        return [
            Content("").join(
                Content.styled(text, LAYER_STYLES[layer]) if layer else Content(text)
                for text, layer in row
            )
            for row in drawing.rows
        ]

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.frame))

    def watch_frame(self, before: FigureFrame | None, after: FigureFrame | None) -> None:
        if before == after:
            return
        was, now = self.lines(before), self.lines(after)
        for y in range(max(len(was), len(now))):
            old = was[y] if y < len(was) else Content("")
            new = now[y] if y < len(now) else Content("")
            self.repaint_change(old, new, y)


class Stage(Widget):
    """The clock and the figure: the figure placed by `figure_area` each time the stage's
    size changes, the clock in what is left."""

    DEFAULT_CSS = """
    Stage {
        layout: vertical;
        height: 1fr;
        width: 1fr;
    }
    Stage.-beside {
        layout: horizontal;
        padding: 0 2;
    }
    Stage > FigureView {
        display: none;
    }
    Stage.-beside > FigureView, Stage.-under > FigureView {
        display: block;
    }
    Stage.-beside > FigureView {
        margin: 0 0 0 2;
    }
    """

    def __init__(self, clock: Widget, figure: FigureView, *, id: str) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.figure = figure
        self.area = FigureArea("hidden")

    def compose(self) -> ComposeResult:
        yield self.clock
        yield self.figure

    def on_resize(self, event: events.Resize) -> None:
        self.place(event.size.width, event.size.height)

    def place(self, columns: int, rows: int) -> None:
        area = FigureArea("hidden")
        if self.figure.figures:
            area = figure_area(columns, rows)
        if area == self.area:
            return
        self.area = area
        for place in ("beside", "under"):
            self.set_class(area.place == place, f"-{place}")
        if area.place != "hidden":
            self.figure.styles.width = area.columns
            self.figure.styles.height = area.rows
