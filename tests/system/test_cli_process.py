"""The command line as a separate process: the console script, pipes, and stdout that is not a
terminal."""

from __future__ import annotations

import subprocess
import sys


def test_the_console_script_runs_and_keeps_tracebacks_away(tmp_path) -> None:
    broken = tmp_path / "b.toml"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "check", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "binary file" in result.stderr
    assert "Traceback" not in result.stderr


def test_plan_piped_into_a_closed_reader_is_quiet(tmp_path) -> None:
    result = subprocess.run(
        f"{sys.executable} -m spasmtimer plan spasm-first-aid | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "Spasm first aid"
    assert "Traceback" not in result.stderr


def test_run_is_plain_when_stdout_is_not_a_terminal(tmp_path) -> None:
    path = tmp_path / "quick.toml"
    path.write_text('title = "Quick"\nprepare = 0.2\n[[steps]]\ntype = "rest"\nseconds = 0.3\n')
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(path)],
        input="1\n0\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "0:00  Get ready, 0.2 s. Next: Rest.",
        "0:00  Rest: rest, 0.3 s.",
    ]
    assert "Session complete" in result.stderr


def test_plain_lines_stay_one_line_whatever_the_names_hold(tmp_path) -> None:
    path = tmp_path / "nl.toml"
    path.write_text(
        'prepare = 0\n[[steps]]\ntype = "rest"\nname = """Two\nlines"""\nseconds = 0.1\n'
        'cue = """Lie\n\nstill"""\n'
    )
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.splitlines() == ["0:00  Two lines: rest, 0.1 s. Lie still"]
