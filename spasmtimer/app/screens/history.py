"""Past sessions: totals and streak, the trends as charts (or in words, where a chart cannot be
read), and every session.

What it shows is read from the history's indexes and a bounded number of its rows
(`HistoryService.view`), whatever its years; the table holds the newest sessions, and reads the
next page of older ones as it is scrolled to its end (`HistoryService.older`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Static

from spasmtimer.app.widgets import Words, cell, plain
from spasmtimer.base.text import cell_width, fit_cells
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.rows import Mark
from spasmtimer.history.service import HistoryView
from spasmtimer.history.trends import (
    Chart,
    Paragraph,
    level_chart,
    level_legend,
    levels_words,
    pain_chart,
    pain_words,
    week_chart,
    week_words,
)
from spasmtimer.session.display import done_cell, done_text, pain_text
from spasmtimer.session.levels import Level

CHARTS_FROM_COLUMNS = 60
"""Narrower than this, the trends are in words: a chart's labels would not fit."""
CHARTS_FROM_ROWS = 20
"""Shorter than this, the trends are in words: a chart would not fit between header and footer."""
SIDE_BY_SIDE_FROM_COLUMNS = 150
"""From this wide, the three charts stand side by side."""
SERIES_COLOURS = ("primary", "warning", "success", "secondary", "accent", "error")
"""Theme colours of a chart's series, in order (each also has a marker of its own)."""
WEEKDAYS_FROM_COLUMNS = 100
"""Narrower than this, the table's dates leave out the weekday, for the notes' room."""
TITLE_COLUMNS = 18
"""A program's title in the table is cut to this many columns (the whole is under Enter)."""
NOTES_AT_LEAST = 10
"""The notes' column is never narrower: a window too narrow for it scrolls sideways."""
ROOM_AROUND_THE_TABLE = 4
"""Columns of the window that are not the table's: the history's padding and scroll bar."""
TABLE_SCROLL_BAR = 2
"""The table's own scroll bar: it scrolls inside itself once its rows outgrow the window."""
SESSION_COLUMNS = ("When", "Program", "Level", "Time", "Pain", "Notes")


class SessionTable(DataTable[str]):
    BINDINGS = [Binding("enter", "select_cursor", "Details")]


