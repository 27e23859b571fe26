"""The history screen's trends, driven by a pilot: charts where they can be read, the same in
words where they cannot, and charts that draw what the pure code prepared."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widget import Widget

from spasmtimer.app import SpasmtimerApp
from spasmtimer.app.charts import TrendChart
from spasmtimer.app.screens.history import HistoryScreen
from spasmtimer.app.widgets import Words
from spasmtimer.history import History
from spasmtimer.history_service import StoredHistory
from spasmtimer.settings import Settings
from tests.history_support import BUSY_NOW, busy, local_time, record
from tests.support import FakeClock

TRENDS = ("pain", "weeks", "levels")


def busy_app(clock: FakeClock, tmp_path: Path) -> SpasmtimerApp:
    seen = tmp_path / "seen"
    seen.touch()
    history = History.open(tmp_path / "history.sqlite3", now=lambda: BUSY_NOW)
    record(history, *busy())
    return SpasmtimerApp(
        settings=Settings(theme="textual-dark", flash=False),
        clock=clock,
        safety_marker=seen,
        history=StoredHistory(history, warn=print),
    )


def shown(screen: HistoryScreen) -> set[str]:
    """What each trend shows: ``pain-chart``, ``pain-words``, ..."""
    return {
        widget.id
        for name in TRENDS
        for widget in screen.query(f"#{name} > TrendChart, #{name} > Words").results(Widget)
        if widget.id is not None and widget.display
    }


CHARTS = {f"{name}-chart" for name in TRENDS}
WORDS = {f"{name}-words" for name in TRENDS}


async def test_charts_give_way_to_words_where_they_cannot_be_read(
    clock: FakeClock, tmp_path: Path
) -> None:
    app = busy_app(clock, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        assert shown(screen) == CHARTS
        for size, expected in [
            ((59, 24), WORDS),  # too narrow for a chart's labels
            ((60, 24), CHARTS),
            ((80, 19), WORDS),  # too short for a chart between header and footer
            ((80, 20), CHARTS),
            ((200, 60), CHARTS),
        ]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert shown(screen) == expected, size
        assert screen.has_class("-wide")  # side by side
        charts = [screen.query_one(f"#{name}-chart", TrendChart) for name in TRENDS]
        assert len({chart.region.y for chart in charts}) == 1
        assert len({chart.region.x for chart in charts}) == 3


async def test_no_color_gives_words(
    clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = busy_app(clock, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert shown(app.screen) == WORDS


async def test_a_chart_draws_its_series_with_the_labels_that_fit(
    clock: FakeClock, tmp_path: Path
) -> None:
    with local_time("UTC"):
        app = busy_app(clock, tmp_path)
        async with app.run_test(size=(80, 60)) as pilot:
            await pilot.press("h")
            await pilot.pause()
            pain = app.screen.query_one("#pain-chart", TrendChart)
            drawn = pain.render()
            assert isinstance(drawn, Text)
            lines = drawn.plain.splitlines()
            assert len(lines) == pain.size.height == 11 + 3
            before, after = pain.chart.series
            # Every point is drawn (a few may share a cell with another at this width).
            assert len(before.xs) - 2 <= drawn.plain.count("●") <= len(before.xs)
            assert len(after.xs) - 2 <= drawn.plain.count("▲") <= len(after.xs)
            labels = [label for _, label in pain.chart.xticks(pain.size.width)]
            assert len(labels) >= 5
            assert lines[-1].split() == [part for label in labels for part in label.split()]
            # The y axis: 10 at the top row of the plot, 0 at its bottom.
            assert lines[1].strip().startswith("10┤") and lines[11].strip().startswith("0┤")
            words = app.screen.query_one("#pain-words", Words)
            assert not words.display  # there, for a narrower window
            assert words.lines(200)[0].startswith("22 Oct 2 → 1 · 23 Oct 3 → 1")
