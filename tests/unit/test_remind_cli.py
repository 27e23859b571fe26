"""``spasmtimer remind``'s arguments: its defaults, and one clear line (exit 1) for every bad
program, duration or window — never a traceback."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest

from spasmtimer.cli import launch
from spasmtimer.cli.commands import remind as remind_command
from spasmtimer.session.reminders import Window
from tests.unit.test_cli import run_cli


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `remind` would open the app with, instead of opening it."""
    calls: list[dict[str, Any]] = []

    def open_app(context: object, **kw: Any) -> int:
        calls.append(kw)
        return 0

    monkeypatch.setattr(remind_command, "open_app", open_app)
    monkeypatch.setattr(launch, "can_draw", lambda: True)
    return calls


def test_by_default_desk_break_every_45_minutes(capsys, opened) -> None:
    assert run_cli(capsys, "remind") == (0, "", "")
    remind = opened[0]["remind"]
    assert remind.item.entry.name == "desk-break"
    assert remind.item.title == "Desk break"
    assert remind.every == timedelta(minutes=45)
    assert remind.window is None
    assert opened[0]["bell"] is True and opened[0]["notify"] is False


@pytest.mark.parametrize(
    ("every", "seconds"), [("45m", 2700), ("1h", 3600), ("90m", 5400), ("1h30m", 5400), ("1m", 60)]
)
def test_every_reads_durations_as_programs_do(capsys, opened, every: str, seconds: int) -> None:
    status, _, _ = run_cli(capsys, "remind", "gentle-mobility", "--every", every, "--no-bell")
    assert status == 0
    remind = opened[0]["remind"]
    assert remind.every == timedelta(seconds=seconds)
    assert remind.item.entry.name == "gentle-mobility"
    assert opened[0]["bell"] is False


def test_between_gives_the_window(capsys, opened) -> None:
    assert run_cli(capsys, "remind", "--between", "22:00-02:00", "--notify")[0] == 0
    assert opened[0]["remind"].window == Window(time(22), time(2))
    assert opened[0]["notify"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--every", "0"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got '0')",
        ),
        (
            ["--every", "-5m"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got '-5m')",
        ),
        (
            ["--every=-5m"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got '-5m')",
        ),
        (
            ["--every", "abc"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got 'abc')",
        ),
        (
            ["--every", "30s"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got '30s')",
        ),
        (
            ["--every", "25h"],
            "--every must be a duration from 1m to 24h, such as 45m, 1h or 1h30m (got '25h')",
        ),
        (["--every", "45"], "--every needs a unit: 45m for minutes, 45h for hours"),
        (
            ["--every", "1m70s"],
            '--every has 70 seconds after the minutes, which is a minute or more: did you mean "2m10s"? (got "1m70s")',
        ),
        (
            ["--between", "25:00-18:00"],
            "--between has 25:00, which is not a time of the day (00:00 to 23:59) (got '25:00-18:00')",
        ),
        (
            ["--between", "09:00-09:00"],
            "--between starts and ends at the same time: give the hours breaks fall in (got '09:00-09:00')",
        ),
        (
            ["--between", "nine to five"],
            "--between must be two times of the day, such as 09:00-18:00 (got 'nine to five')",
        ),
        (
            ["--every", "2h", "--between", "09:00-10:00"],
            "--every 2h is longer than the window 09:00–10:00 (1 h): no break would ever be due",
        ),
        (["desk-brake"], "desk-brake: no program by that name; did you mean desk-break?"),
        (["hamstring"], "hamstring: no program by that name; did you mean seated-hamstring?"),
        (["nowhere/x.toml"], "nowhere/x.toml: no such program file"),
    ],
)
def test_bad_arguments_are_one_line(capsys, opened, args: list[str], message: str) -> None:
    assert run_cli(capsys, "remind", *args) == (1, "", f"spasmtimer: {message}\n")
    assert opened == []


def test_an_invalid_program_says_where(capsys, opened, write) -> None:
    path = write("bad.toml", '[[steps]]\ntype = "rest"\nseconds = -5\n')
    status, out, err = run_cli(capsys, "remind", str(path))
    assert (status, out) == (1, "")
    assert "bad.toml:3" in err and "must be greater than 0" in err


def test_help_ends_with_examples(capsys) -> None:
    status, out, _ = run_cli(capsys, "remind", "--help")
    assert status == 0
    assert out.rstrip().endswith("spasmtimer remind --plain >> ~/breaks.log")
    assert "tmux split-window -h -l 30 'spasmtimer remind'" in out
