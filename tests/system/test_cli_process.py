"""The command line as a separate process: the console script, pipes, and stdout that is not a
terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pty_support import Pty


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


# --- standard streams that are not what they usually are ----------------------------------


def hold_program(home: Path) -> tuple[Path, dict[str, str]]:
    """A minute's hold, and an environment of its own with the safety notice seen."""
    program = home / "hold.toml"
    program.write_text('title = "Long hold"\nprepare = 0\n[[steps]]\ntype = "stretch"\nhold = 60\n')
    (home / "data" / "spasmtimer").mkdir(parents=True)
    (home / "data" / "spasmtimer" / "safety-seen").touch()
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TERM": "xterm-256color",
    }
    return program, env


@pytest.mark.parametrize("stderr", ["2>{log}", "2>&-"], ids=["to-a-file", "closed"])
def test_the_app_draws_on_the_terminal_when_stderr_is_sent_elsewhere(
    tmp_path: Path, stderr: str
) -> None:
    # `spasmtimer run x 2>errors.log`: Textual draws on stderr, so the screen went to the log
    # (with stderr closed, nowhere: the app hung, blank).
    program, env = hold_program(tmp_path)
    log = tmp_path / "errors.log"
    redirect = stderr.format(log=log)
    command = f"exec {sys.executable} -m spasmtimer run {program} {redirect}"
    with Pty(["sh", "-c", command], env=env) as app:
        app.read_until(b"HOLD")
        app.send(b"\x03")
        assert app.wait(timeout=15) == 130
    assert b"\x1b[?1049h" in app.output
    if log.exists():
        assert "\x1b" not in log.read_text()


def test_run_is_plain_when_stdin_is_no_terminal(tmp_path: Path) -> None:
    # `nohup spasmtimer run x` on a terminal: stdin is a write-only /dev/null, and the app had
    # no keys to read (it ended at once, status 0, the session recorded as stopped).
    program, env = hold_program(tmp_path)
    command = f"exec {sys.executable} -m spasmtimer run {program} 0>/dev/null"
    with Pty(["sh", "-c", command], env=env) as app:
        app.read_until(b"0:00  Stretch: hold, 1 min.")
        os.kill(app.pid, signal.SIGINT)
        assert app.wait(timeout=15) == 130
    assert b"\x1b[?1049h" not in app.output


def test_output_that_cannot_take_a_character_gets_a_question_mark(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "plan", "desk-break"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Level 0 ? " in result.stdout


def test_a_full_disk_under_the_output_is_one_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "spasmtimer", "list"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == "spasmtimer: cannot write the output: No space left on device\n"


def test_the_app_keeps_its_parsed_css_for_the_next_start(tmp_path: Path) -> None:
    program, env = hold_program(tmp_path)
    kept = tmp_path / "cache" / "spasmtimer"
    for start in ("first", "second"):
        command = [sys.executable, "-m", "spasmtimer", "run", str(program), "--resume"]
        with Pty(command, env=env) as app:
            app.read_until(b"HOLD")
            # Its footer's keys drawn too: both starts then have styled the same widgets (the
            # second takes the session up again, after a get-ready the first did not have).
            app.read_until(b"Pause/resume")
            app.send(b"\x03")
            assert app.wait(timeout=15) == 130
        [css] = kept.glob("css-*.pickle")
        if start == "first":
            written = css.stat().st_mtime_ns
    # The second start parsed nothing new, so it had nothing to write.
    assert css.stat().st_mtime_ns == written


def test_the_app_on_a_dumb_terminal_says_why_it_is_not_shown(tmp_path: Path) -> None:
    """Issue: `TERM=dumb spasmtimer` printed the usage and exited 0, without saying why."""
    _, env = hold_program(tmp_path)
    with Pty([sys.executable, "-m", "spasmtimer"], env={**env, "TERM": "dumb"}) as app:
        status = app.wait(timeout=30)
        said = bytes(app.output).decode()
    assert status == 2
    assert "spasmtimer: the app cannot be shown here: TERM is dumb" in said
    assert "spasmtimer run PROGRAM` runs a session as plain text" in said
    assert "usage: spasmtimer" in said
    piped = subprocess.run(
        [sys.executable, "-m", "spasmtimer"], capture_output=True, text=True, env=env, timeout=60
    )
    assert piped.returncode == 2 and "its output is not a terminal" in piped.stderr
    assert piped.stdout.startswith("usage: spasmtimer")
