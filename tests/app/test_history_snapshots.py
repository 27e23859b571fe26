"""The history screen's trends: charts at 80x24 and larger, words where a chart cannot be read.
Dates are the machine's local time, here UTC; "now" is fixed. Update with `--snapshot-update`
after looking at the differences in snapshot_report.html."""

from __future__ import annotations

from pathlib import Path

import pytest

from spasmtimer.history.service import StoredHistory
from spasmtimer.history.store import History
from spasmtimer.session.settings import Settings
from tests.app_support import Recorded
from tests.app_support import make_app as make_any_app
from tests.history_support import BUSY_NOW, busy, local_time, record
from tests.support import FakeClock


def history_app(clock: FakeClock, tmp_path: Path, *, empty: bool = False):
    seen = tmp_path / "seen"
    seen.touch()
    history = History.open(tmp_path / "history.sqlite3", now=lambda: BUSY_NOW)
    if not empty:
        record(history, *busy())
    app = make_any_app(
        clock, Recorded(), settings=Settings(flash=False, theme="textual-dark"), safety_seen=seen
    )
    app.history = StoredHistory(history, warn=print)
    return app


@pytest.mark.parametrize("size", [(80, 24), (80, 60), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_busy_history(
    snap_compare, clock: FakeClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Eleven weeks of three programs: the charts one above another (80x60 shows all three),
    side by side at 200x60."""
    with local_time("UTC"):
        app = history_app(clock, tmp_path)
        assert snap_compare(app, terminal_size=size, press=["h"])


def test_empty_history(snap_compare, clock: FakeClock, tmp_path: Path) -> None:
    with local_time("UTC"):
        app = history_app(clock, tmp_path, empty=True)
        assert snap_compare(app, terminal_size=(80, 24), press=["h"])


@pytest.mark.parametrize("size", [(50, 40), (100, 16)], ids=["narrow", "short"])
def test_busy_history_in_words(
    snap_compare, clock: FakeClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Under 60 columns or 20 rows, a chart's labels or rows would not fit: the same in words."""
    with local_time("UTC"):
        app = history_app(clock, tmp_path)
        assert snap_compare(app, terminal_size=size, press=["h"])


def test_busy_history_without_colour(
    snap_compare, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR greys the charts' series: the same in words, at a size that has room for charts."""
    monkeypatch.setenv("NO_COLOR", "1")
    with local_time("UTC"):
        app = history_app(clock, tmp_path)
        assert snap_compare(app, terminal_size=(80, 24), press=["h"])
