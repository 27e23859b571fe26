"""When to see a doctor instead: shown the first time the library opens, then on `!`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from spasmtimer import safety


def safety_text() -> str:
    def bullets(items: list[str]) -> str:
        return "\n".join(f"• {item}" for item in items)

    sections = [
        ("[b $error]Get medical help promptly[/] if a spasm comes with:", safety.GET_HELP_NOW),
        ("[b $warning]See a doctor[/] if:", safety.SEE_A_DOCTOR),
        ("[b]While you exercise[/]", safety.WHILE_EXERCISING),
    ]
    text = "\n\n".join(f"{heading}\n{bullets(items)}" for heading, items in sections)
    return f"{text}\n\n[dim]{safety.NOT_ADVICE}[/]"


class SafetyScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,exclamation_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="safety") as box:
            box.border_title = "When to see a doctor instead"
            box.border_subtitle = "Enter to close · ! in the library shows it again"
            yield Static(safety_text())
