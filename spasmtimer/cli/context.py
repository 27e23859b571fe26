"""What a command is handed: `Context`, the settings and the history read once, on first use,
the state of the standard streams, and the steps several commands share (finding and loading a
program, its level, its timeline).

One is made for each run of `spasmtimer.cli.entry.main`, so nothing is kept between two runs in
one process (the tests run many).
"""

from __future__ import annotations

import sys

from spasmtimer.base.errors import UserError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see entry)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from spasmtimer.course.course import Course
    from spasmtimer.history.records import SessionRecord
    from spasmtimer.history.store import History
    from spasmtimer.program.resolved import Program
    from spasmtimer.program.timeline import Timeline
    from spasmtimer.session.levels import Level
    from spasmtimer.session.library import Entry, LevelOf
    from spasmtimer.session.settings import Loaded, Settings

WRITE_WAIT_AT_EXIT = 5.0
"""At exit, how long to wait for history writes that another program's lock (or a full disk)
holds up, before saying what was not saved."""


def say(message: str) -> None:
    """One line on stderr, after the program's name."""
    print(f"spasmtimer: {message}", file=sys.stderr)


class Context:
    """The settings, the history and the streams of one command."""

    def __init__(self, closed_at_start: frozenset[int] = frozenset()) -> None:
        self.closed_at_start = closed_at_start
        """The standard files (0, 1, 2) that were closed as the command started."""
        self._loaded: Loaded | None = None
        self._history: History | None = None
        self._history_opened = False

    # -- settings and history, each read once -----------------------------------------------
    @property
    def loaded_settings(self) -> Loaded:
        """The settings file, read once; problems with it are said once, on stderr."""
        if self._loaded is None:
            from spasmtimer.session.settings import load_settings

            self._loaded = load_settings()
            for problem in self._loaded.problems:
                say(problem)
        return self._loaded

    @property
    def settings(self) -> Settings:
        return self.loaded_settings.settings

    @property
    def history(self) -> History | None:
        """The history database, opened once; None (said once) when it cannot be had: the
        timer still works without it."""
        if not self._history_opened:
            self._history_opened = True
            from spasmtimer.base import locations
            from spasmtimer.history.store import History, HistoryError

            try:
                self._history = History.open(locations.history_file())
            except HistoryError as e:
                say(f"history unavailable, nothing will be recorded: {e}")
                return None
            for problem in self._history.problems:
                say(problem)
            self._history.warn = say
            self.sync()
        return self._history

    @property
    def sync_folder(self) -> Path | None:
        """The ``sync_folder`` setting, as a path; None when none is set."""
        from pathlib import Path

        folder = self.settings.sync_folder
        if not folder:
            return None
        try:
            return Path(folder).expanduser()
        except RuntimeError:  # ~someone, and there is no such user
            return Path(folder)

    def sync(self, *, take: bool = True) -> None:
        """With a ``sync_folder`` set: take in what other machines wrote there (unless not
        ``take``), and write this machine's new sessions out (docs/history.md, "Across
        machines")."""
        folder = self.sync_folder
        if self._history is None or folder is None:
            return
        for warning in self._history.sync_with(folder, take=take).warnings:
            say(warning)

    def sessions(self) -> list[SessionRecord]:
        """Every session in the history, oldest first; none without one."""
        history = self.history
        return history.sessions() if history else []

    def course(self, path: str | None = None) -> Course:
        """The course at ``path`` (a file given with --course), or the person's own; raises
        `NoCourse` or `CourseError`."""
        from pathlib import Path

        from spasmtimer.course.course import load_course

        return load_course(Path(path).expanduser() if path else None)

    def close(self) -> None:
        if self._history is not None:
            self.sync(take=False)  # what this command recorded goes out now
            self._history.close()
            self._history = None

    # -- a program, its level and its timeline ------------------------------------------------
    def load(self, program: str, *, cached: bool = True) -> tuple[Entry, Program]:
        """Find and load a program by path or name, or raise a `UserError` (`ProgramError`,
        `NotFound`). A program loaded before, and unchanged since, comes from the cache
        (`spasmtimer.program.cache`) unless not ``cached``."""
        from spasmtimer.base import locations
        from spasmtimer.session import library

        if cached:
            from spasmtimer.program.cache import load_program
        else:
            from spasmtimer.program.loader import load_program

        entry = library.find(program)
        shown = entry.path_text if entry.source == "file" else locations.shown_path(entry.path)
        return entry, load_program(entry.path, shown=shown, default_prepare=self.settings.prepare)

    def level(self, name: str, cap: int | None) -> Level:
        """The level a program runs at now, from its history (0 without one)."""
        from spasmtimer.session.levels import Level

        history = self.history
        return history.current_level(name, cap) if history else Level(0)

    def levels(self) -> LevelOf:
        """Every program's level now, from one look at the history (0 without one): for the
        whole library."""
        from spasmtimer.session.levels import Level

        history = self.history
        return history.levels() if history else (lambda name, cap: Level(0))

    def level_to_run(self, chosen: int | None, entry: Entry, program: Program) -> Level:
        """``--level N`` if ``chosen``, else the program's current level."""
        from spasmtimer.program.timeline import cap_level
        from spasmtimer.session.levels import Level

        if chosen is not None:
            return Level(chosen)
        return self.level(entry.name, cap_level(program))


def expand_at(program: Program, level: int, held: Sequence[tuple[int, int]] = ()) -> Timeline:
    """The program's timeline at ``level`` (steps ``held`` at theirs); a level past its limits
    is a `UserError`."""
    from spasmtimer.program.timeline import LimitError, expand

    try:
        return expand(program, level, held)
    except LimitError as e:
        raise UserError(f"{program.path}: at level {level}, {e}") from None


def say_warnings(program: Program) -> None:
    """A program's warnings, one per line on stderr: they never change the exit status."""
    for warning in program.warnings:
        print(warning, file=sys.stderr)
