"""The program library: bundled and user programs, filtered as you type after `/`.

The filter is typed into the list itself rather than into a separate input: focus moves in
Textual only after the keys already on their way, so over a slow SSH link (or a paste) the
letters of "/desk" could reach the list's own keys — `e` would open the editor. Here every key
takes the same path in order, and while filtering the screen claims the printable ones.

The programs are loaded on a thread of the screen's own, and shown as they come: the first frame
is drawn at once, whatever the size of the library (a physiotherapist's may hold thousands), and
the keys answer while it fills. Looking at the files for changes is done there too.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.coordinate import Coordinate
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

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


Load = Callable[[Sequence[Item], FilesStamp], Iterable[Item]]
"""Loads the library, yielding each program as it is loaded, on the screen's loading thread:
given the programs loaded before and their files' stamp then, it may take those whose files
have not changed as they are."""


def _texts(item: Item) -> tuple[str, str, str, str]:
    """A program's row but its tags: its title (cut), whether it is yours, time and level."""
    title = fit_cells(" ".join(item.title.split()), TITLE_COLUMNS)
    yours = " · yours" if item.entry.source == "user" else ""
    time_text = seconds_text(item.total_seconds) if item.total_seconds else "⚠ error"
    level = item.level.short if item.program else "–"
    return title, yours, time_text, level


def _header_widths() -> list[int]:
    return [cell_width(name) for name in COLUMNS[:3]]


def _widths_with(widths: Sequence[int], items: Iterable[Item]) -> list[int]:
    """How wide the columns but the tags are with ``items`` added to rows this wide: a batch
    of a library that fills is measured alone, not with all before it."""
    found = list(widths)
    for item in items:
        title, yours, time_text, level = _texts(item)
        row = (cell_width(title + yours), cell_width(time_text), cell_width(level))
        found = [max(w, r) for w, r in zip(found, row, strict=True)]
    return found


