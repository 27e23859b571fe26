"""Break reminders in the app, on fake clocks: the wait in large digits; a break falling due
with the bell, a notification and the program; Enter through a whole session and back to
waiting; ``s`` to snooze, Esc to skip; and a session run elsewhere answering the break."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w

from spasmtimer.app.screens.remind import RemindScreen
from spasmtimer.app.screens.safety import SafetyScreen
from spasmtimer.app.screens.session import CautionScreen, SessionScreen
from spasmtimer.app.screens.summary import SummaryScreen
from spasmtimer.app.widgets import BigClock, Line
from spasmtimer.session.reminders import LastSession
from spasmtimer.session.settings import Settings
from tests.app.test_hostile_app import MARKED_UP, screen_text
from tests.app_support import (
    Recorded,
    look,
    remind_app,
    remind_screen,
    through_the_session,
)
from tests.support import DATA, FakeClock, FakeWall

MINUTE = 60.0
START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
UNKNOWN = {"TERM": "xterm-256color"}


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times of day as the clocks here give them."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def wall(clock: FakeClock) -> FakeWall:
    return FakeWall(clock, START)


@pytest.fixture
def log() -> Recorded:
    return Recorded()


def shown(pilot, widget_id: str) -> str:
    screen = remind_screen(pilot)
    if widget_id == "clock":
        return screen.query_one("#clock", BigClock).value
    return screen.query_one(f"#{widget_id}", Line).text


def visible(pilot, widget_id: str) -> bool:
    return remind_screen(pilot).query_one(f"#{widget_id}").display


def footer_actions(pilot) -> set[str]:
    """The keys the reminders screen offers now."""
    screen = remind_screen(pilot)
    offered = screen.active_bindings.values()
    return {b.binding.action for b in offered if b.node is screen and b.binding.show}


async def test_it_waits_with_the_time_to_the_next_break(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RemindScreen)
        assert shown(pilot, "header") == "Break reminders · Short stretch every 45 min"
        assert shown(pilot, "remind-heading") == "Next break"
        assert shown(pilot, "remind-program") == "Short stretch · 1:55 · level 0"
        assert shown(pilot, "clock") == "45:00"
        assert shown(pilot, "remind-when") == "Next break at 09:45"
        assert not visible(pilot, "remind-keys")
        assert footer_actions(pilot) == {"start_early", "app.quit"}
        await look(pilot, clock, 0.4)
        assert shown(pilot, "clock") == "45:00"  # 44:59.6 shows as 45:00 until it is 44:59
        await look(pilot, clock, 0.6)
        assert shown(pilot, "clock") == "44:59"
        await look(pilot, clock, 44 * MINUTE)
        assert shown(pilot, "clock") == "0:59"
        assert list(app.rung) == []


async def test_due_rings_notifies_and_offers_the_program(clock, wall, log) -> None:
    out: list[str] = []
    app = remind_app(clock, log, wall, environ=UNKNOWN, terminal_out=out.append, notify=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 45 * MINUTE)
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert shown(pilot, "remind-program") == "Short stretch · 1:55 · level 0"
        assert shown(pilot, "remind-keys") == "Enter start · s snooze 10 min · Esc skip"
        assert visible(pilot, "remind-keys") and not visible(pilot, "clock")
        assert footer_actions(pilot) == {"start", "snooze", "skip", "app.quit"}
        assert list(app.rung) == [2]
        assert out == ["\x1b]9;Time for a break: Short stretch · 1:55 · level 0\x07"]
        await look(pilot, clock, MINUTE)
        assert list(app.rung) == [2]  # said once
        assert len(out) == 1


async def test_no_bell_and_no_notification_unless_asked(clock, wall, log) -> None:
    out: list[str] = []
    app = remind_app(clock, log, wall, environ=UNKNOWN, terminal_out=out.append, bell=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 45 * MINUTE)
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert (list(app.rung), out) == ([], [])


async def test_enter_runs_the_session_and_then_waits_again(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 46 * MINUTE)
        await pilot.press("enter")
        assert isinstance(app.screen, SessionScreen)
        await through_the_session(pilot, clock)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("tab", "4", "ctrl+s")
        assert isinstance(app.screen, RemindScreen)
        assert log.started == [None]
        assert log.ratings == [(None, 4, None)]
        await look(pilot, clock)
        # The wait starts again from the session's end, 46 min + 1:55 in.
        assert shown(pilot, "remind-heading") == "Next break"
        assert shown(pilot, "clock") == "45:00"
        assert shown(pilot, "remind-when") == "Next break at 10:32"
        await look(pilot, clock, 45 * MINUTE)
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert list(app.rung)[-1] == 2


async def test_a_caution_comes_first_and_esc_there_leaves_the_break_due(clock, wall, log) -> None:
    app = remind_app(clock, log, wall, program=DATA / "app" / "careful.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 45 * MINUTE)
        await pilot.press("enter")
        assert isinstance(app.screen, CautionScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, RemindScreen)
        await look(pilot, clock, 1)
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert log.started == []
        assert list(app.rung) == [2]  # not rung again for the same break


async def test_enter_before_it_is_due_takes_the_break_early(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 30 * MINUTE)
        await pilot.press("enter")
        assert isinstance(app.screen, SessionScreen)
        await through_the_session(pilot, clock)
        await pilot.press("escape")  # the summary, without ratings
        await look(pilot, clock)
        assert shown(pilot, "clock") == "45:00"


async def test_s_snoozes_for_ten_minutes(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 45 * MINUTE)
        await pilot.press("s")
        assert shown(pilot, "remind-heading") == "Next break"
        assert shown(pilot, "clock") == "10:00"
        assert shown(pilot, "remind-when") == "Snoozed until 09:55"
        await look(pilot, clock, 10 * MINUTE)
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert list(app.rung) == [2, 2]


async def test_s_and_esc_do_nothing_while_waiting(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 10 * MINUTE)
        await pilot.press("s", "escape")
        await look(pilot, clock)
        assert shown(pilot, "clock") == "35:00"
        assert isinstance(app.screen, RemindScreen)


async def test_esc_skips_to_a_whole_wait_from_now(clock, wall, log) -> None:
    app = remind_app(clock, log, wall)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 50 * MINUTE)
        await pilot.press("escape")
        assert isinstance(app.screen, RemindScreen)
        assert shown(pilot, "remind-heading") == "Next break"
        assert shown(pilot, "clock") == "45:00"
        assert shown(pilot, "remind-when") == "Next break at 10:35"
        assert log.started == []


async def test_a_session_run_elsewhere_answers_a_due_break(clock, wall, log) -> None:
    sessions: list[LastSession] = []
    app = remind_app(clock, log, wall, last_session=lambda: sessions[-1] if sessions else None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await look(pilot, clock, 45 * MINUTE)
        assert shown(pilot, "remind-heading") == "Time for a break"
        sessions.append(LastSession("1", wall(), running=True))
        await look(pilot, clock, 5)
        assert shown(pilot, "remind-heading") == "Next break"
        clock.advance(4 * MINUTE)
        sessions.append(LastSession("1", wall(), running=False))
        await look(pilot, clock, 5)
        assert shown(pilot, "remind-when") == "Next break at 10:34"


async def test_the_safety_notice_comes_first_and_the_wait_shows_after(
    clock, wall, log, tmp_path: Path
) -> None:
    app = remind_app(clock, log, wall, safety_seen=tmp_path / "first-time")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SafetyScreen)
        await look(pilot, clock, 50 * MINUTE)  # behind the notice: nothing rings
        assert list(app.rung) == []
        await pilot.press("enter")
        assert isinstance(app.screen, RemindScreen)
        assert (tmp_path / "first-time").exists()
        assert shown(pilot, "remind-heading") == "Time for a break"
        assert list(app.rung) == [2]


async def test_a_program_from_anyone_is_shown_as_text(clock, wall, log, tmp_path: Path) -> None:
    program = tmp_path / "evil\x1b]0;pwned\x07.toml"
    program.write_text(tomli_w.dumps(MARKED_UP))
    app = remind_app(clock, log, wall, program=program, settings=Settings(flash=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[/] Evil [b]title every 45 min" in text
        assert "[/] Evil [b]title · 0:27 · level 0" in text
        await look(pilot, clock, 45 * MINUTE)
        text = screen_text(app)
        assert "Time for a break" in text and "[red]summary" in text
        program.write_text("this is not toml [")
        await pilot.press("enter")
        assert "evil␛]0;pwned␇ cannot run:" in screen_text(app)


async def test_the_program_is_read_again_when_a_break_falls_due(
    clock, wall, log, tmp_path: Path
) -> None:
    program = tmp_path / "mine.toml"
    program.write_text('title = "Mine"\n[[steps]]\ntype = "rest"\nseconds = 5\n')
    app = remind_app(clock, log, wall, program=program, settings=Settings(theme="textual-dark"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        program.write_text('title = "Mine, longer"\n[[steps]]\ntype = "rest"\nseconds = 65\n')
        await look(pilot, clock, 45 * MINUTE)
        assert shown(pilot, "remind-program") == "Mine, longer · 1:10 · level 0"
        program.write_text("not a program")
        await pilot.press("enter")
        assert isinstance(app.screen, RemindScreen)  # nothing to run: it says why
        assert shown(pilot, "remind-program").startswith("mine cannot run:")
        assert log.started == []
