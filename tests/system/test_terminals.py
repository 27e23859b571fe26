"""Every terminal people use: the app runs, takes keys and restores the terminal on the way
out under each TERM; NO_COLOR turns colour off; TERM=dumb gets plain text."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import pytest

from tests.pty_support import Pty
from tests.support import safety_seen
from tests.terminal_model import feed

PROGRAM = """title = "Any terminal"
prepare = 1
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = 30
"""
SPASMTIMER = str(Path(sys.executable).parent / "spasmtimer")
LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "any.toml"
    path.write_text(PROGRAM)
    return path


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLORTERM")}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    env.update(extra)
    safety_seen(tmp_path / "data")
    return env


@pytest.mark.parametrize("term", ["xterm-256color", "tmux-256color", "screen", "linux", "vt100"])
def test_the_app_works_and_restores_the_terminal(term: str, program: Path, tmp_path: Path) -> None:
    with Pty([SPASMTIMER, "run", str(program)], environment(tmp_path, TERM=term)) as app:
        app.read_until(b"Any terminal")
        app.read_until(b"HOLD")
        app.send(b" ")
        app.read_until(b"PAUSED")
        app.send(b"q")
        app.read_until(b"Stop the session?")
        app.send(b"y")
        app.read_until(b"Stopped early")
        app.send(b"\x1b")  # close the summary without ratings
        assert app.wait() == 0
        tail = bytes(app.output[-400:])
        assert LEAVE_ALTERNATE_SCREEN in tail and SHOW_CURSOR in tail


def test_ctrl_c_quits_at_once_and_restores_the_terminal(program: Path, tmp_path: Path) -> None:
    with Pty(
        [SPASMTIMER, "run", str(program)], environment(tmp_path, TERM="xterm-256color")
    ) as app:
        app.read_until(b"HOLD")
        app.send(b"\x03")
        assert app.wait(timeout=5) == 130
        assert LEAVE_ALTERNATE_SCREEN in bytes(app.output[-400:])


def colours(output: bytes) -> set[tuple[int, ...]]:
    """Every foreground and background colour set by SGR codes, as RGB or palette indices."""
    found: set[tuple[int, ...]] = set()
    for params in re.findall(rb"\x1b\[([0-9;]*)m", output):
        codes = [int(p) for p in params.split(b";") if p]
        i = 0
        while i < len(codes):
            if codes[i] in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 2:
                    found.add(tuple(codes[i + 2 : i + 5]))
                    i += 5
                    continue
                if codes[i + 1] == 5:
                    found.add((codes[i + 2],))
                    i += 3
                    continue
            i += 1
    return found


def is_grey(colour: tuple[int, ...]) -> bool:
    if len(colour) == 3:
        return colour[0] == colour[1] == colour[2]
    # The 256-colour palette's greys: black, white, and the grey ramp.
    return colour[0] in (0, 7, 8, 15, 16, 231) or 232 <= colour[0] <= 255


def test_no_color_is_honoured(program: Path, tmp_path: Path) -> None:
    with Pty(
        [SPASMTIMER, "run", str(program)],
        environment(tmp_path, TERM="xterm-256color", NO_COLOR="1"),
    ) as app:
        app.read_until(b"HOLD")
        app.send(b" ")
        app.read_until(b"PAUSED")
        found = colours(bytes(app.output))
        assert found, "expected some (grey) styling"
        assert all(is_grey(c) for c in found), sorted(c for c in found if not is_grey(c))


def test_colour_is_there_without_no_color(program: Path, tmp_path: Path) -> None:
    # The check above can fail: here the same session does use colour.
    with Pty(
        [SPASMTIMER, "run", str(program)], environment(tmp_path, TERM="xterm-256color")
    ) as app:
        app.read_until(b"HOLD")
        assert not all(is_grey(c) for c in colours(bytes(app.output)))


def test_a_dumb_terminal_gets_plain_text(program: Path, tmp_path: Path) -> None:
    with Pty([SPASMTIMER, "run", str(program)], environment(tmp_path, TERM="dumb")) as app:
        app.read_until(b"Pain now (0-10, Enter to skip): ")
        app.send(b"\r")
        app.read_until(b"Knee to chest: hold, 30 s.")
        assert b"\x1b[" not in bytes(app.output)
        app.send(b"\x03")
        assert app.wait(timeout=5) == 130


@pytest.mark.parametrize("ending", ["ctrl-c", "q y", "SIGTERM", "SIGHUP"])
def test_the_window_title_counts_down_and_is_given_back(tmp_path: Path, ending: str) -> None:
    program = tmp_path / "titled.toml"
    program.write_text(
        'title = "Titled"\nprepare = 0\n[[steps]]\ntype = "stretch"\nname = "Knee to chest"\nhold = 30\nsides = "both"\n'
    )
    with Pty(
        [SPASMTIMER, "run", str(program)], environment(tmp_path, TERM="xterm-256color")
    ) as app:
        app.read_until(b"0:28")  # two seconds into the hold: two titles at least
        if ending == "ctrl-c":
            app.send(b"\x03")
        elif ending == "q y":
            app.send(b"q")
            app.read_until(b"Stop the session?")
            app.send(b"y")
            app.read_until(b"Stopped early")
            app.send(b"\x1b")  # close the summary
        else:
            os.kill(app.pid, getattr(signal, ending))
        app.wait(timeout=10)
    screen = feed(bytes(app.output))
    assert "0:29 · Knee to chest · left" in screen.titles
    assert "0:28 · Knee to chest · left" in screen.titles
    assert screen.title == "the shell's title"  # CSI 23 t gave the terminal's own back


def test_the_library_shows_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A program from an archive made on another system ended the app with Textual's whole
    traceback: its name's bytes reached the terminal's UTF-8 output as lone surrogates."""
    folder = tmp_path / "config" / "spasmtimer" / "programs"
    folder.mkdir(parents=True)
    (folder / os.fsdecode(b"\xfcbung.toml")).write_text('[[steps]]\ntype = "rest"\nseconds = 5\n')
    with Pty([SPASMTIMER], environment(tmp_path, TERM="xterm-256color")) as app:
        app.read_until(b"xfcbung")
        app.send(b"q")
        assert app.wait() == 0
    assert b"Traceback" not in app.output and b"UnicodeEncodeError" not in app.output