def _cells(item: Item, tags_width: int) -> tuple[Text | str, ...]:
    """A program's row, its tags cut to ``tags_width`` columns."""
    title, yours, time_text, level = _texts(item)
    shown_title = cell(title)
    if yours:  # a copy of a bundled program looks just like it
        shown_title.append(yours, style="dim")
    return shown_title, time_text, level, cell(fit_cells(", ".join(item.tags), tags_width))


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
    LOADING_SWITCH_SECONDS = 0.0005
    """While the library loads: how long the UI thread may keep Python's lock once the loading
    thread asks for it (Python's default is 5 ms). The loader gives the lock up at each read
    of a file, a few a program, and then waited behind the UI for each: a library of hundreds
    took three times what `spasmtimer list` takes to load it."""
    DRAWN_WITHIN = 1.0
    """How long the loading thread waits for the programs it sent to be drawn, at most (a
    screen not shown is not drawn)."""
    SHOW_FIRST = 0.1
    SHOW_EVERY = 0.5
    """While the library first loads, the programs loaded so far are added to it after
    `SHOW_FIRST` seconds, then every `SHOW_EVERY`: each addition draws the table again, and the
    drawing slows the loading (the two share Python's lock)."""

    class Loading(Message):
        """Programs loaded so far, to be added to the list as it first fills."""

        def __init__(self, load: int, items: list[Item]) -> None:
            super().__init__()
            self.load = load
            self.items = items

    class Loaded(Message):
        """The library, loaded whole, and its files' stamp."""

        def __init__(self, load: int, items: list[Item], stamp: FilesStamp) -> None:
            super().__init__()
            self.load = load
            self.items = items
            self.stamp = stamp

    class FilesChanged(Message):
        """The library's files are not as they were when it was loaded."""

    def __init__(self, load: Load, course_line: Callable[[], str | None] = lambda: None) -> None:
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
        self.loading_programs = False
        """Programs are being loaded (the first time, or again)."""
        self._loads = 0
        """Which load is the latest: what an earlier one sends is passed over."""
        self._keep: str | None = None
        self._tags_width = TAGS_AT_LEAST
        """How wide the tags' column is, as the rows were laid out."""
        self._widths = _header_widths()
        """How wide the other columns are, over the rows shown."""
        self._switch_before = sys.getswitchinterval()
        """Python's switch interval before the library began to load (restored once loaded)."""
        self._drawn = threading.Event()
        """Set once the programs last sent while loading are drawn."""

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
        """Load the library again (after an edit, or a session that changed a level), on the
        loading thread; the programs shown stay until it is done, and the list is only added
        to as it first fills."""
        self._loads += 1
        self._keep = keep or self._keep
        if not self.loading_programs:
            self._switch_before = sys.getswitchinterval()
            sys.setswitchinterval(min(self._switch_before, self.LOADING_SWITCH_SECONDS))
        self.loading_programs = True
        self.describe()
        self.show_course()
        load, known, stamp = self._loads, list(self.items), self.stamp
        self.run_worker(
            lambda: self._load(load, known, stamp),
            name="library",
            group="library",
            exclusive=True,
            thread=True,
        )

    def _load(self, load: int, known: list[Item], stamp: FilesStamp) -> None:
        """On the loading thread: each program as it comes, sent to be shown (the first time)
        now and then, and the whole when done."""
        worker = get_current_worker()
        items: list[Item] = []
        sent = 0
        last_sent = time.monotonic()
        for item in self.load(known, stamp):
            if worker.is_cancelled:
                return
            items.append(item)
            wait = self.SHOW_EVERY if sent else self.SHOW_FIRST
            if not known and time.monotonic() - last_sent >= wait:
                self._drawn.clear()
                self.post_message(self.Loading(load, items[sent:]))
                # Loading on while the screen draws them would slow the drawing (the two
                # share Python's lock): the screen was held up to 0.6 s by 5,000 programs.
                if self.is_active:
                    self._drawn.wait(self.DRAWN_WITHIN)
                sent, last_sent = len(items), time.monotonic()
        stamp = files_stamp(items)
        if not worker.is_cancelled:
            self.post_message(self.Loaded(load, items, stamp))

    def _loading_done(self) -> None:
        if self.loading_programs:
            self.loading_programs = False
            sys.setswitchinterval(self._switch_before)

    def on_unmount(self) -> None:
        self._loading_done()
        self._drawn.set()  # the loading thread waits for no drawing that will not come

    def show_course(self) -> None:
        line = self.course_line()
        course = self.query_one("#course", Static)
        course.display = line is not None
        course.update(plain(line or ""))

    @on(Loading)
    def _loading(self, message: Loading) -> None:
        if message.load != self._loads:  # an earlier load's, cancelled: nothing to draw
            self._drawn.set()
            return
        self.items.extend(message.items)
        self._add_rows([item for item in message.items if matches(item, self.words)])
        self.describe()
        self.call_after_refresh(self._drawn.set)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.load != self._loads:
            return
        self._loading_done()
        before, self.items, self.stamp = self.items, message.items, message.stamp
        keep, self._keep = self._keep, None
        if keep is None and self.items[: len(before)] == before:
            # The first load, the list filled as it came (or a load that changed nothing).
            rest = self.items[len(before) :]
            self._add_rows([item for item in rest if matches(item, self.words)])
            self.describe()
        elif keep is None and self._change_rows(before, self.items):
            self.describe()
        else:
            self.show_items(keep)

    def poll_files(self) -> None:
        """Reload when a program was added, removed or changed outside the app while the
        library is the screen on top; under another one, showing it again reloads anyway. The
        files are looked at on a thread of their own."""
        if not self.is_active or self.loading_programs:
            return
        items, stamp = list(self.items), self.stamp

        def look() -> None:
            if files_stamp(items) != stamp:
                self.post_message(self.FilesChanged())

        self.run_worker(look, name="files", group="files", exclusive=True, thread=True)

    @on(FilesChanged)
    def _files_changed(self) -> None:
        if self.is_active and not self.loading_programs:
            self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.items:
            self.show_items()

    def show_items(self, keep: str | None = None) -> None:
        """The programs the filter lets through, laid out for the window: the tags take what
        the other columns leave (cut with "…"), so that the table never runs past it."""
        table = self.query_one(DataTable)
        current = keep or (self.current.entry.name if self.current else None)
        self.shown = []
        table.clear()
        self._add_rows([item for item in self.items if matches(item, self.words)])
        names = [item.entry.name for item in self.shown]
        if current in names:
            table.move_cursor(row=names.index(current))
        self.describe()

    def _add_rows(self, items: list[Item]) -> None:
        """Add ``items`` (which the filter lets through) to the end of the list: all of it laid
        out again when they change how wide the other columns are."""
        table = self.query_one(DataTable)
        if not self.shown:
            self._widths = _header_widths()
        self._widths = _widths_with(self._widths, items)
        width = self._tags_width_for(self._widths)
        if width != self._tags_width:
            self._tags_width = width
            if self.shown:  # rarely: a title or a time wider than any before
                cursor = table.cursor_row
                items, self.shown = [*self.shown, *items], []
                table.clear()
                self._add_rows(items)
                table.move_cursor(row=cursor)
                return
        for item in items:
            table.add_row(*_cells(item, width), key=item.entry.name)
        self.shown.extend(items)

    def _tags_width_for(self, widths: Sequence[int]) -> int:
        """What the other columns, this wide, leave the tags."""
        room = self.app.size.width - ROOM_AROUND_THE_TABLE - sum(widths) - 2 * len(COLUMNS)
        return max(TAGS_AT_LEAST, room)

    def _change_rows(self, before: list[Item], after: list[Item]) -> bool:
        """Change in place the rows of the programs that changed (a level, after a session),
        when the library holds the same programs as ``before``, and the filter lets the same
        through: a library of thousands is not listed again for one. False otherwise."""
        if len(before) != len(after):
            return False
        changed: dict[str, Item] = {}
        for old, new in zip(before, after, strict=True):
            if old.entry != new.entry or matches(old, self.words) != matches(new, self.words):
                return False
            if old is not new:
                changed[new.entry.name] = new
        widths = _widths_with(self._widths, changed.values())
        if self._tags_width_for(widths) != self._tags_width:
            return False  # a level or a time wider than any shown: all laid out again
        self._widths = widths
        table = self.query_one(DataTable)
        for row, item in enumerate(self.shown):
            new_item = changed.get(item.entry.name)
            if new_item is None:
                continue
            for column, value in enumerate(_cells(new_item, self._tags_width)):
                table.update_cell_at(Coordinate(row, column), value)
            self.shown[row] = new_item
        return True

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
        header = "spasmtimer · your programs"
        if self.loading_programs and not self.stamp:
            header += f" · loading… {len(self.items)} so far"
        self.query_one("#header", Static).update(header)
        if item is None:
            if self.loading_programs and not self.items:
                about.update("Loading the library…")
            else:
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
