"""Cues that reach a terminal in the background: its window title, desktop notifications, and a
progress bar in its tab — all escape sequences, so they cross SSH like any output.

Terminals disagree on which of these they read, so the terminal is recognised from its
environment (`detect`) and only what it is known to show is sent. Inside tmux, notifications
and progress are wrapped for tmux's passthrough (``set -g allow-passthrough on``), while the
title is left to tmux's own rules (it becomes the pane's title, ``#T``).

Every text put in a sequence is made plain first (`spasmtimer.base.text.printable`), so that nothing
from a program can end a sequence early or start another.

No Textual here: `BackgroundCues` is given a function that writes to the terminal (the app
passes its driver's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import msgspec

from spasmtimer.base.clocks import Clock
from spasmtimer.base.text import one_line

Protocol = Literal["osc9", "osc777", "osc99"]
"""How a terminal is asked for a desktop notification."""

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

SAVE_TITLE = ESC + "[22;0t"
"""Push the window and icon titles onto the terminal's stack (xterm's CSI 22 t)."""
RESTORE_TITLE = ESC + "[23;0t"
"""Pop them back (CSI 23 t)."""
TITLE_LENGTH = 80
NOTIFICATION_LENGTH = 200


class Terminal(msgspec.Struct, frozen=True):
    """What a terminal is known to show, as far as its environment tells."""

    name: str
    """As the settings screen and the README name it; "unknown" when unrecognised."""
    notifications: Protocol | None = None
    """How it takes a notification; None where none is known to show."""
    progress: bool = False
    """It shows OSC 9;4 progress in its tab or taskbar."""
    tmux: bool = False
    """Running inside tmux, which needs sequences other than the title wrapped for it."""


# (what to look for, the terminal, how it notifies, whether it shows progress). The first that
# matches wins. Where sources disagree, the terminal's own documentation decides: Ghostty
# documents OSC 9 (ghostty.org/docs/vt/osc/9), WezTerm OSC 777 and 9, kitty OSC 99.
# Variables other than TERM survive tmux (they are inherited from where its server started)
# and LC_TERMINAL survives SSH (ssh forwards LC_* by default).
_KNOWN: tuple[tuple[tuple[str, str], str, Protocol | None, bool], ...] = (
    (("KITTY_WINDOW_ID", "*"), "kitty", "osc99", False),
    (("TERM", "xterm-kitty"), "kitty", "osc99", False),
    (("TERM_PROGRAM", "ghostty"), "Ghostty", "osc9", True),
    (("TERM", "xterm-ghostty"), "Ghostty", "osc9", True),
    (("GHOSTTY_RESOURCES_DIR", "*"), "Ghostty", "osc9", True),
    (("TERM_PROGRAM", "WezTerm"), "WezTerm", "osc777", False),
    (("TERM", "wezterm"), "WezTerm", "osc777", False),
    (("WEZTERM_PANE", "*"), "WezTerm", "osc777", False),
    (("TERM_PROGRAM", "iTerm.app"), "iTerm2", "osc9", False),
    (("LC_TERMINAL", "iTerm2"), "iTerm2", "osc9", False),
    (("ITERM_SESSION_ID", "*"), "iTerm2", "osc9", False),
    (("TERM_PROGRAM", "WarpTerminal"), "Warp", "osc9", False),
    (("TERM", "foot"), "foot", "osc777", False),
    (("TERM", "foot-extra"), "foot", "osc777", False),
    (("TERM", "rxvt-unicode"), "rxvt-unicode", "osc777", False),
    (("TERM", "rxvt-unicode-256color"), "rxvt-unicode", "osc777", False),
    (("WT_SESSION", "*"), "Windows Terminal", None, True),
    (("ConEmuPID", "*"), "ConEmu", None, True),
)


def detect(env: Mapping[str, str]) -> Terminal:
    """The terminal, from environment variables such as ``TERM``, ``TERM_PROGRAM`` and
    ``KITTY_WINDOW_ID``; `Terminal("unknown")` when none is recognised."""
    tmux = bool(env.get("TMUX"))
    for (variable, value), name, notifications, progress in _KNOWN:
        found = env.get(variable)
        if found and (value == "*" or found == value):
            return Terminal(name, notifications, progress, tmux)
    return Terminal("unknown", tmux=tmux)


def notifications_for(setting: str, terminal: Terminal, *, asked: bool = False) -> Protocol | None:
    """How to notify, if at all: ``setting`` is "auto", "on" or "off"; ``asked`` is
    ``run --notify``. "auto" notifies only a terminal known to show notifications; "on" (or
    ``--notify``) notifies any, with OSC 9 where nothing better is known."""
    if asked or setting == "on":
        return terminal.notifications or "osc9"
    return terminal.notifications if setting == "auto" else None


def _plain(text: str, limit: int) -> str:
    """One line of plain text, short enough for a title bar or a notification: a control
    character cannot end the sequence it is put in, nor start another."""
    line = " ".join(one_line(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def title_sequence(text: str) -> str:
    """Set the window title (OSC 2)."""
    return f"{ESC}]2;{_plain(text, TITLE_LENGTH)}{BEL}"


def notification_sequence(protocol: Protocol, heading: str, body: str) -> str:
    """A desktop notification, as ``protocol`` asks for one."""
    heading = _plain(heading, NOTIFICATION_LENGTH)
    body = _plain(body, NOTIFICATION_LENGTH)
    if protocol == "osc777":
        # Fields are separated by ";": one in the text would shift them.
        return f"{ESC}]777;notify;{heading.replace(';', ',')};{body.replace(';', ',')}{BEL}"
    if protocol == "osc99":
        # kitty: a title, then its body, both for notification 1 (d=0: more is coming).
        return f"{ESC}]99;i=1:d=0;{heading}{ST}{ESC}]99;i=1:d=1:p=body;{body}{ST}"
    # ConEmu, and terminals that follow it, read "OSC 9 ; <number> ; ..." as a command (9;4 is
    # progress): with no ";" in the text, no title can turn into one.
    return f"{ESC}]9;{heading.replace(';', ',')}: {body.replace(';', ',')}{BEL}"


def progress_sequence(fraction: float) -> str:
    """The tab's progress bar (OSC 9;4), 0 to 1."""
    percent = round(max(0.0, min(1.0, fraction)) * 100)
    return f"{ESC}]9;4;1;{percent}{BEL}"


