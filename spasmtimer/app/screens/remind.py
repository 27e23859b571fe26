"""Break reminders (``spasmtimer remind``): the time to the next break, in large digits; and
when one is due, the program with Enter to start it, ``s`` to snooze and Esc to skip.

It renders `Reminders.state()` and forwards keys: when a break is due, and what moves it,
is worked out in `spasmtimer.session.reminders`. Between two looks it sleeps until the countdown's
next whole second (and, once a break is due, until the next look at the history). While a
session or a notice is shown over it, it does not look at all: it looks again when it is
shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer

from spasmtimer.app.messages import RunProgram
from spasmtimer.app.terminal_cues import BackgroundCues
from spasmtimer.app.widgets import BigClock, Line
from spasmtimer.base.text import printable
from spasmtimer.session.display import clock_text, countdown, to_next_whole_second
from spasmtimer.session.library import Item
from spasmtimer.session.reminders import (
    POLL_SECONDS,
    SNOOZE,
    LastSessionOf,
    PlacedOf,
    Reminders,
    ReminderState,
    Window,
    every_text,
    schedule_text,
    waiting_text,
)


class Remind(msgspec.Struct, frozen=True):
    """What ``spasmtimer remind`` asks of the app."""

    item: Item
    every: timedelta
    window: Window | None
    last_session: LastSessionOf | None = None
    """Reads the latest session, of any program, from the history (None: no history is
    kept)."""
    placed: PlacedOf | None = None
    """A course's times, which place the breaks instead of ``every`` (`Reminders.placed`)."""
    times: str | None = None
    """The course's times in words, for the header."""


def program_line(item: Item) -> str:
    """``Desk break · 4:17 · level 2``; or why the program cannot run."""
    if item.program is None or item.total_seconds is None:
        return f"{item.title} cannot run: {item.error}"
    return f"{item.title} · {clock_text(item.total_seconds)} · {item.level}"


class RemindScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "start", "Start"),
        Binding("enter", "start_early", "Break now"),
        Binding("s", "snooze", f"Snooze {every_text(SNOOZE)}"),
        Binding("escape", "skip", "Skip"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(
        self,
        reminders: Reminders,
        item: Item,
        *,
        schedule: str | None = None,
        reload: Callable[[], Item],
        ring: Callable[[], None],
        flash: bool,
        cues: BackgroundCues,
    ) -> None:
        super().__init__()
        self.reminders = reminders
        self.item = item
        self.schedule = schedule
        """How the breaks are placed, in words, when not by `schedule_text` (a course's)."""
        self.reload = reload
        """The program as its file and the history say now (it may have changed since)."""
        self.ring = ring
        """The bell (and speech), as the settings allow."""
        self.flash = flash
        self.cues = cues
        """For the desktop notification."""
        self.due = False
        self._timer: Timer | None = None

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        self.header = Line(id="header")
        self.heading = Line(id="remind-heading")
        self.program = Line(id="remind-program")
        self.digits = BigClock(id="clock")
        self.when = Line(id="remind-when")
        self.summary = Line(id="remind-summary")
        self.keys = Line(id="remind-keys")
        yield self.header
        with Vertical(id="main"):
            yield self.heading
            yield self.program
            yield self.digits
            yield self.when
            yield self.summary
            yield self.keys
        yield Footer()

    def on_mount(self) -> None:
        r = self.reminders
        schedule = self.schedule or schedule_text(self.item.title, r.every, r.window)
        self.header.text = f"Break reminders · {schedule}"
        self.cues.start()
        self.tick()

    def on_unmount(self) -> None:
        self.cues.stop()

    def on_screen_resume(self) -> None:
        self.tick()

    def on_screen_suspend(self) -> None:
        self._stop_timer()

    # -- the clock -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Look at the reminders now, say a break newly due, redraw, and sleep until the next
        change."""
        self._stop_timer()
        if self.app.screen is not self:
            return  # a session, or the safety notice, is in front: look again when shown
        state = self.reminders.state()
        if state.due and not self.due:
            self.item = self.reload()  # as it is now, for the break about to be offered
        if self.reminders.newly_due():
            self.announce()
        self.render_state(state)
        delay = POLL_SECONDS if state.due else to_next_whole_second(state.remaining)
        self._timer = self.set_timer(delay + 0.001, self.tick)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def announce(self) -> None:
        """A break is due: the bell, a notification, and a flash of the heading."""
        self.ring()
        self.cues.notify("Time for a break", program_line(self.item))
        if self.flash:
            self.heading.flash_once()

    # -- drawing -------------------------------------------------------------------------------
    def render_state(self, state: ReminderState) -> None:
        if state.due != self.due:
            self.due = state.due
            self.set_class(state.due, "-due")
            self.refresh_bindings()
        self.program.text = program_line(self.item)
        if state.due:
            self.heading.text = "Time for a break"
            program = self.item.program
            self.summary.text = program.summary or "" if program else ""
            self.summary.set_class(not self.summary.text, "-empty")
            self.keys.text = f"Enter start · s snooze {every_text(SNOOZE)} · Esc skip"
            return
        self.heading.text = "Next break"
        self.digits.value = countdown(state.remaining)
        self.when.text = waiting_text(state, self.reminders.window, self.reminders.zone)

    # -- keys ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("start", "snooze", "skip"):
            return self.due
        if action == "start_early":
            return not self.due
        return True

    def action_start(self) -> None:
        """Enter: the break, started as `run` starts one: the program's caution, a session
        taken up again if one was cut off, the summary. The app says when it is over
        (`break_taken`). Before it is due, Enter takes it early (`action_start_early`)."""
        self.item = self.reload()
        if self.item.program is None:
            self.app.notify(
                printable(program_line(self.item)), severity="error", timeout=8, markup=False
            )
            self.tick()
            return
        self.post_message(RunProgram(self.item))

    def action_start_early(self) -> None:
        self.action_start()

    def action_snooze(self) -> None:
        if self.due:
            self.reminders.snooze()
            self.tick()

    def action_skip(self) -> None:
        if self.due:
            self.reminders.skip()
            self.tick()

    def break_taken(self) -> None:
        """A session of the program started here has ended: the wait starts again."""
        self.reminders.break_taken()
        self.item = self.reload()  # its level may have moved on
