"""Small widgets of the session screen. Each redraws only when what it shows has changed (its
state is a reactive, which skips unchanged values): every repaint is bytes on a slow SSH link."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.renderables.digits import DIGITS as DIGIT_CHARACTERS
from textual.renderables.digits import DIGITS3X3 as THREE_ROW_DIGITS
from textual.timer import Timer
from textual.widget import Widget

from spasmtimer.app import clock_font
from spasmtimer.app.textual_output import CHECKED
from spasmtimer.base.text import printable
from spasmtimer.session.engine import Breath

if TYPE_CHECKING:
    from spasmtimer.history.trends import Paragraph


def plain(text: str, style: str = "") -> Content:
    """Text from a program, a note, the database or a file name, as it is: never read as
    markup, and with no control character that could reach the terminal."""
    return Content.styled(printable(text), style) if style else Content(printable(text))


def cell(text: str) -> Text:
    """The same for a `DataTable` cell, which would read a plain `str` as markup."""
    return Text(printable(text))


MERGE_GAP = 2
"""Unchanged cells between two changed ones that are written over rather than jumped: a
cursor move costs more bytes than two cells."""


def changed_spans(old: Content, new: Content) -> list[tuple[int, int]]:
    """Where two lines differ, in text or in style: runs of cells, each from the first cell
    that differs to the one after the last, as few as are worth it (see `MERGE_GAP`)."""
    # Not `old == new`: Textual's Content compares text alone, so a flash ending (the same
    # words, other colours) would look like no change, and stay on screen.
    if old.plain == new.plain and old.spans == new.spans:
        return []
    return spans_between(_cells(old), _cells(new))


def spans_between(old: Sequence[object], new: Sequence[object]) -> list[tuple[int, int]]:
    """Where two rows of cells differ, merged as `changed_spans` says; a row of plain text
    whose every character is one cell wide is its own row of cells."""
    spans: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(itertools.zip_longest(old, new)):
        if a == b:
            continue
        if spans and i - spans[-1][1] <= MERGE_GAP:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def _cells(content: Content) -> list[tuple[str, tuple[object, ...]] | None]:
    """Each cell's character and styles; a wide character's second cell repeats its first."""
    styles: list[tuple[object, ...]] = [() for _ in content.plain]
    for span in content.spans:
        for i in range(span.start, min(span.end, len(styles))):
            styles[i] += (span.style,)
    cells: list[tuple[str, tuple[object, ...]] | None] = []
    for character, style in zip(content.plain, styles, strict=True):
        cells += [(character, style)] * cell_len(character)
    return cells


class CellsWidget(Widget):
    """A widget that repaints only the cells that change: on a slow link, a bar's one-cell
    step costs a few bytes, not its whole row."""

    def repaint_change(self, before: Content, after: Content, y: int = 0) -> None:
        """Repaint the cells of line ``y`` where ``after``, what it shows now, differs from
        ``before``."""
        self.repaint_spans(changed_spans(before, after), y)

    def repaint_spans(self, spans: Sequence[tuple[int, int]], y: int = 0) -> None:
        """Repaint these runs of cells of line ``y``."""
        regions = [Region(start, y, end - start, 1) for start, end in spans]
        if regions:
            self.refresh(*regions)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        resized = layout and size != self._size
        updated = super()._size_updated(size, virtual_size, container_size, layout)
        if resized and CHECKED:
            # The layout that resizes a widget paints it whole in the same frame (Textual's
            # `Screen._refresh_layout`); Textual would paint it again in the next, writing the
            # same cells twice. Only the repaint is dropped: the render caches stay cleared.
            self._repaint_regions.clear()
        return updated


FLASH_SECONDS = 0.3
"""How long a `Line` flashes for a cue: long enough to catch the eye, short enough to calm."""


class Line(CellsWidget):
    """Plain text, never read as markup, wrapped to the widget's width and placed in it as its
    CSS ``text-align`` says. The widget draws its own rows, as `BigClock` does: a change
    repaints only the cells that differ, however wide the line ("rep 6 of 600" -> "rep 7 of
    600" is one cell; a flash, the word's own cells), and only a change in its size lays the
    screen out again: in how many rows the text takes, or in its width where the CSS sizes the
    line by its text.

    The text is a reactive: setting it to what it shows already redraws nothing.
    """

    DEFAULT_CSS = """
    Line {
        height: auto;
    }
    """

    FLASH_STYLE = "$text on $accent"

    text: reactive[str] = reactive("", repaint=False)
    flash: reactive[bool] = reactive(False, repaint=False)
    """Drawn in `FLASH_STYLE`, a bell for the eyes. A style of its content, not a CSS class:
    a class is applied a frame later, and the line would be written twice."""
    highlight: reactive[str] = reactive("", repaint=False)
    """A style for the text itself when it does not flash ("" for none): a background behind
    the words rather than across the terminal."""

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(Line.text, text)
        self._flash_timer: Timer | None = None

    def flash_once(self) -> None:
        """Flash for `FLASH_SECONDS`: a bell for the eyes. Given again meanwhile, it lasts
        from then."""
        self.flash = True
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(FLASH_SECONDS, self._end_flash)

    def _end_flash(self) -> None:
        self.flash = False

    def content_of(self, text: str, flash: bool, highlight: str) -> Content:
        return plain(text, self.FLASH_STYLE if flash else highlight)

    def rows_of(self, content: Content, width: int) -> list[Content]:
        """``content`` wrapped to ``width`` cells, each row moved along as the CSS aligns it."""
        if width <= 0:
            return []
        rows = content.wrap(width)
        align = self.styles.text_align
        if align == "center":
            # As wide as the widget: Textual, aligning each row again, leaves it where it is.
            return [row.center(width) for row in rows]
        if align in ("right", "end"):
            return [row.pad_left(width - row.cell_length) for row in rows]
        return rows

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return _widest(self._content())

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows_of(self._content(), width))

    def render(self) -> Content:
        return Content("\n").join(self.rows_of(self._content(), self.content_size.width))

    def _content(self) -> Content:
        return self.content_of(self.text, self.flash, self.highlight)

    def watch_text(self, before: str, after: str) -> None:
        self._changed(self.content_of(before, self.flash, self.highlight))

    def watch_flash(self, before: bool, after: bool) -> None:
        self._changed(self.content_of(self.text, before, self.highlight))

    def watch_highlight(self, before: str, after: str) -> None:
        self._changed(self.content_of(self.text, self.flash, before))

    def _changed(self, before: Content) -> None:
        after, width = self._content(), self.content_size.width
        was, now = self.rows_of(before, width), self.rows_of(after, width)
        sized_by_text = self.styles.width is not None and self.styles.width.is_auto
        if len(was) != len(now) or (sized_by_text and _widest(before) != _widest(after)):
            self.refresh(layout=True)
            return
        for y, (old, new) in enumerate(zip(was, now, strict=True)):
            self.repaint_change(old, new, y)


def _widest(content: Content) -> int:
    """The cells of the longest line of ``content``."""
    return max(line.cell_length for line in content.split("\n"))


class BreathBar(CellsWidget):
    """Lungs: a bar that widens from the middle as you breathe in, stays full while you hold,
    and narrows as you breathe out. Half-cell steps on each side keep it smooth."""

    DEFAULT_CSS = """
    BreathBar {
        height: 1;
        width: 20;
        color: $accent;
    }
    """

    steps: reactive[int] = reactive(-1, repaint=False)
    """Half-cells filled on each side; -1 before anything is drawn."""

    def watch_steps(self, before: int, after: int) -> None:
        self.repaint_change(self.line_of(before), self.line_of(after))

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
        return self.line_of(self.steps)

    def line_of(self, steps: int) -> Content:
        width = self.size.width
        half = width // 2
        full, partial = divmod(max(0, steps), 2)
        left = " " * (half - full - partial) + ("▐" if partial else "") + "█" * full
        right = "█" * full + ("▌" if partial else "") + " " * (width - half - full - partial)
        return Content(left + right)


class Bar(CellsWidget):
    """A thin progress bar with a label, drawn with line characters: ━━━━━─── 42%"""

    DEFAULT_CSS = """
    Bar {
        height: 1;
    }
    """

    shown: reactive[tuple[int, int, str]] = reactive((0, 0, ""), repaint=False)
    """Cells filled, cells in all, and the label."""

    def watch_shown(self, before: tuple[int, int, str], after: tuple[int, int, str]) -> None:
        self.repaint_change(self.line_of(before), self.line_of(after))

    def set_progress(self, fraction: float, label: str, width: int) -> None:
        cells = max(4, width - len(label) - 1)
        self.shown = (round(max(0.0, min(1.0, fraction)) * cells), cells, label)

    def render(self) -> Content:
        return self.line_of(self.shown)

    @staticmethod
    def line_of(shown: tuple[int, int, str]) -> Content:
        filled, cells, label = shown
        return Content.assemble(
            ("━" * filled, "$accent"),
            ("─" * (cells - filled), "$panel-lighten-2"),
            " ",
            plain(label),
        )


class BigClock(CellsWidget):
    """The countdown in the largest digits that fit the space it is given: the 5-row font at
    whole multiples, Textual's 3-row digits below that, and one line of text at the least,
    centred. Drawn by the widget itself, not by a widget per character: it is in the very
    first frame, and a new second repaints only the cells that change (9 -> 8 is two cells of
    one row of the font), not the whole clock."""

    DEFAULT_CSS = """
    BigClock {
        width: 1fr;
        height: 1fr;
    }
    """

    value: reactive[str] = reactive("", repaint=False)
    """The time shown, such as "1:05"."""

    @property
    def scale(self) -> int | None:
        """What it is drawn at (see `clock_font.fitting_scale`); None before it is laid out."""
        width, height = self.size
        if not self.value or not width or not height:
            return None
        return clock_font.fitting_scale(self.value, width, height)

    def watch_value(self, before: str, after: str) -> None:
        for y, (was, now) in enumerate(
            itertools.zip_longest(self.lines_of(before), self.lines_of(after), fillvalue="")
        ):
            if was != now:
                # Every character of the clock is one cell wide and of one style: its text
                # is its cells (and comparing them as Content, cell by cell, cost more than
                # drawing them at 200x60).
                self.repaint_spans(spans_between(was, now), y)

    def render(self) -> Content:
        return Content("\n".join(self.lines_of(self.value)))

    def lines_of(self, value: str) -> list[str]:
        """The lines that draw ``value`` centred in the clock's size, at the scale that fits."""
        width, height = self.size
        if not value or not width or not height:
            return []
        scale = clock_font.fitting_scale(value, width, height)
        if scale >= 1:
            rows = clock_font.rows(value, scale)
        elif scale == clock_font.DIGITS:
            rows = _three_row_digits(value)
        else:
            rows = [value]
        left = " " * max(0, (width - len(rows[0])) // 2)
        return [""] * max(0, (height - len(rows)) // 2) + [left + row for row in rows]


def _three_row_digits(value: str) -> list[str]:
    """``value`` in Textual's 3-row digits, as its `Digits` draws them."""
    rows = ["", "", ""]
    for character in value:
        if (at := DIGIT_CHARACTERS.find(character)) >= 0:
            pieces = [piece.ljust(3) for piece in THREE_ROW_DIGITS[3 * at : 3 * at + 3]]
        else:
            pieces = ["   "] * 3
        for y, piece in enumerate(pieces):
            rows[y] += piece
    return rows


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
        # Only the history screen has words to flow: trends is not imported before it opens.
        from spasmtimer.history.trends import flowed

        return flowed(self.paragraphs, width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return plain("\n".join(self.lines(self.size.width)))
