"""The terminal's title, notifications and tab progress: which terminal gets what, the exact
sequences, and a title that changes at most once a second and is always given back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from spasmtimer.app.terminal_cues import (
    CLEAR_PROGRESS,
    RESTORE_TITLE,
    SAVE_TITLE,
    BackgroundCues,
    Protocol,
    Terminal,
    detect,
    for_tmux,
    notification_sequence,
    notifications_for,
    progress_sequence,
    title_sequence,
)
from spasmtimer.base.text import CONTROL
from tests.support import FakeClock
from tests.terminal_model import feed


@pytest.mark.parametrize(
    ("env", "name", "notifications", "progress"),
    [
        ({"TERM": "xterm-kitty"}, "kitty", "osc99", False),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, "kitty", "osc99", False),
        ({"TERM_PROGRAM": "ghostty"}, "Ghostty", "osc9", True),
        ({"TERM": "xterm-ghostty"}, "Ghostty", "osc9", True),
        ({"TERM_PROGRAM": "WezTerm"}, "WezTerm", "osc777", False),
        ({"TERM_PROGRAM": "iTerm.app"}, "iTerm2", "osc9", False),
        ({"LC_TERMINAL": "iTerm2", "TERM": "xterm-256color"}, "iTerm2", "osc9", False),  # ssh
        ({"TERM_PROGRAM": "WarpTerminal"}, "Warp", "osc9", False),
        ({"TERM": "foot"}, "foot", "osc777", False),
        ({"TERM": "rxvt-unicode-256color"}, "rxvt-unicode", "osc777", False),
        ({"WT_SESSION": "x", "TERM": "xterm-256color"}, "Windows Terminal", None, True),
        ({"TERM": "xterm-256color"}, "unknown", None, False),
        ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, "unknown", None, False),
        ({}, "unknown", None, False),
    ],
)
def test_a_terminal_is_known_by_its_environment(
    env: dict[str, str], name: str, notifications: Protocol | None, progress: bool
) -> None:
    assert detect(env) == Terminal(name, notifications, progress, tmux=False)


def test_inside_tmux_the_outer_terminal_is_known_by_what_tmux_passes_on() -> None:
    env = {"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "tmux-256color", "KITTY_WINDOW_ID": "1"}
    assert detect(env) == Terminal("kitty", "osc99", False, tmux=True)
    assert detect({"TMUX": "x", "TERM": "screen"}) == Terminal("unknown", tmux=True)


@pytest.mark.parametrize(
    ("setting", "asked", "known", "unknown"),
    [
        ("auto", False, "osc99", None),
        ("on", False, "osc99", "osc9"),
        ("off", False, None, None),
        ("off", True, "osc99", "osc9"),  # run --notify, for this run
        ("auto", True, "osc99", "osc9"),
    ],
)
def test_notifications_by_default_only_where_they_are_known_to_show(
    setting: str, asked: bool, known: Protocol | None, unknown: Protocol | None
) -> None:
    kitty, other = Terminal("kitty", "osc99"), Terminal("unknown")
    assert notifications_for(setting, kitty, asked=asked) == known
    assert notifications_for(setting, other, asked=asked) == unknown


def test_the_sequences() -> None:
    assert title_sequence("0:23 · Knee to chest · left") == "\x1b]2;0:23 · Knee to chest · left\x07"
    assert notification_sequence("osc9", "Desk break", "Switch sides — right, 20 s") == (
        "\x1b]9;Desk break: Switch sides — right, 20 s\x07"
    )
    assert notification_sequence("osc777", "A;B", "c;d") == "\x1b]777;notify;A,B;c,d\x07"
    assert notification_sequence("osc9", "4;50", "x;y") == "\x1b]9;4,50: x,y\x07"  # no command
    assert notification_sequence("osc99", "T", "B") == (
        "\x1b]99;i=1:d=0;T\x1b\\\x1b]99;i=1:d=1:p=body;B\x1b\\"
    )
    assert progress_sequence(0.426) == "\x1b]9;4;1;43\x07"
    assert for_tmux("\x1b]9;hi\x07") == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"


HOSTILE = "Knee\x1b]0;pwned\x07\x9d52;c;x\x9c\nnext line\x1b\\"


@pytest.mark.parametrize(
    "make",
    [
        title_sequence,
        lambda text: notification_sequence("osc9", text, text),
        lambda text: notification_sequence("osc777", text, text),
        lambda text: notification_sequence("osc99", text, text),
    ],
)
def test_no_text_can_end_a_sequence_or_start_another(make: Callable[[str], str]) -> None:
    sequence = make(HOSTILE)
    # Only the sequence's own frame holds controls: an ESC at the start and its terminator.
    frames = sequence.split("\x1b\\") if sequence.endswith("\x1b\\") else [sequence[:-1]]
    for frame in frames:
        if frame:
            assert frame.startswith("\x1b]") and CONTROL.search(frame[2:]) is None, frame
    assert "pwned" in sequence and "\n" not in sequence


def test_a_long_title_is_cut_short() -> None:
    assert len(title_sequence("x" * 500)) == len("\x1b]2;\x07") + 80


# --- the cues of a session ----------------------------------------------------------------


class Out:
    """What was written, and the timers asked for."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.timers: list[tuple[float, Callable[[], None]]] = []

    def later(self, seconds: float, call: Callable[[], None]) -> None:
        self.timers.append((seconds, call))