CLEAR_PROGRESS = f"{ESC}]9;4;0;0{BEL}"
"""Take the progress bar away."""


def for_tmux(sequence: str) -> str:
    """``sequence`` wrapped in tmux's DCS passthrough, which hands it on to the outer
    terminal (with ``allow-passthrough on``): every ESC inside is doubled."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


# --- the cues of a session ------------------------------------------------------------


TITLE_EVERY = 0.95
"""The title changes at most about once a second: a title bar needs no more, and a slow link
pays for each change. (A hair under a second: the screen's ticks, one a second, are not exact.)"""


class BackgroundCues:
    """Title, notifications and progress for the sessions of one app."""

    def __init__(
        self,
        write: Callable[[str], None],
        terminal: Terminal,
        clock: Clock,
        later: Callable[[float, Callable[[], None]], object],
        *,
        title: bool,
        notifications: Protocol | None,
        progress: bool,
    ) -> None:
        self._write = write
        self.terminal = terminal
        self.clock = clock
        self._later = later
        """Calls a function after so many seconds (the app's timer)."""
        self.title = title
        self.notifications = notifications
        """The protocol to notify with; None: no notifications."""
        self.progress = progress and terminal.progress
        self._running = False
        self._title_shown: str | None = None
        self._title_at = -float("inf")
        self._title_waiting: str | None = None
        """A title held back by `TITLE_EVERY`, written when its time comes."""
        self._percent: int | None = None

    def _send(self, sequence: str) -> None:
        """A sequence meant for the outer terminal: wrapped for tmux's passthrough inside it."""
        self._write(for_tmux(sequence) if self.terminal.tmux else sequence)

    def start(self) -> None:
        """A session begins: save the title to give it back at the end."""
        if self._running:
            return
        self._running = True
        if self.title:
            # Not wrapped in tmux: the title follows tmux's own rules there.
            self._write(SAVE_TITLE)

    def show(self, title: str, fraction: float) -> None:
        """The session's state now: the title, at most once a `TITLE_EVERY` and only when it
        changes, and the tab's progress, only when its percentage does."""
        if not self._running:
            return
        if self.title:
            self._show_title(title)
        percent = round(fraction * 100)
        if self.progress and percent != self._percent:
            self._percent = percent
            self._send(progress_sequence(fraction))

    def _show_title(self, title: str) -> None:
        if title == self._title_shown:
            self._title_waiting = None
            return
        wait = self._title_at + TITLE_EVERY - self.clock()
        if wait <= 0:
            self._title_shown, self._title_at, self._title_waiting = title, self.clock(), None
            self._write(title_sequence(title))
        elif self._title_waiting is None:
            self._title_waiting = title
            self._later(wait, self._waited)
        else:
            self._title_waiting = title  # a timer is set already: it writes the latest

    def _waited(self) -> None:
        if self._running and self._title_waiting is not None:
            self._show_title(self._title_waiting)

    def notify(self, heading: str, body: str) -> None:
        if self._running and self.notifications is not None:
            self._send(notification_sequence(self.notifications, heading, body))

    def stop(self) -> None:
        """The session is over (or the app is going): give the title back, clear the bar."""
        if not self._running:
            return
        self._running = False
        if self.title:
            self._write(RESTORE_TITLE)
        if self.progress and self._percent is not None:
            self._send(CLEAR_PROGRESS)
        self._title_shown, self._title_waiting, self._percent = None, None, None
        self._title_at = -float("inf")
