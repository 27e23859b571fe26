"""`run --plain` as a real process: on time, quiet on signals, a bell on a terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.store import History
from tests.support import program_of_short_phases, start_plain


def sessions_recorded() -> list[SessionRecord]:
    if not history_file().exists():
        return []
    history = History.open(history_file())
    try:
        return history.sessions()
    finally:
        history.close()


def test_a_real_plain_run_announces_every_phase_on_time(tmp_path: Path) -> None:
    # 30 phases of 0.1 s. The benchmark measures the 20 ms target over 200 phases; this only
    # guards against drift (counting ticks would add up to far more than the slack here).
    path = program_of_short_phases(tmp_path, 30)
    proc = start_plain(path)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    started = time.monotonic()
    rest = proc.stdout.read()
    proc.wait(timeout=30)
    ended = time.monotonic()
    assert proc.returncode == 0
    lines = [first, *rest.splitlines()]
    assert len(lines) == 30
    assert ended - started == pytest.approx(3.0, abs=0.25)


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
)
def test_signals_end_the_run_promptly_without_a_traceback(
    tmp_path: Path, signum: int, status: int
) -> None:
    path = program_of_short_phases(tmp_path, 10, seconds=60)
    proc = start_plain(path)
    assert proc.stdout is not None and proc.stderr is not None
    assert "hold, 1 min" in proc.stdout.readline()
    sent = time.monotonic()
    proc.send_signal(signum)
    proc.wait(timeout=10)
    assert time.monotonic() - sent < 2
    assert proc.returncode == status
    assert "Traceback" not in proc.stderr.read()


def read_all(controller: int) -> bytes:
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 10)
        if not ready:
            break
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        output += chunk
    return output


def test_bel_is_written_when_stdout_is_a_terminal(tmp_path: Path) -> None:
    path = program_of_short_phases(tmp_path, 3)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=subprocess.DEVNULL,
    )
    os.close(terminal)
    output = read_all(controller)
    proc.wait(timeout=10)
    os.close(controller)
    assert output.count(b"\a") == 3
    assert output.count(b"hold, 0.1 s") == 3


def test_piped_the_bel_is_written_to_stderr_when_that_is_a_terminal(tmp_path: Path) -> None:
    """Issue: `run --plain | cat` rang no bell, though stderr was still the terminal."""
    path = program_of_short_phases(tmp_path, 3)
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    on_the_terminal = read_all(controller)
    out, _ = proc.communicate(timeout=10)
    os.close(controller)
    assert on_the_terminal.count(b"\a") == 3
    assert b"\a" not in out and out.count(b"hold, 0.1 s") == 3


def test_an_input_that_cannot_be_read_is_taken_as_ended(tmp_path: Path) -> None:
    # `nohup spasmtimer run x` gives stdin a /dev/null opened only for writing: asking the pain
    # before the session failed with "internal error: OSError: Bad file descriptor".
    path = program_of_short_phases(tmp_path, 3)
    with open(os.devnull, "w") as write_only:
        proc = start_plain(path, stdin=write_only.fileno())
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.count("hold, 0.1 s") == 3
    assert "Session complete" in err
    assert "error" not in err


def test_a_reader_that_goes_away_stops_the_session_and_says_so(tmp_path: Path) -> None:
    """``run --plain | head -1``: the session stops at the next line, recorded as stopped,
    with the status a shell gives a process that SIGPIPE ended."""
    path = program_of_short_phases(tmp_path, 10, seconds=0.2)
    proc = start_plain(path)
    assert proc.stdout is not None and proc.stderr is not None
    assert "hold" in proc.stdout.readline()
    proc.stdout.close()
    assert proc.wait(timeout=10) == 128 + signal.SIGPIPE
    said = proc.stderr.read()
    assert "spasmtimer: the output was closed; the session stopped at 0:0" in said
    assert "Traceback" not in said
    [row] = sessions_recorded()
    assert row.status == "stopped" and 0 < row.done_seconds < 2


def test_a_full_disk_under_the_output_stops_the_session_and_says_so(tmp_path: Path) -> None:
    path = program_of_short_phases(tmp_path, 3)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 1
    assert proc.stderr.endswith(
        "spasmtimer: cannot write the output: No space left on device; the session stopped "
        "at 0:00.\n"
    )


def test_output_and_messages_to_a_reader_gone_at_once_end_with_sigpipes_status(
    tmp_path: Path,
) -> None:
    path = program_of_short_phases(tmp_path, 3)
    reader, writer = os.pipe()
    os.close(reader)
    proc = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
        stdin=subprocess.DEVNULL,
        stdout=writer,
        stderr=writer,
        timeout=30,
    )
    os.close(writer)
    assert proc.returncode == 128 + signal.SIGPIPE
    assert sessions_recorded() == []  # it did not start
