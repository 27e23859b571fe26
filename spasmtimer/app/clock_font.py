"""The big clock's font: 3 x 5 pixels, each drawn 2 cells wide and 1 tall at scale 1, and as
large as the space allows at whole multiples — digits readable from across a room.

Pure: the session screen's `BigClock` draws what this works out, and tests check it directly.
"""

from __future__ import annotations

FONT = {
    "0": ["###", "#.#", "#.#", "#.#", "###"],
    "1": [".#.", "##.", ".#.", ".#.", "###"],
    "2": ["###", "..#", "###", "#..", "###"],
    "3": ["###", "..#", "###", "..#", "###"],
    "4": ["#.#", "#.#", "###", "..#", "..#"],
    "5": ["###", "#..", "###", "..#", "###"],
    "6": ["###", "#..", "###", "#.#", "###"],
    "7": ["###", "..#", "..#", "..#", "..#"],
    "8": ["###", "#.#", "###", "#.#", "###"],
    "9": ["###", "#.#", "###", "..#", "###"],
    ":": [".", "#", ".", "#", "."],
}
ROWS = 5
"""Pixel rows of the font."""

DIGITS = 0
"""The scale at which the time is drawn in Textual's 3-row digits instead, 3 cells each."""
ONE_LINE = -1
"""The scale at which the time is one line of plain text: too little room for more."""
DIGITS_ROWS = 3


def glyph_rows(character: str, scale: int) -> list[str]:
    """The rows of text that draw ``character`` at ``scale`` (1 or more)."""
    pixels = FONT.get(character, FONT["0"])
    cell = 2 * scale
    return [
        "".join("█" * cell if pixel == "#" else " " * cell for pixel in row)
        for row in pixels
        for _ in range(scale)
    ]


def rows(value: str, scale: int) -> list[str]:
    """The rows of text that draw ``value`` at ``scale`` (1 or more): its glyphs side by side,
    `gap` cells apart."""
    glyphs = [glyph_rows(character, scale) for character in value]
    spacer = " " * gap(scale)
    return [spacer.join(glyph[y] for glyph in glyphs) for y in range(ROWS * scale)]


def gap(scale: int) -> int:
    """Cells between two characters at ``scale``."""
    return scale


def width(value: str, scale: int) -> int:
    """The cells ``value`` takes across at ``scale`` (for `DIGITS`: as Textual draws them)."""
    if scale == DIGITS:
        return 3 * len(value)
    if scale == ONE_LINE:
        return len(value)
    pixels = sum(len(FONT.get(c, FONT["0"])[0]) for c in value)
    return pixels * 2 * scale + gap(scale) * (len(value) - 1)


def height(scale: int) -> int:
    """The rows the time takes at ``scale``."""
    if scale == DIGITS:
        return DIGITS_ROWS
    if scale == ONE_LINE:
        return 1
    return ROWS * scale


def fitting_scale(value: str, columns: int, rows: int) -> int:
    """The largest scale at which ``value`` fits ``columns`` x ``rows``: 1 or more for the
    5-row font at that multiple, `DIGITS` for Textual's 3-row digits, `ONE_LINE` for text."""
    scale = rows // ROWS
    while scale >= 1 and width(value, scale) > columns:
        scale -= 1
    if scale >= 1:
        return scale
    if rows >= DIGITS_ROWS and width(value, DIGITS) <= columns:
        return DIGITS
    return ONE_LINE
