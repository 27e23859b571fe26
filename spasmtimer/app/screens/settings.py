"""The settings screen: bell, flash, speech, theme and get-ready seconds, saved to config.toml."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select, Static, Switch

from spasmtimer.app.widgets import plain
from spasmtimer.program import parse_duration
from spasmtimer.settings import Settings


class SettingsScreen(Screen[Settings | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, settings: Settings, themes: list[str], speech_available: bool) -> None:
        super().__init__()
        self.settings = settings
        self.themes = themes
        self.speech_available = speech_available

    def compose(self) -> ComposeResult:
        s = self.settings
        yield Static("Settings", id="header")
        with Vertical(id="settings"):
            with Horizontal(classes="setting"):
                yield Label("Terminal bell at each phase and in the last three seconds")
                yield Switch(s.bell, id="bell")
            with Horizontal(classes="setting"):
                yield Label("Flash the countdown with each bell (for silent terminals)")
                yield Switch(s.flash, id="flash")
            with Horizontal(classes="setting"):
                speech = "Speak the cues aloud"
                if not self.speech_available:
                    speech += " [dim](install espeak-ng)[/]"
                yield Label(speech)
                yield Switch(s.speech, id="speech")
            with Horizontal(classes="setting"):
                yield Label("Theme")
                yield Select(
                    [(t, t) for t in self.themes], value=s.theme, allow_blank=False, id="theme"
                )
            with Horizontal(classes="setting"):
                yield Label("Get-ready seconds, for programs that set none")
                yield Input(f"{s.prepare:g}", id="prepare")
            yield Static("", id="settings-error")
            yield Static("[b]Ctrl+S[/] save · [b]Esc[/] cancel", classes="hint")
        yield Footer()

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
            settings = Settings.model_validate(
                {
                    "bell": self.query_one("#bell", Switch).value,
                    "flash": self.query_one("#flash", Switch).value,
                    "speech": self.query_one("#speech", Switch).value,
                    "theme": self.query_one("#theme", Select).value,
                    "prepare": prepare,
                }
            )
        except ValueError as e:
            error.update(
                Content.assemble(("Get-ready seconds:", "bold $error"), " ", plain(str(e)))
            )
            return
        self.dismiss(settings)
