"""A chart of the history's trends, drawn by plotext (through textual-plotext).

Thin on purpose: what to draw is a `spasmtimer.history.trends.Chart`, made and tested
without Textual.
This widget hands it to plotext at the size it is given, in the theme's colours. No text from
the database reaches plotext (which would read escape sequences in it): the legend, with the
programs' names, is drawn by the screen as plain text.

Importing plotext takes some 30 ms: this module is imported when the history is first shown,
not when the app starts.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import RenderResult
from textual.color import Color
from textual_plotext import PlotextPlot

from spasmtimer.history.trends import Chart

FRAME_ROWS = 3
"""Rows plotext adds around the plotting area: the frame's top and bottom and the x labels."""


class TrendChart(PlotextPlot):
    """One `Chart`, its x labels chosen for the width it has, its series in ``colours`` (names
    of theme colours, repeated when there are more series)."""

    DEFAULT_CSS = """
    TrendChart {
        width: 1fr;
    }
    """

    def __init__(self, chart: Chart, colours: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(id=id, classes="trend-chart")
        self.chart = chart
        self.colours = tuple(colours)
        self.styles.height = chart.rows + FRAME_ROWS

    def render(self) -> RenderResult:
        chart, plt = self.chart.in_columns(self.size.width), self.plt
        plt.clear_data()
        for n, series in enumerate(chart.series):
            colour = self._colour(n)
            if series.bars:
                plt.bar(
                    list(series.xs), list(series.ys), marker=series.marker, color=colour, width=0.6
                )
            else:
                plt.scatter(list(series.xs), list(series.ys), marker=series.marker, color=colour)
        plt.xlim(*chart.xlim)
        plt.ylim(*chart.ylim)
        ticks = chart.xticks(self.size.width)
        plt.xticks([x for x, _ in ticks], [label for _, label in ticks])
        plt.yticks([y for y, _ in chart.yticks], [label for _, label in chart.yticks])
        return super().render()

    def _colour(self, n: int) -> tuple[int, int, int]:
        name = self.colours[n % len(self.colours)]
        return Color.parse(self.app.theme_variables[name]).rgb
