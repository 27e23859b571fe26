"""Small widgets of the session screen. Each redraws only when what it shows has changed (its
state is a reactive, which skips unchanged values): every repaint is bytes on a slow SSH link."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Digits, Static

from spasmtimer import clock_font
from spasmtimer.engine import Breath
from spasmtimer.text import printable
from spasmtimer.trends import Paragraph, flowed


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


class Glyph(Widget):
    """One character of the big clock, each of its rows a widget of its own: a new second
    redraws only the rows that differ (9 -> 8 is one row of the font), not the whole clock."""

    DEFAULT_CSS = """
    Glyph {
        layout: vertical;
    }
    Glyph > Line {
        height: 1;
    }
    """

    def __init__(self, character: str, scale: int) -> None:
        super().__init__()
        self.character = character
        self.scale = scale
        rows = clock_font.glyph_rows(character, scale)
        self.styles.width = len(rows[0])
        self.styles.height = len(rows)

    def compose(self) -> ComposeResult:
        for row in clock_font.glyph_rows(self.character, self.scale):
            yield Line(row)

    def set_character(self, character: str) -> None:
        if character != self.character:
            self.character = character
            rows = clock_font.glyph_rows(character, self.scale)
            for line, row in zip(self.query(Line), rows, strict=True):
                line.text = row


class BigClock(Widget):
    """The countdown in the largest digits that fit the space it is given: the 5-row font at
    whole multiples, Textual's 3-row `Digits` below that, and one line of text at the least.
    Re-laid when its size or the number of characters changes; otherwise only the characters
    that change are redrawn."""

    DEFAULT_CSS = """
    BigClock {
        width: 1fr;
        height: 1fr;
        layout: horizontal;
        align: center middle;
    }
    BigClock > Digits {
        width: auto;
    }
    BigClock > Line {
        width: auto;
    }
    """

    value: reactive[str] = reactive("")
    """The time shown, such as "1:05"."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scale: int | None = None
        """What it is drawn at: see `clock_font.fitting_scale`; None before the first draw."""

    def watch_value(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        value, size = self.value, self.size
        if not value or not size.width or not size.height:
            return  # nothing to show yet, or not laid out yet
        scale = clock_font.fitting_scale(value, size.width, size.height)
        children = list(self.children)
        same_shape = scale == self.scale and len(children) == (
            len(value) if scale >= 1 else 1
        )
        if not same_shape:
            self.scale = scale
            self.remove_children()
            self.mount_all(self._made(value, scale))
        elif scale >= 1:
            for glyph, character in zip(self.query(Glyph), value, strict=True):
                glyph.set_character(character)
        elif scale == clock_font.DIGITS:
            self.query_one(Digits).update(value)
        else:
            self.query_one(Line).text = value

    @staticmethod
    def _made(value: str, scale: int) -> list[Widget]:
        if scale == clock_font.DIGITS:
            return [Digits(value)]
        if scale == clock_font.ONE_LINE:
            return [Line(value)]
        glyphs: list[Widget] = [Glyph(character, scale) for character in value]
        for glyph in glyphs[:-1]:
            glyph.styles.margin = (0, clock_font.gap(scale), 0, 0)
        return glyphs


class Words(Widget):
    """`Paragraph`s of short items, re-flowed to the width the widget has: as many items to a
    line as fit, none broken across two (see `trends.flowed`). Plain text, whatever it holds."""

    DEFAULT_CSS = """
    Words {
        height: auto;
    }
    """

    def __init__(
        self, paragraphs: Sequence[Paragraph], *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.paragraphs = tuple(paragraphs)

    def lines(self, width: int) -> list[str]:
        return flowed(self.paragraphs, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return plain("\n".join(self.lines(self.size.width)))