KITTY = Terminal("kitty", "osc99")


def cues(clock: FakeClock, terminal: Terminal = KITTY) -> tuple[BackgroundCues, Out]:
    out = Out()
    made = BackgroundCues(
        out.written.append,
        terminal,
        clock,
        out.later,
        title=True,
        notifications="osc99",
        progress=True,
    )
    return made, out


def test_the_title_changes_at_most_once_a_second_and_is_given_back(clock: FakeClock) -> None:
    background, out = cues(clock)
    background.start()
    background.show("0:05 · Get ready", 0.0)
    background.show("0:05 · Get ready", 0.0)  # the same: nothing written
    clock.advance(0.5)
    background.show("PAUSED · Get ready", 0.0)  # too soon: held back, with a timer
    assert out.written == [SAVE_TITLE, title_sequence("0:05 · Get ready")]
    [(wait, call)] = out.timers
    assert wait == pytest.approx(0.45)
    clock.advance(wait)
    call()
    assert out.written[-1] == title_sequence("PAUSED · Get ready")
    background.stop()
    background.stop()  # once only
    assert out.written[-1] == RESTORE_TITLE
    screen = feed("".join(out.written).encode())
    assert screen.titles == ["0:05 · Get ready", "PAUSED · Get ready"]
    assert screen.title == "the shell's title"  # given back


def test_progress_only_where_shown_and_only_when_its_percentage_moves(clock: FakeClock) -> None:
    background, out = cues(clock, Terminal("Ghostty", "osc9", progress=True))
    background.start()
    for fraction in (0.0, 0.001, 0.004, 0.5, 0.501):
        background.show("t", fraction)
    assert [w for w in out.written if "9;4" in w] == [
        progress_sequence(0.0),
        progress_sequence(0.5),
    ]
    background.stop()
    assert out.written[-1] == CLEAR_PROGRESS
    quiet, out = cues(clock, Terminal("kitty", "osc99"))
    quiet.start()
    quiet.show("t", 0.5)
    quiet.stop()
    assert not [w for w in out.written if "9;4" in w]


def test_inside_tmux_notifications_and_progress_are_wrapped_but_not_the_title(
    clock: FakeClock,
) -> None:
    background, out = cues(clock, Terminal("Ghostty", "osc777", progress=True, tmux=True))
    background.start()
    background.show("0:10 · Hold", 0.25)
    background.notify("Desk break", "Switch sides")
    background.stop()
    assert out.written == [
        SAVE_TITLE,
        title_sequence("0:10 · Hold"),
        for_tmux(progress_sequence(0.25)),
        for_tmux(notification_sequence("osc99", "Desk break", "Switch sides")),
        RESTORE_TITLE,
        for_tmux(CLEAR_PROGRESS),
    ]


def test_nothing_when_the_settings_say_so(clock: FakeClock) -> None:
    out = Out()
    background = BackgroundCues(
        out.written.append,
        Terminal("Ghostty", "osc9", progress=True),
        clock,
        out.later,
        title=False,
        notifications=None,
        progress=False,
    )
    background.start()
    background.show("0:10 · Hold", 0.5)
    background.notify("a", "b")
    background.stop()
    assert out.written == []
