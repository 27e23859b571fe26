"""The settings screen: bell, flash, speech, theme and get-ready seconds, saved to config.toml."""

from __future__ import annotations

import msgspec
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from spasmtimer.app.terminal_cues import Terminal
from spasmtimer.app.widgets import plain
from spasmtimer.program.durations import parse_duration
from spasmtimer.session.settings import Settings


class Tick(Checkbox):
    """A checkbox that reads without colour: an X when on, an empty box when off (Textual's
    shows a dark X when off, hard to tell from the bright one when on)."""

    @property
    def _button(self) -> Content:
        button = super()._button  # left side, X, right side
        if self.value:
            return button
        empty = (" ", self.get_visual_style("toggle--button"))
        return Content.assemble(button[:1], empty, button[2:])


class SettingsScreen(Screen[Settings | None]):
    # The first setting, not the scrolling list around it, which shows no focus at all.
    AUTO_FOCUS = "#bell"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(
        self,
        settings: Settings,
        themes: list[str],
        speech_available: bool,
        terminal: Terminal,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes
        self.speech_available = speech_available
        self.terminal = terminal

    def compose(self) -> ComposeResult:
        s = self.settings
        speech = "Speak the cues aloud" + ("" if self.speech_available else " (install espeak-ng)")
        progress = "Progress in the terminal's tab" + (
            "" if self.terminal.progress else " (this terminal shows none)"
        )
        yield Static("Settings", id="header")
        with VerticalScroll(id="settings"):
            yield Static("Sound and sight", classes="section")
            # All compact: one drawn with a frame kept it, as if focused, once Tab moved on.
            yield Tick(
                "Terminal bell at each phase and in the last three seconds",
                s.bell,
                compact=True,
                id="bell",
            )
            yield Tick("Flash the phase's word with each bell", s.flash, compact=True, id="flash")
            yield Tick(speech, s.speech, compact=True, id="speech")
            yield Static("When the terminal is in the background", classes="section")
            yield Tick(
                "Time left and what to do in the window title", s.title, compact=True, id="title"
            )
            yield Tick(progress, s.progress, compact=True, id="progress")
            with Horizontal(classes="setting"):
                yield Label(plain(f"Notifications ({self._notifications_here()})"))
                yield Select(
                    [("auto", "auto"), ("on", "on"), ("off", "off")],
                    value=s.notify,
                    allow_blank=False,
                    compact=True,
                    id="notify",
                )
            yield Static("Sessions", classes="section")
            with Horizontal(classes="setting"):
                yield Label("Theme")
                yield Select(
                    [(t, t) for t in self.themes],
                    value=s.theme,
                    allow_blank=False,
                    compact=True,
                    id="theme",
                )
            with Horizontal(classes="setting"):
                yield Label("Get-ready seconds, for programs that set none")
                yield Input(f"{s.prepare:g}", compact=True, id="prepare")
            yield Static("", id="settings-error")
        yield Footer()

    def _notifications_here(self) -> str:
        """What "auto" means on this terminal."""
        if self.terminal.notifications is None:
            return "auto: off on this terminal"
        return f"auto: on, in {self.terminal.name}"

    @on(Select.Changed, "#theme")
    def _try_theme(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in self.app.available_themes:
            self.app.theme = event.value

    def action_save(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            text = self.query_one("#prepare", Input).value.strip()
            # A bare number here means seconds, as in the program files.
            prepare = float(text) if text.replace(".", "", 1).isdigit() else parse_duration(text)
            settings = Settings.validated(
                {
                    "bell": self.query_one("#bell", Checkbox).value,
                    "flash": self.query_one("#flash", Checkbox).value,
                    "speech": self.query_one("#speech", Checkbox).value,
                    "theme": self.query_one("#theme", Select).value,
                    "title": self.query_one("#title", Checkbox).value,
                    "notify": self.query_one("#notify", Select).value,
                    "progress": self.query_one("#progress", Checkbox).value,
                    "prepare": prepare,
                }
            )
            # What the screen does not show is kept as the file has it.
            settings = msgspec.structs.replace(settings, sync_folder=self.settings.sync_folder)
        except ValueError as e:
            error.update(
                Content.assemble(("Get-ready seconds:", "bold $error"), " ", plain(str(e)))
            )
            return
        self.dismiss(settings)
