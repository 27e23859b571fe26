"""`spasmtimer status`: the line for a tmux status bar or a prompt, from empty and busy histories."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.base.text import cell_width
from spasmtimer.cli import main
from spasmtimer.history.status import MAX_WIDTH, Status, status_from, status_line, status_of
from spasmtimer.history.store import History
from tests.history_support import BUSY_NOW, busy, local_time
from tests.history_support import record as record_past
from tests.unit.test_history import WallClock, record

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # a Friday
EVERY = 45 * 60
ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f]")


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History.open(tmp_path / "history.sqlite3", now=WallClock(NOW))


def line(history: History, program: str = "desk-break", now: datetime = NOW, **kw: bool) -> str:
    """The line, from every session as the rules say; and the same from the indexes, as the
    command reads it."""
    status = status_of(history.sessions(), program, EVERY, now)
    assert status_from(history.connection, program, EVERY, now) == status
    return status_line(status, **kw)


def test_an_empty_history_says_a_break_is_due(history: History) -> None:
    assert line(history) == "desk-break due · none today"


def test_a_busy_history_gives_the_wait_today_and_the_streak(history: History) -> None:
    for days_ago in range(1, 5):  # a session a day for the four days before today
        record(history, 0, at=NOW - timedelta(days=days_ago), minutes=4)
    record(history, 0, at=NOW - timedelta(hours=3), minutes=4, program="seated-hamstring")
    record(history, 0, at=NOW - timedelta(hours=2), minutes=4)
    # The last break ended 30 minutes ago (it began 34 minutes ago and lasted four).
    record(history, 0, at=NOW - timedelta(minutes=34), minutes=4)
    assert line(history) == "desk-break in 15m · 3 today · 5-day streak"
    assert line(history, "seated-hamstring") == "seated-hamstring in 15m · 3 today · 5-day streak"


def test_a_session_of_another_program_is_a_break_too(history: History) -> None:
    """Issue: "desk-break due" right after a 7-minute session of another program."""
    record(history, 0, at=NOW - timedelta(hours=2), minutes=4)  # the last desk break
    record(history, 0, at=NOW - timedelta(minutes=8), minutes=7, program="gentle-mobility")
    assert line(history) == "desk-break in 44m · 2 today"


def test_a_busy_history_of_eleven_weeks(tmp_path: Path) -> None:
    with local_time("UTC"):
        history = History.open(tmp_path / "busy.sqlite3", now=WallClock(BUSY_NOW))
        record_past(history, *busy())
        # Saturday noon: no session yet today, one every weekday this week.
        assert line(history, now=BUSY_NOW) == "desk-break due · none today · 5-day streak"
        # Friday evening, 20 minutes after the hamstring stretch ended at 18:55.
        friday = datetime(2026, 11, 20, 19, 15, tzinfo=UTC)
        assert line(history, "seated-hamstring", now=friday) == (
            "seated-hamstring in 25m · 2 today · 5-day streak"
        )
        # The stretch was a break too: the desk break waits as long.
        assert line(history, now=friday) == "desk-break in 25m · 2 today · 5-day streak"


def test_the_wait_counts_down_from_the_end_of_any_session_of_the_program(
    history: History,
) -> None:
    # Skipping through a break still resets the wait, though it does not count toward levels.
    record(history, 0, at=NOW - timedelta(minutes=10), minutes=4, completed=False, done=20)
    # It ended six minutes ago.
    assert line(history) == "desk-break in 39m · none today"
    assert line(history, now=NOW + timedelta(minutes=38, seconds=30)) == (
        "desk-break in 1m · none today"
    )
    assert line(history, now=NOW + timedelta(minutes=39)) == "desk-break due · none today"
    assert line(history, now=NOW + timedelta(hours=2)) == "desk-break due · none today"


def test_hours_are_written_with_minutes() -> None:
    status = Status("desk-break", due_in=3600 + 5 * 60, today=1, streak_days=0)
    assert status_line(status) == "desk-break in 1h05m · 1 today"


def test_a_session_running_now_shows_as_now_and_one_cut_off_does_not(history: History) -> None:
    session_id = history.begin(
        program="desk-break",
        title="Desk break",
        path="/x/desk-break.toml",
        content_hash="abc",
        level=0,
        planned_seconds=240,
        started_at=NOW - timedelta(seconds=30),
        pain_before=None,
    )
    history.add_events(session_id, [], done_seconds=28, updated_at=NOW - timedelta(seconds=1))
    assert line(history) == "desk-break now · none today"
    # Its process died a minute ago without a word: the row is a minute old.
    assert line(history, now=NOW + timedelta(minutes=1)) == "desk-break in 44m · none today"


def test_tmux_markup_colours_only_the_program_part_and_doubles_a_hash() -> None:
    due = Status("back#2", due_in=0, today=2, streak_days=3)
    assert status_line(due, tmux=True) == (
        "#[fg=yellow,bold]back##2 due#[default] · 2 today · 3-day streak"
    )
    waiting = Status("desk-break", due_in=600, today=0, streak_days=0)
    assert status_line(waiting, tmux=True) == "desk-break in 10m · none today"


@pytest.mark.parametrize(
    "name",
    ["a-very-long-program-name-that-someone-gave-their-physio-drill-file", "腰痛" * 40],
)
def test_never_wider_than_sixty_columns(name: str) -> None:
    text = status_line(Status(name, due_in=7200, today=12, streak_days=365))
    assert cell_width(text) <= MAX_WIDTH
    assert text.endswith("… in 2h00m · 12 today · 365-day streak")


def test_no_escape_sequence_whatever_the_program_is_called() -> None:
    text = status_line(Status("\x1b]0;pwned\x07\x1b[31mred\nnext", 0, 0, 0))
    assert ESCAPE.search(text) is None
    assert "\n" not in text


# --- a session in the future, and local days -----------------------------------------------


def test_a_session_dated_a_year_ahead_neither_delays_the_break_nor_counts(
    history: History,
) -> None:
    record(history, 0, at=NOW - timedelta(minutes=34), minutes=4)  # it ended 30 minutes ago
    record(history, 0, at=NOW + timedelta(days=365), minutes=4)  # a clock a year ahead
    assert line(history) == "desk-break in 15m · 1 today"


def test_a_session_dated_later_today_neither_delays_the_break_nor_counts(
    history: History,
) -> None:
    record(history, 0, at=NOW - timedelta(days=1), minutes=4)
    record(history, 0, at=NOW - timedelta(minutes=34), minutes=4)
    record(history, 0, at=NOW + timedelta(hours=3), minutes=4)
    assert line(history) == "desk-break in 15m · 1 today · 2-day streak"


def test_a_session_running_in_the_future_is_not_running_now(history: History) -> None:
    record(history, 0, at=NOW - timedelta(minutes=34), minutes=4)
    ahead = NOW + timedelta(days=365)
    session_id = history.begin(
        program="desk-break",
        title="Desk break",
        path="/x/desk-break.toml",
        content_hash="abc",
        level=0,
        planned_seconds=240,
        started_at=ahead,
        pain_before=None,
    )
    history.add_events(session_id, [], done_seconds=28, updated_at=ahead)
    assert line(history) == "desk-break in 15m · 1 today"


def test_a_session_a_minute_ahead_is_taken_as_now(history: History) -> None:
    # Another machine's clock a little fast: its session has just ended, there.
    record(history, 0, at=NOW - timedelta(minutes=3), minutes=4)
    assert line(history) == "desk-break in 46m · 1 today"


def test_today_and_the_streak_on_a_day_of_23_hours(tmp_path: Path) -> None:
    santiago = ZoneInfo("America/Santiago")  # 6 Sep 2026 begins at 01:00: 00:00 is skipped
    with local_time("America/Santiago"):
        history = History.open(tmp_path / "history.sqlite3", now=WallClock(NOW))
        # 23:55 on the 5th is 03:55 UTC on the 6th; 01:05 on the 6th is 04:05 UTC.
        record(history, 0, at=datetime(2026, 9, 5, 23, 55, tzinfo=santiago), minutes=4)
        record(history, 0, at=datetime(2026, 9, 6, 1, 5, tzinfo=santiago), minutes=4)
        morning = datetime(2026, 9, 6, 10, 0, tzinfo=santiago)
        assert line(history, now=morning) == "desk-break due · 1 today · 2-day streak"
        history.close()


# --- the command ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["fifo", "binary", "huge", "not toml", "a number", "nested deep", "digits"]
)
def test_a_settings_file_status_cannot_read_is_passed_over(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """status looks for a sync folder in the settings with tomllib alone: a settings file
    that is a FIFO (no writer: it would wait for ever), binary, huge or not TOML is passed
    over, and the line is still said."""
    from spasmtimer.base.locations import settings_file

    History.open(history_file()).close()
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.write_bytes(
            {
                "binary": b"sync_folder = \xff\xfe\x00",
                "huge": b"# " + b"x" * (1 << 20) + b"\nsync_folder = '/tmp'\n",
                "not toml": b"sync_folder = [unclosed",
                "a number": b"sync_folder = 3\n",
                "nested deep": b"sync_folder = 1\nx = " + b"[" * 20000 + b"]" * 20000,
                "digits": b"sync_folder = 1\nx = " + b"7" * 5000 + b"\n",
            }[kind]
        )
    assert main(["status"]) == 0
    assert capsys.readouterr().out == "desk-break due · none today\n"


def test_the_command_on_a_fresh_machine_prints_a_line_and_makes_no_file(capsys) -> None:
    assert main(["status"]) == 0
    assert capsys.readouterr().out == "desk-break due · none today\n"
    assert not history_file().exists()
    assert not history_file().parent.exists()


def test_the_command_reads_the_history_without_writing_it(capsys) -> None:
    history = History.open(history_file())
    record(history, 0, at=datetime.now(UTC) - timedelta(minutes=14), minutes=4)
    # A session marked running whose process is gone: reading must not recover (write) it.
    history.begin(
        program="desk-break",
        title="Desk break",
        path="/x/desk-break.toml",
        content_hash="abc",
        level=0,
        planned_seconds=240,
        started_at=datetime.now(UTC) - timedelta(hours=5),
        pain_before=None,
    )
    history.close()
    before = history_file().read_bytes()
    assert main(["status", "--every", "1h"]) == 0
    assert capsys.readouterr().out.startswith("desk-break in 50m · ")
    assert history_file().read_bytes() == before


def test_the_command_of_an_unknown_program_suggests_names(capsys) -> None:
    assert main(["status", "desk-brake"]) == 1
    assert "did you mean desk-break" in capsys.readouterr().err


@pytest.mark.parametrize("every", ["45", "0s", "25h", "-5m", "soon", "1m70s"])
def test_an_every_that_is_not_a_sane_duration_is_said_in_one_line(capsys, every: str) -> None:
    assert main(["status", "--every", every]) == 1
    err = capsys.readouterr().err
    assert err.startswith("spasmtimer: --every ")
    assert len(err.splitlines()) == 1


def test_a_history_locked_by_another_program_is_said_at_once(capsys) -> None:
    import sqlite3

    History.open(history_file()).close()
    holder = sqlite3.connect(history_file())
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE sessions SET notes = notes")
    try:
        assert main(["status"]) == 1
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert err.startswith("spasmtimer: history unavailable")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "given",
    [
        [],
        ["seated-hamstring"],
        ["--tmux"],
        ["--every", "1h"],
        ["--every=90m", "--tmux", "desk-break"],
        ["desk-break", "--every", "45m"],
        ["--tmux", "--tmux"],
    ],
)
def test_plain_arguments_are_read_as_argparse_reads_them(given: list[str]) -> None:
    """A status bar's arguments are read without argparse (a sixth of a status line's time):
    to the same values."""
    from spasmtimer.cli.commands.status import plain_arguments
    from spasmtimer.cli.parser import build_parser

    quick = plain_arguments(given)
    assert quick is not None
    parsed = build_parser("status").parse_args(["status", *given])
    assert vars(quick) == vars(parsed)


@pytest.mark.parametrize(
    "given",
    [["-h"], ["--help"], ["--ev", "1h"], ["--every"], ["--every", "-5m"], ["a", "b"], ["--x"]],
)
def test_anything_else_is_left_to_argparse(given: list[str]) -> None:
    from spasmtimer.cli.commands.status import plain_arguments

    assert plain_arguments(given) is None


def test_the_default_every_is_the_duration_it_names() -> None:
    from spasmtimer.cli.arguments import BREAK_EVERY, every
    from spasmtimer.program.durations import parse_duration

    assert every(BREAK_EVERY).total_seconds() == parse_duration(BREAK_EVERY)
