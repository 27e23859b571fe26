"""Small widgets of the session screen. Each redraws only when what it shows has changed (its
state is a reactive, which skips unchanged values): every repaint is bytes on a slow SSH link."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from spasmtimer.engine import Breath
from spasmtimer.text import printable


def plain(text: str, style: str = "") -> Content:
    """Text from a program, a note, the database or a file name, as it is: never read as
    markup, and with no control character that could reach the terminal."""
    return Content.styled(printable(text), style) if style else Content(printable(text))


def cell(text: str) -> Text:
    """The same for a `DataTable` cell, which would read a plain `str` as markup."""
    return Text(printable(text))


class Line(Static):
    """One line (or a few) of plain text, never read as markup.

    The text is a reactive: setting it to what it shows already redraws nothing.
    """

    text: reactive[str] = reactive("")

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(plain(text), id=id)
        self.set_reactive(Line.text, text)

    def watch_text(self, text: str) -> None:
        self.update(plain(text))


class BreathBar(Widget):
    """Lungs: a bar that widens from the middle as you breathe in, stays full while you hold,
    and narrows as you breathe out. Half-cell steps on each side keep it smooth."""

    DEFAULT_CSS = """
    BreathBar {
        height: 1;
        width: 20;
        color: $accent;
    }
    """

    steps: reactive[int] = reactive(-1)
    """Half-cells filled on each side; -1 before anything is drawn."""

    @property
    def half_cells(self) -> int:
        """How many half-cell steps a full breath has on each side."""
        return max(1, (self.size.width // 2) * 2)

    @staticmethod
    def fullness(breath: Breath | None) -> float:
        """How full the lungs are, 0 to 1."""
        if breath is None:
            return 0.0
        return {
            "inhale": breath.fraction,
            "pause": 1.0,
            "exhale": 1.0 - breath.fraction,
            "pause_out": 0.0,
        }[breath.part]

    def show(self, breath: Breath | None) -> None:
        self.steps = round(self.fullness(breath) * self.half_cells)

    def render(self) -> Content:
        width = self.size.width
        half = width // 2
        full, partial = divmod(max(0, self.steps), 2)
        left = " " * (half - full - partial) + ("▐" if partial else "") + "█" * full
        right = "█" * full + ("▌" if partial else "") + " " * (width - half - full - partial)
        return Content(left + right)


class Bar(Widget):
    """A thin progress bar with a label, drawn with line characters: ━━━━━─── 42%"""

    DEFAULT_CSS = """
    Bar {
        height: 1;
    }
    """

    shown: reactive[tuple[int, int, str]] = reactive((0, 0, ""))
    """Cells filled, cells in all, and the label."""

    def set_progress(self, fraction: float, label: str, width: int) -> None:
        cells = max(4, width - len(label) - 1)
        self.shown = (round(max(0.0, min(1.0, fraction)) * cells), cells, label)

    def render(self) -> Content:
        filled, cells, label = self.shown
        return Content.assemble(
            ("━" * filled, "$accent"),
            ("─" * (cells - filled), "$panel-lighten-2"),
            " ",
            plain(label),
        )


# A 3 x 5 font, each pixel drawn two cells wide: digits readable from across a room.
_FONT = {
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
CLOCK_ROWS = 5


def glyph_lines(character: str) -> list[str]:
    rows = _FONT.get(character, _FONT["0"])
    return ["".join("██" if pixel == "#" else "  " for pixel in row) for row in rows]


class Glyph(Widget):
    """One character of the big clock, each of its five rows a widget of its own: a new
    second redraws only the rows that differ (9 -> 8 is one row), not the whole clock."""

    DEFAULT_CSS = """
    Glyph {
        layout: vertical;
        height: 5;
        margin: 0 1 0 0;
    }
    Glyph > Line {
        height: 1;
    }
    """

    def __init__(self, character: str) -> None:
        super().__init__()
        self.character = character
        self.styles.width = len(glyph_lines(character)[0])

    def compose(self) -> ComposeResult:
        for line in glyph_lines(self.character):
            yield Line(line)

    def set_character(self, character: str) -> None:
        if character != self.character:
            self.character = character
            for row, line in zip(self.query(Line), glyph_lines(character), strict=True):
                row.text = line


class BigClock(Widget):
    """A countdown in large block digits, five rows tall."""

    DEFAULT_CSS = """
    BigClock {
        layout: horizontal;
        height: 5;
        width: auto;
    }
    """

    value: reactive[str] = reactive("")
    """The time shown, such as "1:05"."""

    def watch_value(self, value: str) -> None:
        glyphs = list(self.query(Glyph))
        if len(glyphs) == len(value) and all(
            (g.character == ":") == (c == ":") for g, c in zip(glyphs, value, strict=True)
        ):
            for glyph, character in zip(glyphs, value, strict=True):
                glyph.set_character(character)
        else:  # 9:59 -> 10:00, or the first value: a new set of glyphs
            self.remove_children()
            self.mount_all(Glyph(c) for c in value)
