"""What the screens ask of the app. They bubble up from a screen to the app, which owns the
library, the history and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from spasmtimer.library import Item


@dataclass
class PreviewProgram(Message):
    """Show a program's preview."""

    item: Item


@dataclass
class RunProgram(Message):
    """Run a session of a program."""

    item: Item


@dataclass
class EditProgram(Message):
    """Open a program in the editor."""

    item: Item


class ShowHistory(Message):
    pass


class OpenSettings(Message):
    pass
