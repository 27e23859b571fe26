"""`?`: the keys of the screen underneath, in words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

SESSION_KEYS = """\
[b]space[/]      pause / resume
[b]n[/] or [b]→[/]     next phase
[b]p[/] or [b]←[/]     back to the start of this phase
           (or to the previous one, in its first seconds)
[b]+[/] / [b]-[/]      five seconds more / less of this phase
[b]0[/]–[b]10[/]       during get-ready: your pain now
[b]q[/]          stop (asks first)
[b]Ctrl-C[/]     stop at once and quit"""


LIBRARY_KEYS = """\
[b]↑[/] [b]↓[/]        move through the programs
[b]/[/]          filter as you type: name, title, tag, summary
           ([b]Enter[/] keeps the filter, [b]Esc[/] clears it)
[b]Enter[/]      preview: the steps at your level
[b]r[/]          run the program
[b]e[/]          edit it in $VISUAL or $EDITOR
           (a bundled one: a copy, kept if you change it)
[b]h[/]          your history
[b]o[/]          settings
[b]![/]          when to see a doctor instead
[b]q[/]          quit"""
"""The library's keys, each on one line of the dialog (58 columns inside it)."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,enter,q", "dismiss", "Close")]

    def __init__(self, keys: str = SESSION_KEYS) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Keys"
            box.border_subtitle = "Esc to close"
            yield Static(self.keys)
        yield Footer()
