"""`remind --plain` as a real process, reading a real history: one flushed line when a break
is due and nothing with an escape sequence; put off by a session another process records;
quiet on Ctrl-C. Its shortest wait is a minute, so the history is made to say a break was
taken almost that long ago: the due moment comes from the same rule a person meets."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.history.store import History
from tests.support import quick_program, start_plain


def took_a_break(program: str, seconds_ago: float, history_at: Path | None = None) -> None:
    """Record a completed session of ``program`` that ended ``seconds_ago``."""
    history = History.open(history_at or history_file())
    ended = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    sid = history.begin(
        program=program,
        title=program,
        path="/x",
        content_hash="h",
        level=0,
        planned_seconds=1.5,
        started_at=ended - timedelta(seconds=1.5),
        pain_before=None,
    )
    history.end(sid, completed=True, ended_at=ended, done_seconds=1.5)
    history.close()


def remind(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "remind", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def line_within(proc: subprocess.Popen[str], seconds: float) -> str | None:
    """The next line on ``proc``'s stdout, if one comes within ``seconds``."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    return proc.stdout.readline() if ready else None


def stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C: exit 130, quietly. Returns what it said on stderr."""
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=10)
    assert proc.returncode == 130
    assert proc.stderr is not None
    return proc.stderr.read()


@pytest.mark.parametrize("plain", [["--plain"], []], ids=["--plain", "stdout-a-pipe"])
def test_a_due_break_is_one_flushed_line(plain: list[str]) -> None:
    took_a_break("desk-break", seconds_ago=57)
    started = time.monotonic()
    proc = remind("--every", "1m", *plain)
    try:
        line = line_within(proc, 20)
        waited = time.monotonic() - started
        assert line is not None, "no line within 20 s"
        # Read while the process still runs: the line was flushed, not left in a buffer.
        assert proc.poll() is None
        assert waited < 8  # due 3 s after it began (plus Python's start-up), not a minute
        assert line.endswith("  Time for a break: Desk break, 4:17. spasmtimer run desk-break\n")
        assert datetime.strptime(line[:5], "%H:%M")
        assert "\x1b" not in line and "\x07" not in line
        assert line_within(proc, 2) is None  # one line per break, nothing between
    finally:
        err = stop(proc) if proc.poll() is None else ""
    assert err.startswith("spasmtimer: reminding: Desk break every 1 min; the next break at ")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_session_recorded_by_another_process_puts_the_break_off(tmp_path: Path) -> None:
    """A session of any program, run in another terminal, is a break: the reminders of
    "quick" are put off by a session of "other". The control reads a history of its own,
    where nothing happens."""
    program = quick_program(tmp_path)  # 1.5 s, recorded as "quick"
    other = tmp_path / "other.toml"
    other.write_text(program.read_text())
    control_data = tmp_path / "control-data"
    for history_at in (None, control_data / "spasmtimer" / "history.sqlite3"):
        if history_at is not None:
            history_at.parent.mkdir(parents=True)
        took_a_break("quick", seconds_ago=50, history_at=history_at)  # due in 10 s
    put_off = remind(str(program), "--every", "1m", "--plain")
    control_env = {**os.environ, "XDG_DATA_HOME": str(control_data)}
    control = remind(str(program), "--every", "1m", "--plain", env=control_env)
    try:
        time.sleep(1)
        session = start_plain(other)  # another terminal runs another program
        session.communicate(timeout=30)
        assert session.returncode == 0
        said = line_within(control, 15)
        assert said is not None and "Time for a break: Quick" in said
        # Due with the other had nothing happened; now a minute after that session.
        assert line_within(put_off, 0.5) is None
        assert put_off.poll() is None
    finally:
        stop(put_off)
        stop(control)


def test_bad_arguments_are_one_line_and_exit_1() -> None:
    for args in (["--every", "-5m"], ["--between", "25:00-18:00"], ["desk-brake"]):
        proc = remind(*args)
        out, err = proc.communicate(timeout=30)
        assert (proc.returncode, out) == (1, ""), args
        assert err.count("\n") == 1 and err.startswith("spasmtimer: "), err
