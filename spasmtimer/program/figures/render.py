"""A figure drawn in a terminal: a pose and a size in cells in, rows of text out. Pure.

The shapes are drawn into a grid of dots finer than the cells, then each cell becomes the one
character that shows its dots: quadrant blocks (two by two dots, ``▗▟█``) for bold strokes that
read from across a room, or braille (two by four, ``⣿``) for fine ones where the cells are few.
A cell's colour is its most important mark's: the near side of the body, then the far side,
then the props.

Only spaces and those characters are ever written: no escape sequence, nothing from the figure's
file. The other side's figure is this one mirrored dot for dot (`mirrored`), so that it is
exactly the mirror image.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Literal

import msgspec

from spasmtimer.program.figures.pose import (
    Figure,
    Layer,
    Pose,
    Ring,
    Shape,
    Stroke,
    body_shapes,
    bounds,
    prop_shapes,
)

Cells = Literal["blocks", "braille"]
DOTS: dict[Cells, tuple[int, int]] = {"blocks": (2, 2), "braille": (2, 4)}
"""Dots across and down a cell."""
CELL_ASPECT = 2.0
"""A terminal cell is about twice as tall as it is wide."""

SMALLEST = (16, 8)
"""The fewest columns and rows a figure is drawn in: below that, it is left out."""
BRAILLE_BELOW = 30
"""Figures fewer columns wide than this are drawn in braille: blocks would be too coarse there
to show a bent knee (see the README's "Figures", where the two were measured)."""

_QUADRANTS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"
"""A cell's quadrant block by its dots: 1 top left, 2 top right, 4 bottom left, 8 bottom right."""
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
"""A braille cell's bit for the dot at (row, column)."""
_RANK: dict[Layer, int] = {"prop": 1, "far": 2, "near": 3}
_LAYERS: tuple[Layer | None, ...] = (None, "prop", "far", "near")

Run = tuple[str, Layer | None]
"""Text, and what it shows (None: blank)."""


class Drawing(msgspec.Struct, frozen=True):
    """A figure drawn: its rows, each as runs of text of one layer."""

    rows: tuple[tuple[Run, ...], ...]

    def lines(self) -> list[str]:
        return ["".join(text for text, _ in row) for row in self.rows]

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines())


def cells_for(columns: int) -> Cells:
    """The characters to draw a figure ``columns`` wide in."""
    return "braille" if columns < BRAILLE_BELOW else "blocks"


def fits(columns: int, rows: int) -> bool:
    return columns >= SMALLEST[0] and rows >= SMALLEST[1]


@functools.lru_cache(maxsize=64)
def render(
    figure: Figure,
    pose: Pose,
    columns: int,
    rows: int,
    *,
    mirrored: bool = False,
    cells: Cells | None = None,
) -> Drawing:
    """``figure`` in ``pose``, drawn in ``columns`` × ``rows`` cells, at the scale that fits
    all of its poses (so that it does not jump from pose to pose)."""
    cells = cells or cells_for(columns)
    across, down = DOTS[cells]
    width, height = columns * across, rows * down
    left, bottom, right, top = bounds(figure)
    # Figure units to dots: the same scale across and down on the screen, where a dot is
    # 1/across of a cell wide and CELL_ASPECT/down of one tall.
    per_unit = min(columns / (right - left), rows * CELL_ASPECT / (top - bottom))
    sx, sy = per_unit * across, per_unit * down / CELL_ASPECT
    # Centred across, and standing on the bottom row.
    ox = (width - (right - left) * sx) / 2 - left * sx
    oy = height - 1 + bottom * sy

    dots = _Grid(width, height, sx, sy, ox, oy)
    for prop in figure.props:
        for shape in prop_shapes(prop, left, right):
            dots.draw(shape)
    for shape in body_shapes(pose):
        dots.draw(shape)
    grid = [row[::-1] for row in dots.marks] if mirrored else dots.marks
    return Drawing(tuple(_cells_row(grid, y, columns, cells) for y in range(rows)))


Test = Callable[[float, float], bool]
"""Whether a point, in figure units, is marked by a shape."""


