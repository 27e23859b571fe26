"""Pictures of what a terminal shows, as PNG files, to be looked at: a figure's cells drawn as a
terminal draws their block and braille characters, dot by dot, in the figure's colours.

    python -m tests.pictures knee-to-chest hold 40 20 > knee.png
    python -m tests.pictures --sheet sheet.png [NAME...]   # every figure (or those), each pose

No imaging library: the PNG is written with zlib. For whole screens of the app, Textual's own
SVG screenshots are used instead (tests/app).
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

from spasmtimer.program.figures.render import Drawing

CELL = (10, 20)
"""A cell's pixels, across and down: a terminal's proportions."""
COLOURS = {
    None: (18, 18, 18),
    "near": (240, 200, 120),
    "far": (150, 120, 80),
    "prop": (110, 140, 170),
}
_QUADRANTS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def _pixels(drawing: Drawing) -> list[list[tuple[int, int, int]]]:
    rows = drawing.rows
    columns = sum(len(text) for text, _ in rows[0]) if rows else 0
    width, height = columns * CELL[0], len(rows) * CELL[1]
    image = [[COLOURS[None]] * width for _ in range(height)]
    for y, row in enumerate(rows):
        x = 0
        for text, layer in row:
            for char in text:
                _cell(image, x * CELL[0], y * CELL[1], char, COLOURS[layer])
                x += 1
    return image


def _cell(
    image: list[list[tuple[int, int, int]]], left: int, top: int, char: str, colour: tuple[int, int, int]
) -> None:
    w, h = CELL
    if char in _QUADRANTS:
        bits = _QUADRANTS.index(char)
        for n, (qx, qy) in enumerate(((0, 0), (1, 0), (0, 1), (1, 1))):
            if bits & (1 << n):
                for y in range(top + qy * h // 2, top + (qy + 1) * h // 2):
                    for x in range(left + qx * w // 2, left + (qx + 1) * w // 2):
                        image[y][x] = colour
        return
    code = ord(char) - 0x2800
    if 0 < code <= 0xFF:
        for dy, row in enumerate(_BRAILLE_BITS):
            for dx, bit in enumerate(row):
                if code & bit:
                    cx, cy = left + w * (2 * dx + 1) // 4, top + h * (2 * dy + 1) // 8
                    for y in range(cy - 2, cy + 2):
                        for x in range(cx - 2, cx + 2):
                            image[y][x] = colour


def png(image: Sequence[Sequence[tuple[int, int, int]]]) -> bytes:
    height, width = len(image), len(image[0])
    raw = b"".join(b"\0" + bytes(c for pixel in row for c in pixel) for row in image)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def picture(drawing: Drawing) -> bytes:
    """``drawing`` as a PNG file's bytes."""
    return png(_pixels(drawing))


def sheet(drawings: Sequence[Drawing], across: int = 4, gap: int = 16) -> bytes:
    """Several drawings of one size side by side, ``across`` a row, as one PNG."""
    images = [_pixels(d) for d in drawings]
    h, w = len(images[0]), len(images[0][0])
    down = (len(images) + across - 1) // across
    out = [[(60, 60, 60)] * (across * (w + gap) + gap) for _ in range(down * (h + gap) + gap)]
    for n, image in enumerate(images):
        top, left = gap + (n // across) * (h + gap), gap + (n % across) * (w + gap)
        for y, row in enumerate(image):
            out[top + y][left : left + w] = row
    return png(out)


def main(argv: list[str]) -> None:
    from spasmtimer.program.figures.library import figure_files, load_figure
    from spasmtimer.program.figures.pose import POSE_NAMES
    from spasmtimer.program.figures.render import render

    if argv[:1] == ["--sheet"]:
        # Every figure (or those named), each pose it has, at one size.
        out, names = Path(argv[1]), argv[2:] or list(figure_files())
        columns, rows = 40, 16
        drawings = []
        for name in names:
            figure = load_figure(name)
            for key in POSE_NAMES:
                if key == "start" or getattr(figure.poses, key) is not None:
                    drawings.append(render(figure, figure.pose(key), columns, rows))
        out.write_bytes(sheet(drawings))
        return
    name, pose, columns, rows = argv[0], argv[1], int(argv[2]), int(argv[3])
    figure = load_figure(name)
    assert pose in POSE_NAMES, f"a pose is one of {POSE_NAMES}"
    drawing = render(figure, figure.pose(pose), columns, rows)
    sys.stdout.buffer.write(picture(drawing))


if __name__ == "__main__":
    main(sys.argv[1:])
