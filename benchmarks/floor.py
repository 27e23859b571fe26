"""The floor: the fewest bytes a terminal needs to show what a program showed.

The program's output is replayed through pyte, a terminal emulator, frame by frame (a frame is
what arrives in one burst). Between one frame's screen and the next, the floor writes only the
cells that changed: each run of them reached by the shortest cursor move (or by writing over a
short stretch of unchanged cells when that is cheaper), one colour code wherever the colours
change, and each character in UTF-8. A new window title costs its OSC 2 sequence. Frames that
change nothing cost nothing.

It is a lower bound no real program reaches exactly (a program does not know which cells a
terminal still shows), and the yardstick the benchmark holds spasmtimer to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyte
from pyte.graphics import FG_BG_256
from wcwidth import wcwidth

_INDEX_OF = {colour: index for index, colour in reversed(list(enumerate(FG_BG_256)))}
_NAMED = {
    "black": 0,
    "red": 1,
    "green": 2,
    "brown": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "white": 7,
}
_FLAGS = (("1", "22"), ("3", "23"), ("4", "24"), ("5", "25"), ("7", "27"))
"""The SGR parameters that turn bold, italics, underscore, blink and reverse on, and off."""


def _colour(colour: str, base: int) -> str | None:
    """The SGR parameter for a colour, in its shortest form; None for the default."""
    if colour == "default":
        return None
    if colour in _NAMED:
        return str(base + _NAMED[colour])
    if colour.startswith("bright") and colour[6:] in _NAMED:
        return str(base + 60 + _NAMED[colour[6:]])
    index = _INDEX_OF.get(colour)
    if index is not None:
        if index < 8:
            return str(base + index)
        if index < 16:
            return str(base + 60 + index - 8)
        return f"{base + 8};5;{index}"
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"{base + 8};2;{red};{green};{blue}"


Pen = tuple[str, str, bool, bool, bool, bool, bool]


def pen_of(char: pyte.screens.Char) -> Pen:
    return (
        char.fg,
        char.bg,
        char.bold,
        char.italics,
        char.underscore,
        char.blink,
        char.reverse,
    )


DEFAULT_PEN: Pen = ("default", "default", False, False, False, False, False)


def sgr_bytes(old: Pen, new: Pen) -> int:
    """Bytes of the one SGR sequence that changes the pen from ``old`` to ``new``: only the
    parts that differ, each in its shortest form."""
    parts = []
    for (on, off), was, now in zip(_FLAGS, old[2:], new[2:], strict=True):
        if was != now:
            parts.append(on if now else off)
    for colour_was, colour_now, base in ((old[0], new[0], 30), (old[1], new[1], 40)):
        if colour_was != colour_now:
            parts.append(_colour(colour_now, base) or str(base + 9))
    return len("\x1b[" + ";".join(parts) + "m")


def move_bytes(row: int, col: int, to_row: int, to_col: int) -> int:
    """The shortest cursor move from (row, col) to (to_row, to_col), 0-based."""
    if (row, col) == (to_row, to_col):
        return 0
    options = [len(f"\x1b[{to_row + 1};{to_col + 1}H")]
    if to_row == row:
        distance = to_col - col
        if distance > 0:
            options.append(len(f"\x1b[{distance}C") if distance > 1 else 3)
        else:
            options.append(len(f"\x1b[{-distance}D") if distance < -1 else 1)  # BS
            if to_col == 0:
                options.append(1)  # CR
    elif to_row == row + 1 and to_col == 0:
        options.append(2)  # CR LF
    elif to_col == col:
        distance = to_row - row
        options.append(
            len(f"\x1b[{abs(distance)}{'B' if distance > 0 else 'A'}") if abs(distance) > 1 else 3
        )
    return min(options)


@dataclass
class Cost:
    cells: int = 0
    """Bytes of characters, cursor moves and colour codes."""
    titles: int = 0
    """Bytes of window title sequences."""

    @property
    def total(self) -> int:
        return self.cells + self.titles


def frame_floor(
    before: Sequence[Sequence[pyte.screens.Char]],
    after: Sequence[Sequence[pyte.screens.Char]],
) -> int:
    """The fewest bytes that turn the screen ``before`` into ``after``."""
    cost = 0
    cursor: tuple[int, int] | None = None  # unknown at the start of a frame: a full move
    pen = DEFAULT_PEN  # as a frame that ends with a reset leaves it
    for y, (old_row, new_row) in enumerate(zip(before, after, strict=True)):
        changed = {x for x, (a, b) in enumerate(zip(old_row, new_row, strict=True)) if a != b}
        for x in sorted(changed):
            if new_row[x].data == "":
                continue  # the right half of a wide character, written with its left
            # Reach x: by a move, or by writing over the unchanged cells between (same pen).
            if cursor is None:
                cost += len(f"\x1b[{y + 1};{x + 1}H")
            elif cursor != (y, x):
                move = move_bytes(*cursor, y, x)
                over = None
                if cursor[0] == y and cursor[1] < x:
                    between = new_row[cursor[1] : x]
                    if all(pen_of(c) == pen for c in between):
                        over = sum(len(c.data.encode()) for c in between)
                cost += move if over is None else min(move, over)
            char = new_row[x]
            if pen_of(char) != pen:
                cost += sgr_bytes(pen, pen_of(char))
                pen = pen_of(char)
            cost += len(char.data.encode())
            cursor = (y, x + max(1, wcwidth(char.data[0])))
    return cost


class FloorMeter:
    """Feed it a program's output frame by frame; it keeps the floor and the bytes given."""

    def __init__(self, columns: int, lines: int) -> None:
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)
        self._last = self._cells()
        self._title = self.screen.title

    def _cells(self) -> list[list[pyte.screens.Char]]:
        columns = self.screen.columns
        return [
            [self.screen.buffer[y][x] for x in range(columns)] for y in range(self.screen.lines)
        ]

    def feed(self, frame: bytes) -> Cost:
        """The floor of one frame."""
        self.stream.feed(POINTER_SHAPE.sub(b"", frame))
        cells = self._cells()
        cost = Cost(cells=frame_floor(self._last, cells))
        self._last = cells
        if self.screen.title != self._title:
            self._title = self.screen.title
            cost.titles = len(f"\x1b]2;{self._title}\x07".encode())
        return cost


POINTER_SHAPE = re.compile(rb"\x1b\]22;[^\x07\x1b]*(?:\x07|\x1b\\)")
"""OSC 22 sets the mouse pointer's shape (Textual sends it); pyte reads only the first digit of
an OSC's number and would take it for a title, so it is dropped first."""


def frames(chunks: Iterable[tuple[float, bytes]], gap: float = 0.02) -> list[tuple[float, bytes]]:
    """Output chunks grouped into frames: those less than ``gap`` seconds apart."""
    grouped: list[tuple[float, bytearray]] = []
    for at, chunk in chunks:
        if grouped and at - grouped[-1][0] < gap:
            grouped[-1][1].extend(chunk)
        else:
            grouped.append((at, bytearray(chunk)))
    return [(at, bytes(data)) for at, data in grouped]
