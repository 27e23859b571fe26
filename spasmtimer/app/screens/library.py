"""The program library: bundled and user programs, filtered as you type after `/`.

The filter is typed into the list itself rather than into a separate input: focus moves in
Textual only after the keys already on their way, so over a slow SSH link (or a paste) the
letters of "/desk" could reach the list's own keys — `e` would open the editor. Here every key
takes the same path in order, and while filtering the screen claims the printable ones.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from spasmtimer.app.messages import (
    EditProgram,
    OpenSettings,
    PreviewProgram,
    RunProgram,
    ShowHistory,
)
from spasmtimer.app.widgets import cell, plain
from spasmtimer.base.locations import shown_path
from spasmtimer.base.text import cell_width, fit_cells, printable
from spasmtimer.session.display import seconds_text
from spasmtimer.session.library import FilesStamp, Item, files_stamp

COLUMNS = ("Program", "Time", "Level", "Tags")
TITLE_COLUMNS = 36
"""A title longer than this is cut in the table (the line under it has it whole)."""
TAGS_AT_LEAST = 10
"""The tags' column is never narrower: a window too narrow for it scrolls sideways."""
ROOM_AROUND_THE_TABLE = 4
"""Columns of the window that are not the table's: its margins and a scroll bar."""


def matches(item: Item, words: str) -> bool:
    """Every word of the filter appears in the name, title, tags or summary."""
    program = item.program
    haystack = " ".join(
        [item.entry.name, item.title, *item.tags, program.summary or "" if program else ""]
    ).lower()
    return all(word in haystack for word in words.lower().split())


class FilterLine(Static):
    """The filter as typed, and what the keys do with it."""

    shown: reactive[tuple[str, bool]] = reactive(("", False))
    """The words typed, and whether they are still being typed."""

    def render(self) -> Content:
        words, typing = self.shown
        if typing:
            return Content.assemble("/ ", plain(words), "▏ ", ("(Enter: done · Esc: clear)", "dim"))
        if words:
            return Content.assemble("/ ", plain(words), " ", ("(/ to change)", "dim"))
        return Content.styled("/ to filter by name, title, tag or summary", "dim")


class ProgramTable(DataTable[str]):
    BINDINGS = [Binding("enter", "select_cursor", "Preview")]


class LibraryScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "run", "Run"),
        Binding("e", "edit", "Edit"),
        Binding("slash", "filter", "Filter"),
        Binding("h", "history", "History"),
        Binding("exclamation_mark", "safety", "Safety"),
        Binding("o", "settings", "Settings"),
        Binding("q", "app.quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
    ]

    COURSE_SECONDS = 30.0
    """How often the course's line is worked out again: "next at 18:00" becomes "due now"."""
    POLL_SECONDS = 2.0
    """How often, while the library is the screen shown, its files are looked at for changes
    made outside the app (an editor, a copy): a listing and a `stat` per file."""

    def __init__(
        self,
        load: Callable[[], list[Item]],
        course_line: Callable[[], str | None] = lambda: None,
    ) -> None:
        super().__init__()
        self.load = load
        self.course_line = course_line
        """What the course has due today, or None without one."""
        self.items: list[Item] = []
        self.stamp: FilesStamp = ()
        """The library's files as they were when `items` were loaded."""
        self.shown: list[Item] = []
        self.words = ""
        self.filtering = False

    def compose(self) -> ComposeResult:
        yield Static("spasmtimer · your programs", id="header")
        yield Static(id="course")
        yield FilterLine(id="filter")
        table = ProgramTable(id="programs", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static(id="about")
        yield Footer(compact=True)  # every key, `?` the last, within 80 columns

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.set_interval(self.POLL_SECONDS, self.poll_files)
        self.set_interval(self.COURSE_SECONDS, self.show_course)

    def on_screen_resume(self) -> None:
        """Shown (again): a session may have changed a level, the settings the times, or an
        editor the files."""
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        """Load the library again (after an edit, or a session that changed a level)."""
        self.items = self.load()
        self.stamp = files_stamp(self.items)
        self.show_items(keep)
        self.show_course()

    def show_course(self) -> None:
        line = self.course_line()
        course = self.query_one("#course", Static)
        course.display = line is not None
        course.update(plain(line or ""))

    def poll_files(self) -> None:
        """Reload when a program was added, removed or changed outside the app while the
        library is the screen on top; under another one, showing it again reloads anyway."""
        if self.is_active and files_stamp(self.items) != self.stamp:
            self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.items:
            self.show_items()

    def show_items(self, keep: str | None = None) -> None:
        """The programs the filter lets through, laid out for the window: the tags take what
        the other columns leave (cut with "…"), so that the table never runs past it."""
        table = self.query_one(DataTable)
        current = keep or (self.current.entry.name if self.current else None)
        self.shown = [item for item in self.items if matches(item, self.words)]
        rows = []
        for item in self.shown:
            title = fit_cells(" ".join(item.title.split()), TITLE_COLUMNS)
            yours = " · yours" if item.entry.source == "user" else ""
            time = seconds_text(item.total_seconds) if item.total_seconds else "⚠ error"
            level = item.level.short if item.program else "–"
            rows.append((title, yours, time, level))
        widths = [
            max((cell_width(texts[0] + texts[1]) for texts in rows), default=0),
            *(max((cell_width(texts[n]) for texts in rows), default=0) for n in (2, 3)),
        ]
        widths = [max(width, len(name)) for width, name in zip(widths, COLUMNS, strict=False)]
        room = self.app.size.width - ROOM_AROUND_THE_TABLE - sum(widths) - 2 * len(COLUMNS)
        table.clear()
        for item, (title, yours, time, level) in zip(self.shown, rows, strict=True):
            shown_title = cell(title)
            if yours:  # a copy of a bundled program looks just like it
                shown_title.append(yours, style="dim")
            tags = fit_cells(", ".join(item.tags), max(TAGS_AT_LEAST, room))
            table.add_row(shown_title, time, level, cell(tags), key=item.entry.name)
        names = [item.entry.name for item in self.shown]
        if current in names:
            table.move_cursor(row=names.index(current))
        self.describe()

    def show_filter(self) -> None:
        self.query_one(FilterLine).shown = (self.words, self.filtering)

    @property
    def current(self) -> Item | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def describe(self) -> None:
        item = self.current
        about = self.query_one("#about", Static)
        if item is None:
            about.update("No program matches." if self.items else "No programs found.")
        elif item.error:
            about.update(
                Content.assemble(
                    ("This program cannot be loaded:", "bold $error"), "\n", plain(item.error)
                )
            )
        else:
            assert item.program is not None
            where = "bundled"
            if item.entry.source != "bundled":
                path = shown_path(item.entry.path)
                where = f"yours: {path}" if item.entry.source == "user" else path
                if item.entry.replaces_bundled:
                    where = f"yours, in place of the bundled one: {path}"
            warnings = len(item.program.warnings)
            warned = (
                f"⚠ {warnings} warning{'s' if warnings > 1 else ''}: "
                f"spasmtimer check {item.entry.name} says where\n"
                if warnings
                else ""
            )
            about.update(
                Content.assemble(
                    plain(item.title, "bold"),
                    " ",
                    plain(f"({item.entry.name}, {where})", "dim"),
                    plain(f" · {item.level}" if item.level.eased_from is not None else ""),
                    "\n",
                    (printable(warned), "$warning"),  # the name is a file's
                    plain(item.program.summary or ""),
                )
            )

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.describe()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_preview()

    # -- filtering -----------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.filtering = True
        self.show_filter()

    def on_key(self, event: events.Key) -> None:
        """While filtering, printable keys, Backspace, Enter and Esc belong to the filter.

        `/` is taken here too rather than only as a binding: bindings are looked up after the key
        has passed this screen, so the keys right behind it would not yet be filter text.
        """
        if not self.filtering and event.key == "slash":
            event.stop()
            self.action_filter()
            return
        if not self.filtering:
            if event.key == "escape" and self.words:
                self.words = ""
                self.show_filter()
                self.show_items()
                event.stop()
            return
        if event.key == "enter":
            self.filtering = False
        elif event.key == "escape":
            self.filtering, self.words = False, ""
        elif event.key == "backspace":
            self.words = self.words[:-1]
        elif event.is_printable and event.character is not None:
            self.words += event.character
        else:
            return  # arrows still move through the list while filtering
        event.stop()
        event.prevent_default()
        self.show_filter()
        self.show_items()

    # -- actions -------------------------------------------------------------------------------
    def action_preview(self) -> None:
        item = self.current
        if item is not None and item.program is not None:
            self.post_message(PreviewProgram(item))
        elif item is not None:
            self.notify(
                "Fix the program first: its error is shown below.", severity="error", timeout=4
            )

    def action_run(self) -> None:
        item = self.current
        if item is not None and item.program is not None:
            self.post_message(RunProgram(item))

    def action_edit(self) -> None:
        item = self.current
        if item is not None:
            self.post_message(EditProgram(item))

    def action_history(self) -> None:
        self.post_message(ShowHistory())

    def action_safety(self) -> None:
        from spasmtimer.app.screens.safety import SafetyScreen

        self.app.push_screen(SafetyScreen())

    def action_settings(self) -> None:
        self.post_message(OpenSettings())

    def action_help(self) -> None:
        from spasmtimer.app.screens.help import LIBRARY_KEYS, HelpScreen

        self.app.push_screen(HelpScreen(LIBRARY_KEYS))
