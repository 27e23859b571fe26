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

from spasmtimer.cli import main
from spasmtimer.history import History
from spasmtimer.locations import history_file
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
