"""What the screens ask of the app. They bubble up from a screen to the app, which owns the
library, the history and the settings."""

from __future__ import annotations

from textual.message import Message

from spasmtimer.session.library import Item


class ProgramMessage(Message):
    """A request about one program of the library.

    Written out rather than made with ``@dataclass``: on Python 3.11 each dataclass costs some
    0.5 ms to build, and the app imports these on every start, ``run`` included."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item


class PreviewProgram(ProgramMessage):
    """Show a program's preview."""


class RunProgram(ProgramMessage):
    """Run a session of a program."""


class EditProgram(ProgramMessage):
    """Open a program in the editor."""


class ShowHistory(Message):
    pass


class OpenSettings(Message):
    pass
