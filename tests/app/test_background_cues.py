"""The app's background cues, read back through a terminal model: the title counts down and
is given back however the session ends; notifications come at each new step, each side
switch and the end, only where asked for or known to show."""

from __future__ import annotations

import pytest

from spasmtimer.app import SpasmtimerApp
from spasmtimer.app.terminal_cues import RESTORE_TITLE, SAVE_TITLE
from tests.app_support import Recorded, advance, make_app, through_the_session
from tests.support import DATA, FakeClock
from tests.terminal_model import feed

SHORT = DATA / "app" / "short.toml"
UNKNOWN = {"TERM": "xterm-256color"}


def app_writing_to(
    out: list[str], clock: FakeClock, *, environ: dict[str, str] = UNKNOWN, notify: bool = False
) -> SpasmtimerApp:
    return make_app(
        clock, Recorded(), run=SHORT, environ=environ, terminal_out=out.append, notify=notify
    )


def notifications(out: list[str]) -> list[str]:
    return [s for s in out if s.startswith(("\x1b]9;", "\x1b]777;", "\x1b]99;", "\x1bPtmux;"))]


async def test_the_title_counts_down_and_notifications_come_when_asked(clock: FakeClock) -> None:
    out: list[str] = []
    app = app_writing_to(out, clock, notify=True)
    async with app.run_test() as pilot:
        await pilot.pause()
        await advance(pilot, clock, 2)
        await advance(pilot, clock, 3.5)  # 0.5 s into the first hold
        screen = feed("".join(out).encode())
        assert screen.titles[:3] == [
            "0:05 · Get ready",
            "0:03 · Get ready",
            "0:15 · Knee to chest · left, rep 1 of 2",
        ]
        await through_the_session(pilot, clock)
    assert out[0] == SAVE_TITLE
    assert feed("".join(out).encode()).title == "the shell's title"
    assert notifications(out) == [
        "\x1b]9;Short stretch: Knee to chest — hold, left, rep 1 of 2, 15 s\x07",
        "\x1b]9;Short stretch: Switch sides — right, 15 s\x07",
        "\x1b]9;Short stretch: Switch sides — right, 15 s\x07",
        "\x1b]9;Short stretch: Slow breathing — breathe in, cycle 1 of 2, 4 s\x07",
        "\x1b]9;Short stretch: Session complete — 1 min 55 s done\x07",
    ]


async def test_no_notifications_on_an_unknown_terminal_by_default(clock: FakeClock) -> None:
    out: list[str] = []
    app = app_writing_to(out, clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        await through_the_session(pilot, clock)
    assert notifications(out) == []
    assert SAVE_TITLE in out and RESTORE_TITLE in out


async def test_a_known_terminal_in_tmux_gets_them_wrapped(clock: FakeClock) -> None:
    out: list[str] = []
    environ = {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color", "KITTY_WINDOW_ID": "1"}
    app = app_writing_to(out, clock, environ=environ)
    async with app.run_test() as pilot:
        await pilot.pause()
        await advance(pilot, clock, 5.5)
    sent = notifications(out)
    assert sent and all(s.startswith("\x1bPtmux;\x1b\x1b]99;") for s in sent)
    assert not any(s.startswith("\x1bPtmux;\x1b\x1b]2;") for s in out)  # the title: tmux's rules


@pytest.mark.parametrize("ending", ["q y", "ctrl+c", "sigterm", "sighup"])
async def test_the_title_is_given_back_however_the_session_ends(
    clock: FakeClock, ending: str
) -> None:
    out: list[str] = []
    app = app_writing_to(out, clock)
    async with app.run_test() as pilot:
        await pilot.pause()
        await advance(pilot, clock, 7)
        if ending == "q y":
            await pilot.press("q", "y")
        elif ending == "ctrl+c":
            await pilot.press("ctrl+c")
        else:
            app.interrupt(143 if ending == "sigterm" else 129)
        await pilot.pause()
    screen = feed("".join(out).encode())
    assert screen.titles and screen.title == "the shell's title"
    assert out.count(SAVE_TITLE) == out.count(RESTORE_TITLE) == 1
