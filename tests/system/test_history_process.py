"""History written by real `run --plain` processes: concurrent runs, signals, ratings."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.cli import main
from spasmtimer.history.store import History
from tests.support import quick_program, start_plain


def test_two_concurrent_runs_both_record(tmp_path: Path) -> None:
    program = quick_program(tmp_path)
    runs = [start_plain(program) for _ in range(2)]
    for run in runs:
        _, errors = run.communicate(timeout=60)
        assert run.returncode == 0, errors
    rows = History.open(history_file()).sessions()
    assert [(r.program, r.status) for r in rows] == [("quick", "completed")] * 2


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_killed_run_is_recorded_as_stopped(tmp_path: Path, signum: int) -> None:
    program = quick_program(tmp_path, seconds=600)
    run = start_plain(program, stdin=subprocess.PIPE)
    assert run.stdin and run.stdout
    run.stdin.write("4\n")
    run.stdin.flush()
    run.stdout.readline()  # the session is under way
    time.sleep(0.3)
    run.send_signal(signum)
    assert run.wait(timeout=10) == 128 + signum
    path = history_file()
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    [row] = History.open(path).sessions()
    assert (row.status, row.pain_before) == ("stopped", 4)
    assert row.ended_at is not None and timedelta(0) < row.ended_at - row.started_at < timedelta(
        seconds=5
    )


def test_a_completed_plain_run_records_ratings_and_raises_the_level(tmp_path: Path, capsys) -> None:
    program = tmp_path / "quick.toml"
    program.write_text(
        'prepare = 0\n[[steps]]\ntype = "stretch"\nhold = 0.2\n'
        "progress = { hold = { by = 0.1, max = 1 } }\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
        input="5\n3\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    [row] = History.open(history_file()).sessions()
    assert (row.status, row.pain_before, row.pain_after, row.level) == ("completed", 5, 3, 0)
    assert main(["plan", str(program), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == 1


def test_a_run_cut_off_by_sighup_is_taken_up_again(tmp_path: Path) -> None:
    program = tmp_path / "cut-off.toml"
    program.write_text(
        'prepare = 0\n[[steps]]\ntype = "stretch"\nname = "Knee"\nhold = 1.5\nreps = 4\nrest = 0\n'
    )
    run = start_plain(program, stdin=subprocess.PIPE)
    assert run.stdin and run.stdout
    run.stdin.write("5\n")
    run.stdin.flush()
    run.stdout.readline()
    run.stdout.readline()  # into the second hold: 1.5 s in
    time.sleep(0.5)
    run.send_signal(signal.SIGHUP)
    assert run.wait(timeout=10) == 129
    [stopped] = History.open(history_file()).sessions()
    assert stopped.status == "stopped" and 1.5 < stopped.position < 3
    again = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain", "--resume"],
        input="2\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr
    get_ready, first = again.stdout.splitlines()[:2]
    # a get-ready of 3 s (the program has none of its own), then on at the stopped second
    assert get_ready.endswith("Get ready, 3 s, to go on where it stopped. Next: Knee.")
    assert first.startswith("0:0") and "Knee, rep 2 of 4: hold" in first
    assert "Taking it up again at 0:0" in again.stderr
    [row] = History.open(history_file()).sessions()  # the same session
    assert (row.id, row.status, row.pain_before, row.pain_after) == (stopped.id, "completed", 5, 2)
    assert row.done_seconds == pytest.approx(6, abs=0.3) and row.counted


def test_without_resume_a_plain_run_starts_over_and_says_how(tmp_path: Path) -> None:
    program = tmp_path / "cut-off.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "stretch"\nhold = 1\nreps = 5\nrest = 0\n')
    run = start_plain(program)
    assert run.stdout
    run.stdout.readline()
    time.sleep(1.2)
    run.send_signal(signal.SIGTERM)
    run.wait(timeout=10)
    again = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "spasmtimer run cut-off --resume" in again.stderr
    assert again.stdout.startswith("0:00")
    assert len(History.open(history_file()).sessions()) == 2