class SessionDetails(ModalScreen[None]):
    """One session of the history, in full: Enter on its row (its notes are cut in the
    table)."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close")]

    def __init__(self, record: SessionRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        r = self.record
        started = r.started_at.astimezone()
        when = started.strftime("%a %d %b %Y, %H:%M")
        if r.ended_at is not None:
            when += r.ended_at.astimezone().strftime("–%H:%M")
        status = "completed" if r.completed else r.status
        counted = "counted toward the level" if r.counted else "did not count toward the level"
        pain = pain_text(r.pain_before, r.pain_after) or "not rated"
        named = "" if r.title == r.program else f" ({r.program})"
        with Vertical(id="dialog") as box:
            box.border_title = "Session"
            box.border_subtitle = "Esc to close"
            yield Static(
                Content.assemble(
                    plain(when),
                    "\n",
                    plain(f"{r.title}{named} · level {r.level}", "bold"),
                    "\n",
                    plain(f"{done_text(r.done_seconds, r.planned_seconds)} · {status}, {counted}"),
                    "\n",
                    plain(f"Pain before → after: {pain}"),
                    "\n\n",
                    ("Notes", "bold"),
                    "\n",
                    plain(r.notes or "none") if r.notes else ("none", "dim"),
                ),
                id="session-details",
            )
        yield Footer()


READ_ON_WITHIN = 20
"""Rows from the end of those read: the cursor this near, or the view scrolled this near, the
table reads the next page."""

Older = Callable[[Mark], tuple[list[SessionRecord], "Mark | None"]]
"""The sessions before a mark, newest first, and the mark to read on from
(`HistoryService.older`)."""


class HistoryScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,h", "app.pop_screen", "Back")]
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (CHARTS_FROM_COLUMNS, "-medium"),
        (SIDE_BY_SIDE_FROM_COLUMNS, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (CHARTS_FROM_ROWS, "-tall")]

    def __init__(self, view: HistoryView, older: Older | None = None) -> None:
        super().__init__()
        self.newest = view.newest
        self.more = view.more
        """Where the table reads on from; None once it holds every session."""
        self.sessions = view.sessions
        self.totals = view.totals
        self.levels = view.levels
        self.trends = view.trends
        self.older = older
        self.shown: list[SessionRecord] = list(self.newest)
        """The sessions the table holds, newest first: a page more each time it reads on."""
        self._table_layout: tuple[bool, int] | None = None
        """With weekdays, and how wide the notes: as the table was last filled."""
        self._measured: tuple[bool, list[int], int] | None = None
        """With weekdays or not, how wide the columns but the notes are over the first so
        many rows read: measured once each."""

    def on_mount(self) -> None:
        # Textual greys every colour under NO_COLOR: charts that tell series apart by colour
        # (as well as by marker) give way to the same in words.
        self.set_class(self.app.no_color, "-no-color")
        if self.shown:
            self._fill_table(self.app.size.width)
            scroll = self.query_one("#history", VerticalScroll)
            self.watch(scroll, "scroll_y", self._scrolled, init=False)
            # The table scrolls inside itself too (the wheel over it): read on from either.
            table = self.query_one(DataTable)
            self.watch(table, "scroll_y", self._table_scrolled, init=False)

    def on_resize(self, event: events.Resize) -> None:
        if self.shown:
            self._fill_table(event.size.width)

    def compose(self) -> ComposeResult:
        yield Static("History", id="header")
        with VerticalScroll(id="history"):
            if not self.newest:
                yield Static("No sessions yet. They appear here as soon as one starts.")
                return
            yield Static(self.totals.describe(), id="totals")
            with Container(id="trends"):
                title = "Pain before and after, session by session"
                if self.trends.pain_left_out:
                    title += f" (the last {len(self.trends.pain)} rated)"
                yield from self._trend(
                    "pain", title, pain_chart(self.trends), pain_words(self.trends)
                )
                yield from self._trend(
                    "weeks",
                    "Minutes per week",
                    week_chart(self.trends),
                    week_words(self.trends),
                    legend=Content("Each week from its Monday: all the time done, counted or not."),
                )
                current = {name: levels.current for name, levels in self.levels.items()}
                yield from self._trend(
                    "levels",
                    "Levels over time",
                    level_chart(self.trends),
                    levels_words(self.trends, current),
                    legend=self._levels_legend(current),
                )
            plural = "s" if self.sessions != 1 else ""
            sessions = f"{self.sessions:,} session{plural}, newest first"
            yield Static(Content.styled(sessions, "bold"), id="sessions-title")
            yield SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def _trend(
        self,
        name: str,
        title: str,
        chart: Chart | None,
        words: Sequence[Paragraph],
        legend: Content | None = None,
    ) -> ComposeResult:
        """A chart under its title, its legend under it; or the same in words."""
        with Vertical(id=name, classes="trend"):
            yield Static(Content.styled(title, "bold"), classes="trend-title")
            if chart is None:  # nothing to draw: the words say so, whatever the size
                yield Words(words, id=f"{name}-words")
                return
            # Not imported with the app: plotext takes some 30 ms to import.
            from spasmtimer.app.charts import TrendChart

            yield TrendChart(chart, SERIES_COLOURS, id=f"{name}-chart")
            yield Static(
                legend if legend is not None else _legend(chart),
                id=f"{name}-legend",
                classes="trend-legend",
            )
            yield Words(words, id=f"{name}-words", classes="trend-words")

    def _levels_legend(self, current: dict[str, Level]) -> Content:
        """Each program's marker (in its colour) and name, and its level now."""
        return Content("\n").join(
            Content.assemble((marker, _colour(n)), " ", plain(text))
            for n, marker, text in level_legend(self.trends, current)
        )

    def _texts(self, r: SessionRecord, weekdays: bool) -> list[str]:
        """A session's row but its notes."""
        return [
            _when(r.started_at, weekdays),
            fit_cells(" ".join(r.title.split()), TITLE_COLUMNS),
            str(r.level),
            done_cell(r.done_seconds, r.completed, r.status),
            pain_text(r.pain_before, r.pain_after),
        ]

    def _layout(self, width: int) -> tuple[bool, int]:
        """The table laid out for a window ``width`` columns wide: with weekdays or not, and
        how wide the notes — what the other columns leave (cut with "…"; Enter shows them
        whole), so that the table fits the window rather than scrolling them out of it."""
        weekdays = width >= WEEKDAYS_FROM_COLUMNS
        if self._measured is None or self._measured[0] != weekdays:
            self._measured = (weekdays, [cell_width(name) for name in SESSION_COLUMNS[:-1]], 0)
        _, widths, measured = self._measured
        for r in self.shown[measured:]:  # only the rows read since: a page costs a page
            texts = self._texts(r, weekdays)
            widths = [max(w, cell_width(t)) for w, t in zip(widths, texts, strict=True)]
        self._measured = (weekdays, widths, len(self.shown))
        padding = 2 * len(SESSION_COLUMNS)  # a column on each side of every cell
        room = width - ROOM_AROUND_THE_TABLE - sum(widths) - padding
        if len(self.shown) + 1 > self.app.size.height - 2:  # its heading; the screen's two
            room -= TABLE_SCROLL_BAR
        return weekdays, max(NOTES_AT_LEAST, room)

    def _fill_table(self, width: int) -> None:
        """The sessions read so far, newest first, laid out for a window ``width`` wide."""
        layout = self._layout(width)
        if self._table_layout == layout:
            return
        self._table_layout = layout
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_columns(*SESSION_COLUMNS)
        self._add_rows(self.shown, 0)
        table.move_cursor(row=row)

    def _add_rows(self, records: Sequence[SessionRecord], first: int) -> None:
        """Add ``records`` to the table as laid out, the first as row ``first``."""
        assert self._table_layout is not None
        weekdays, notes_width = self._table_layout
        table = self.query_one(DataTable)
        for n, r in enumerate(records, start=first):
            notes = fit_cells(" ".join((r.notes or "").split()), notes_width)  # one line
            table.add_row(*(cell(text) for text in [*self._texts(r, weekdays), notes]), key=str(n))

    @on(DataTable.RowSelected, "#sessions")
    def _details(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(SessionDetails(self.shown[event.cursor_row]))

    def read_on(self) -> None:
        """Add the next page of older sessions to the table, if there is one."""
        if self.more is None or self.older is None:
            return
        records, self.more = self.older(self.more)
        first = len(self.shown)
        self.shown += records
        if self._layout(self.app.size.width) == self._table_layout:
            self._add_rows(records, first)
        else:  # a wider row among them: laid out again
            self._fill_table(self.app.size.width)

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - READ_ON_WITHIN:
            self.read_on()

    def _scrolled(self, y: float) -> None:
        scroll = self.query_one("#history", VerticalScroll)
        if y >= scroll.max_scroll_y - READ_ON_WITHIN:
            self.read_on()

    def _table_scrolled(self, y: float) -> None:
        table = self.query_one(DataTable)
        if y >= table.max_scroll_y - READ_ON_WITHIN:
            self.read_on()


def _legend(chart: Chart) -> Content:
    """``● before  ▲ after``: each series' marker, in its colour, and its name."""
    return Content("   ").join(
        Content.assemble((marker, _colour(n)), " ", plain(label))
        for n, (marker, label) in enumerate(chart.legend)
    )


def _colour(series: int | None) -> str:
    """The style of a series' marker in a legend: its colour in the chart."""
    return "" if series is None else f"${SERIES_COLOURS[series % len(SERIES_COLOURS)]}"


def _when(moment: datetime, weekday: bool = True) -> str:
    return moment.astimezone().strftime("%a %d %b %H:%M" if weekday else "%d %b %H:%M")
