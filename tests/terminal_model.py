"""A terminal model for tests: pyte's screen, plus xterm's title stack (CSI 22 t / 23 t),
which pyte does not keep, and a record of every title the program set."""

from __future__ import annotations

import re
from typing import ClassVar

import pyte


class TitledScreen(pyte.Screen):
    """pyte's screen, keeping the window title's stack and history."""

    def __init__(self, columns: int = 80, lines: int = 24, title: str = "the shell's title") -> None:
        super().__init__(columns, lines)
        self.title = title
        self.saved_titles: list[str] = []
        self.titles: list[str] = []
        """Every title set, in order."""

    def set_title(self, param: str) -> None:
        super().set_title(param)
        self.titles.append(param)

    def window_manipulation(self, *params: int, **_: object) -> None:
        if params[:1] == (22,):
            self.saved_titles.append(self.title)
        elif params[:1] == (23,) and self.saved_titles:
            self.title = self.saved_titles.pop()


class TitledStream(pyte.ByteStream):
    # pyte's stubs declare `csi` on instances; pyte itself reads it from the class.
    csi: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **pyte.ByteStream.csi,
        "t": "window_manipulation",
    }


POINTER_SHAPE = re.compile(rb"\x1b\]22;[^\x07\x1b]*(?:\x07|\x1b\\)")
"""OSC 22, which sets the mouse pointer's shape (Textual sends it). pyte reads only the first
digit of an OSC's number and would take it for a title (OSC 2): it is dropped first."""


def feed(data: bytes, columns: int = 80, lines: int = 24) -> TitledScreen:
    """The screen after ``data``, as a terminal would show it."""
    screen = TitledScreen(columns, lines)
    TitledStream(screen).feed(POINTER_SHAPE.sub(b"", data))
    return screen
