"""Fewer bytes from Textual's partial screen updates, until the fix is made upstream.

When a few cells change, Textual writes a `ChopsUpdate`: for each line, the pieces ("chops") of
the widgets that overlap the changed span. Its `render_segments` pays for three things that
draw nothing:

- the cells of a chop to the left of the changed span, which are unchanged (a one-cell step
  of a progress bar rewrote the bar from its left end);
- a cursor move to a chop that starts just where the span ends (it writes no cell), and one
  to a chop that starts where the previous one ended (the cursor is there already);
- a newline after each line, though the next line starts with a cursor move of its own;
- a colour code and a reset for every segment, even where the next has the same colours (each
  row of the big clock set the same colours again), and all of them again where only one
  changes (a bold word on the same background).

On the big clock each changed row paid more in these than in the cells it changed. `install`
replaces the method with one that writes only the changed span of each chop, setting only the
colours and attributes that change and resetting them once at the end, in the same order, so
the screen ends up exactly the same (tests/app/test_textual_output.py replays both through a
terminal emulator). It is installed only on the Textual versions it was
checked against: another version keeps Textual's own, until checked.
"""

from __future__ import annotations

import os

import textual
from rich.color import ColorSystem
from rich.console import Console
from rich.control import Control
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

CHECKED_VERSIONS = ("8.2.8",)
"""Textual versions whose `ChopsUpdate` this was checked against (its fields and meaning), and
whose layout paints a resized widget in the frame that resizes it (`widgets.CellsWidget`)."""


def installed_version() -> str:
    """Textual's version, read from the name of its one ``textual-VERSION.dist-info`` folder
    beside the package, where pip and uv put it. ``textual.__version__`` asks
    importlib.metadata, whose import alone cost every first frame some 15 ms; anything out of
    the ordinary (no such folder, or two) is still left to it."""
    site = os.path.dirname(os.path.dirname(textual.__file__ or ""))
    try:
        found = [n for n in os.listdir(site) if n.startswith("textual-")]
    except OSError:
        found = []
    infos = [n for n in found if n.endswith(".dist-info")]
    if len(infos) == 1:
        return infos[0].removeprefix("textual-").removesuffix(".dist-info")
    return str(textual.__version__)


textual_version = installed_version()
CHECKED = textual_version in CHECKED_VERSIONS

_textuals_own = ChopsUpdate.render_segments


def render_segments(self: ChopsUpdate, console: Console) -> str:
    """`ChopsUpdate.render_segments`, without what draws nothing (see above)."""
    sequences: list[str] = []
    append = sequences.append
    color_system = console._color_system or ColorSystem.TRUECOLOR
    pen = ""
    """The SGR parameters in effect ("": the terminal's defaults)."""
    cursor: tuple[int, int] | None = None
    for y, x1, x2 in self.spans:
        for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items(), strict=False):
            if strip is None or x >= x2 or end <= x1:
                continue
            start, stop = max(x, x1), min(end, x2)
            if (start, stop) != (x, end):
                strip = strip.crop(start - x, stop - x)
            if cursor != (start, y):
                append(Control.move_to(start, y).segment.text)
            for text, style, _ in strip:
                if not text:
                    continue
                if style is not None and style._link:
                    # A link's own sequence, which resets after itself, as Textual writes it.
                    if pen:
                        append("\x1b[0m")
                        pen = ""
                    append(Strip.render_style(style, text, color_system))
                    continue
                ansi = _sgr(style, color_system)
                if ansi != pen:
                    append(f"\x1b[{_change(pen, ansi)}m")
                    pen = ansi
                append(text)
            cursor = (start + strip.cell_length, y)
    if pen:
        append("\x1b[0m")
    return "".join(sequences)


def _sgr(style: Style | None, color_system: ColorSystem) -> str:
    """The SGR parameters of ``style``, as Textual works them out ("" for none)."""
    if style is None:
        return ""
    return style._ansi or Strip.render_ansi(style, color_system)


def _change(pen: str, ansi: str) -> str:
    """The SGR parameters that take the terminal from ``pen`` to ``ansi``: only the colours
    and attributes that differ, or a reset and all of ``ansi`` where that is shorter or where
    an attribute must be switched off (a reset is the one way every terminal knows)."""
    reset = f"0;{ansi}" if ansi else "0"
    if not pen:
        return ansi or "0"
    was, now = _parts(pen), _parts(ansi)
    if not was[2] <= now[2]:
        return reset
    changes = [
        now[0] or "39" if now[0] != was[0] else "",
        now[1] or "49" if now[1] != was[1] else "",
        *sorted(now[2] - was[2]),
    ]
    delta = ";".join(change for change in changes if change)
    return delta if len(delta) < len(reset) else reset


def _parts(sgr: str) -> tuple[str, str, frozenset[str]]:
    """SGR parameters as their foreground, background and other attributes."""
    foreground = background = ""
    attributes = set()
    codes = sgr.split(";")
    index = 0
    while index < len(codes):
        code = codes[index]
        if code in ("38", "48"):  # 38;5;N or 38;2;R;G;B
            width = 3 if codes[index + 1 : index + 2] == ["5"] else 5
            colour = ";".join(codes[index : index + width])
            if code == "38":
                foreground = colour
            else:
                background = colour
            index += width
            continue
        if code.isdigit() and (30 <= int(code) <= 37 or 90 <= int(code) <= 97):
            foreground = code
        elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
            background = code
        elif code:
            attributes.add(code)
        index += 1
    return foreground, background, frozenset(attributes)


def install() -> bool:
    """Use `render_segments` for Textual's partial updates if this Textual was checked, and
    Textual's own if not; returns whether it is in use."""
    checked = textual_version in CHECKED_VERSIONS  # not CHECKED: tests pretend other versions
    ChopsUpdate.render_segments = render_segments if checked else _textuals_own  # type: ignore[method-assign]
    return checked


def uninstall() -> None:
    """Back to Textual's own (for tests that compare the two)."""
    ChopsUpdate.render_segments = _textuals_own  # type: ignore[method-assign]
