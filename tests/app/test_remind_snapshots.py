"""The break reminders' two faces, at 80x24 and in a 30-column tmux pane: waiting, with the
time to the next break; and due, with the program and its keys. Update with
`pytest tests/app/test_remind_snapshots.py --snapshot-update` after looking at the
differences in snapshot_report.html."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from textual.pilot import Pilot

from spasmtimer.session.settings import Settings
from tests.app_support import Recorded, look, remind_app
from tests.support import FakeClock, FakeWall

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def app_at(clock: FakeClock, seconds: float):
    # No flash: it lasts 0.3 s of real time, which a screenshot may or may not catch.
    app = remind_app(
        clock,
        Recorded(),
        FakeWall(clock, START),
        settings=Settings(flash=False, theme="textual-dark"),
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await look(pilot, clock, seconds)

    return app, run_before


@pytest.mark.parametrize("size", [(80, 24), (30, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_remind_waiting(snap_compare, clock: FakeClock, size: tuple[int, int]) -> None:
    app, run_before = app_at(clock, 12 * 60 + 34)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (30, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_remind_due(snap_compare, clock: FakeClock, size: tuple[int, int]) -> None:
    app, run_before = app_at(clock, 45 * 60)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