class _Grid:
    """The dots, and where figure units fall on them: ``sx`` and ``sy`` dots to a unit across
    and down, the figure's origin at dot (``ox``, ``oy``), y counted down."""

    def __init__(self, width: int, height: int, sx: float, sy: float, ox: float, oy: float):
        self.marks = [[0] * width for _ in range(height)]
        self.sx, self.sy, self.ox, self.oy = sx, sy, ox, oy
        # Strokes and rims at least a dot across the way the dots are furthest apart, so that
        # no line breaks up; a dot is a square on screen in braille, twice as tall as it is
        # wide in blocks: measured in figure units, the body is as thick every way it turns.
        self.finest = 0.5 / min(sx, sy)

    def draw(self, shape: Shape) -> None:
        """Mark the dots ``shape`` covers with its layer's rank (a higher rank stays)."""
        rank = _RANK[shape.layer]
        if isinstance(shape, Stroke):
            reach = max(shape.width / 2, self.finest)
            inside = _near_segment(shape.a, shape.b, reach)
            xs, ys = (shape.a[0], shape.b[0]), (shape.a[1], shape.b[1])
        else:
            assert isinstance(shape, Ring)
            rim = None if shape.width is None else max(shape.width / 2, self.finest)
            radius = max(shape.radius, self.finest)
            inside = _in_ring(shape.centre, radius, rim)
            reach = radius + (rim or 0)
            xs = (shape.centre[0] - radius, shape.centre[0] + radius)
            ys = (shape.centre[1] - radius, shape.centre[1] + radius)
        height, width = len(self.marks), len(self.marks[0])
        left = max(0, math.floor((min(xs) - reach) * self.sx + self.ox) - 1)
        right = min(width, math.ceil((max(xs) + reach) * self.sx + self.ox) + 1)
        top = max(0, math.floor(self.oy - (max(ys) + reach) * self.sy) - 1)
        bottom = min(height, math.ceil(self.oy - (min(ys) - reach) * self.sy) + 1)
        for y in range(top, bottom):
            row = self.marks[y]
            fy = (self.oy - (y + 0.5)) / self.sy
            for x in range(left, right):
                if row[x] < rank and inside((x + 0.5 - self.ox) / self.sx, fy):
                    row[x] = rank


def _near_segment(a: tuple[float, float], b: tuple[float, float], reach: float) -> Test:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    reach2 = reach * reach

    def inside(x: float, y: float) -> bool:
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        px, py = ax + t * dx - x, ay + t * dy - y
        return px * px + py * py <= reach2

    return inside


def _in_ring(centre: tuple[float, float], radius: float, rim: float | None) -> Test:
    cx, cy = centre

    def inside(x: float, y: float) -> bool:
        distance = math.hypot(x - cx, y - cy)
        if rim is None:
            return distance <= radius
        return abs(distance - radius) <= rim

    return inside


def _cells_row(grid: list[list[int]], y: int, columns: int, cells: Cells) -> tuple[Run, ...]:
    across, down = DOTS[cells]
    runs: list[Run] = []
    for column in range(columns):
        bits, rank = 0, 0
        for dy in range(down):
            row = grid[y * down + dy]
            for dx in range(across):
                mark = row[column * across + dx]
                if mark:
                    rank = max(rank, mark)
                    if cells == "braille":
                        bits |= _BRAILLE_BITS[dy][dx]
                    else:
                        bits |= 1 << (dy * 2 + dx)
        char = (chr(0x2800 + bits) if bits else " ") if cells == "braille" else _QUADRANTS[bits]
        layer = _LAYERS[rank]
        if runs and runs[-1][1] == layer:
            runs[-1] = (runs[-1][0] + char, layer)
        else:
            runs.append((char, layer))
    return tuple(runs)


def mirror_line(line: str) -> str:
    """A drawn line as its mirror image: the cells in reverse order, each cell's dots swapped
    left for right (what `render` draws with ``mirrored``)."""
    return "".join(_mirror_cell(char) for char in reversed(line))


def _mirror_cell(char: str) -> str:
    if char in _QUADRANTS:
        bits = _QUADRANTS.index(char)
        swapped = ((bits & 0b0101) << 1) | ((bits & 0b1010) >> 1)
        return _QUADRANTS[swapped]
    code = ord(char) - 0x2800
    if 0 <= code <= 0xFF:
        swapped = 0
        for row in _BRAILLE_BITS:
            if code & row[0]:
                swapped |= row[1]
            if code & row[1]:
                swapped |= row[0]
        return chr(0x2800 + swapped)
    return char
