"""When to see a doctor instead: shown the first time spasmtimer is used, then on `!`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from spasmtimer.session import safety

HEADING_STYLES = ("bold $error", "bold $warning", "bold")
"""The sections' headings, from the most urgent down."""


def safety_text() -> Content:
    parts: list[str | tuple[str, str]] = []
    for (heading, items), style in zip(safety.SECTIONS, HEADING_STYLES, strict=True):
        parts += [(heading, style), "\n", "\n".join(f"• {item}" for item in items), "\n\n"]
    return Content.assemble(*parts, (safety.NOT_ADVICE, "dim"))


class SafetyScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,exclamation_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="safety") as box:
            box.border_title = "When to see a doctor instead"
            box.border_subtitle = "Enter to go on · ! in the library shows it again"
            yield Static(safety_text())
