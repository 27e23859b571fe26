"""Small widgets of the session screen. Each redraws only when what it shows has changed:
Textual repaints whatever is updated, even with the same value, and every repaint is bytes on a
slow SSH link."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from spasmtimer.engine import Breath


class Quiet(Static):
    """A Static that ignores updates to the text it already shows."""

    def __init__(self, text: str = "", *, id: str | None = None, markup: bool = True) -> None:
        super().__init__(text, id=id, markup=markup)
        self._shown: str | None = text

    def show(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.update(text)


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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._steps = -1  # half-cells filled on each side; -1: nothing drawn yet

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
        steps = round(self.fullness(breath) * self.half_cells)
        if steps != self._steps:
            self._steps = steps
            self.refresh()

    def render(self) -> Text:
        width = self.size.width
        half = width // 2
        steps = max(0, self._steps)
        full, partial = divmod(steps, 2)
        left = " " * (half - full - partial) + ("▐" if partial else "") + "█" * full
        right = "█" * full + ("▌" if partial else "") + " " * (width - half - full - partial)
        return Text(left + right)


class Bar(Quiet):
    """A thin progress bar with a label, drawn with line characters: ━━━━━─── 42%"""

    def set_progress(self, fraction: float, label: str, width: int) -> None:
        width = max(4, width - len(label) - 1)
        filled = round(max(0.0, min(1.0, fraction)) * width)
        done, left = "━" * filled, "─" * (width - filled)
        self.show(f"[$accent]{done}[/][$panel-lighten-2]{left}[/] {label}")


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
    Glyph > Quiet {
        height: 1;
    }
    """

    def __init__(self, character: str) -> None:
        super().__init__()
        self.character = character
        self.styles.width = len(glyph_lines(character)[0])

    def compose(self) -> ComposeResult:
        for line in glyph_lines(self.character):
            yield Quiet(line, markup=False)

    def set_character(self, character: str) -> None:
        if character != self.character:
            self.character = character
            for row, line in zip(self.query(Quiet), glyph_lines(character), strict=True):
                row.show(line)


class BigClock(Widget):
    """A countdown in large block digits, five rows tall."""

    DEFAULT_CSS = """
    BigClock {
        layout: horizontal;
        height: 5;
        width: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.value = ""

    def show(self, value: str) -> None:
        if value == self.value:
            return
        glyphs = list(self.query(Glyph))
        if len(glyphs) == len(value) and all(
            (g.character == ":") == (c == ":") for g, c in zip(glyphs, value, strict=True)
        ):
            for glyph, character in zip(glyphs, value, strict=True):
                glyph.set_character(character)
        else:  # 9:59 -> 10:00, or the first value: a new set of glyphs
            self.remove_children()
            self.mount_all(Glyph(c) for c in value)
        self.value = value
