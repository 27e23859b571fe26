"""``spasmtimer figure NAME``: a figure drawn as plain text, as the app would draw it."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "draw a figure as text, as the app shows it; --list lists them"
EXAMPLES = (
    "spasmtimer figure --list",
    "spasmtimer figure knee-to-chest",
    "spasmtimer figure cat-cow --pose exhale --width 60 --height 24",
)
POSES = ("start", "hold", "inhale", "exhale")


def _size(text: str) -> int:
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 1000:
        return int(text)
    raise UserError(f"a figure's size is a whole number of cells from 1 to 1000 (got {text!r})")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME", help="the figure's name")
    parser.add_argument("--list", action="store_true", help="list the figures")
    parser.add_argument("--width", default="40", metavar="W", help="columns (default 40)")
    parser.add_argument("--height", default="16", metavar="H", help="rows (default 16)")
    parser.add_argument(
        "--pose", choices=POSES, default="hold", help="which pose (default: the one held)"
    )
    parser.add_argument(
        "--other-side", action="store_true", help="the mirror image: the other side"
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.program.figures.library import figure_files, load_figure
    from spasmtimer.program.figures.render import SMALLEST, fits, render

    if args.list:
        for name in figure_files():
            print(name)
        return exits.OK
    if not args.name:
        raise UserError("name a figure, or --list to see them")
    width, height = _size(args.width), _size(args.height)
    if not fits(width, height):
        raise UserError(f"a figure needs at least {SMALLEST[0]}×{SMALLEST[1]} cells")
    figure = load_figure(args.name)
    drawing = render(figure, figure.pose(args.pose), width, height, mirrored=args.other_side)
    # The rows above the figure are the room the app gives it: not printed here.
    lines = drawing.text().split("\n")
    while len(lines) > 1 and not lines[0].strip():
        lines.pop(0)
    print("\n".join(lines))
    return exits.OK
