"""What the screens ask of the app, and hand back to it. Messages bubble up from a screen to
the app, which owns the library, the history and the settings; a session screen ends with a
`SessionOutcome`, which the summary screen sums up."""

from __future__ import annotations

import msgspec
from textual.message import Message

from spasmtimer.session.engine import Session
from spasmtimer.session.levels import Level
from spasmtimer.session.library import Item


class SessionOutcome(msgspec.Struct):
    """How a session screen ended, for the app to record and sum up."""

    session: Session
    level: Level
    """The level it ran at, as the session screen said it."""
    pain_before: int | None
    interrupted: bool = False
    """Ended by Ctrl-C or a signal rather than by finishing or by q."""


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
