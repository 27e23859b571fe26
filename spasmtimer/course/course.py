"""A course as spasmtimer keeps it once read: each item's program by its library name, how
often, and when; and reading ``course.toml`` into one, or saying exactly what is wrong with it,
each problem at its line and column (docs/course.md)."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path

import msgspec

from spasmtimer.base import locations
from spasmtimer.base.errors import UserError
from spasmtimer.base.files import FileRefused, read_regular
from spasmtimer.base.keep import code_stamp, digest, kept_or_made
from spasmtimer.program.problems import Problem, ProgramError, key_path
from spasmtimer.program.tomlpos import KeyPath, Position, locate

MAX_COURSE_BYTES = 256 * 1024


class CourseError(ProgramError):
    """A course file that cannot be used, with every problem found in it."""


class NoCourse(UserError):
    """No course is set: the command says how to set one."""


class Item(msgspec.Struct, frozen=True):
    """A program, and how often and when it is prescribed."""

    program: str
    """The program's name, as the history records its sessions."""
    run: str
    """What `spasmtimer run` takes for it: its name, or its file's path."""
    per_day: int | None
    per_week: int | None
    at: tuple[dt.time, ...] = ()
    days: tuple[int, ...] = ()
    """The weekdays it is on (0 is Monday): a per-day item's (none: every day), or those the
    calendar places a per-week item on."""

    def on(self, day: dt.date) -> bool:
        """Is a per-day item due on ``day``'s weekday? (A per-week item may be done any day.)"""
        return self.per_week is not None or not self.days or day.weekday() in self.days

    @property
    def every(self) -> str:
        """How often, in words: "2 a day", "3 a week"."""
        return f"{self.per_day} a day" if self.per_day else f"{self.per_week} a week"


class Course(msgspec.Struct, frozen=True):
    """A course of exercise."""

    title: str
    start: dt.date
    weeks: int | None
    items: tuple[Item, ...]
    path: str

    @property
    def end(self) -> dt.date | None:
        """The first day after the course; None while it goes on."""
        return None if self.weeks is None else self.start + dt.timedelta(weeks=self.weeks)

    def runs_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def week_of(self, day: dt.date) -> int:
        """Which week of the course ``day`` is in, from 1 (its weeks start on its first day)."""
        return (day - self.start).days // 7 + 1


def course_file() -> Path:
    return locations.config_dir() / "course.toml"


def load_course(path: Path | None = None) -> Course:
    """The course at ``path`` (default: the person's ``course.toml``). Raises `NoCourse` when
    there is none, `CourseError` when it has problems."""
    given = path is not None
    path = path or course_file()
    shown = str(path) if given else locations.shown_path(path)
    try:
        raw = read_regular(path, MAX_COURSE_BYTES, "course file")
    except FileRefused as e:
        if e.missing and not given:
            raise NoCourse(
                f"no course is set: write one in {shown} (spasmtimer new --course {shown})"
            ) from None
        raise CourseError([Problem(shown, 1, 1, "", str(e))]) from None
    return kept_or_made(
        "course",
        os.path.abspath(path),
        _key(shown, raw),
        Course,
        lambda: parse_course(raw, path, shown),
    )


def _key(shown: str, raw: bytes) -> list[str]:
    """What a course read depends on: its bytes, the code that reads it, and the person's
    programs folder (a program added or removed there may make a name in it right or wrong)."""
    from spasmtimer import __version__

    try:
        folder = os.stat(locations.user_programs_dir())
        programs = f"{folder.st_ino}:{folder.st_mtime_ns}"
    except OSError:
        programs = "none"
    code = digest(repr(code_stamp(("base", "program", "session", "course"))).encode())
    return [__version__, shown, digest(raw), programs, code]


def parse_course(raw: bytes, path: Path, shown: str) -> Course:
    """The course in a file's bytes, ``raw``; raises `CourseError` with every problem."""
    from pydantic import ValidationError

    from spasmtimer.course.model import CourseFile
    from spasmtimer.program.messages import byte_position, file_problem, syntax_error
    from spasmtimer.program.model import WEEKDAYS

    problems: list[Problem] = []

    def problem(at: Position, where: KeyPath, message: str) -> None:
        problems.append(Problem(shown, at.line, at.col, key_path(where), message))

    def fail() -> CourseError:
        return CourseError(problems)

    if b"\0" in raw:
        problem(byte_position(raw, raw.index(b"\0")), (), "is a binary file, not a TOML course")
        raise fail()
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as e:
        problem(byte_position(raw, e.start), (), "is not UTF-8 text; save it as UTF-8")
        raise fail() from None
    except tomllib.TOMLDecodeError as e:
        line, col, message = syntax_error(e, text)
        problem(Position(line, col), (), message)
        raise fail() from None
    except (RecursionError, ValueError) as e:
        problem(Position(1, 1), (), f"cannot be read as TOML: {e}")
        raise fail() from None
    locations_in = locate(text)
    try:
        model = CourseFile.model_validate(data)
    except ValidationError as e:
        for error in e.errors(include_url=False):
            problem(*file_problem(locations_in, error, CourseFile))
        raise fail() from None
    items = []
    for index, table in enumerate(model.item):
        name = _program_name(table.program, path)
        if name is None:
            where: KeyPath = ("item", index, "program")
            problem(locations_in.value(where), where, _no_program(table.program))
            continue
        days = tuple(WEEKDAYS.index(day) for day in table.days)
        if table.per_week is not None and not days:
            days = _spread(min(table.per_week, 7))
        items.append(
            Item(
                program=name,
                run=table.program if name == table.program else str(_beside(table.program, path)),
                per_day=table.per_day,
                per_week=table.per_week,
                at=tuple(sorted(table.at)),
                days=days,
            )
        )
    if problems:
        raise fail()
    return Course(model.title, model.start, model.weeks, tuple(items), shown)


def _beside(program: str, course: Path) -> Path:
    """A program's path as a course gives it: from the course's folder when relative."""
    path = Path(os.path.expanduser(program))
    return path if path.is_absolute() else course.parent / path


def _program_name(program: str, course: Path) -> str | None:
    """The name the history knows a course's program by, or None when there is none such."""
    from spasmtimer.session import library

    if program.endswith(".toml") or "/" in program:
        path = _beside(program, course)
        return library.Entry(path.stem, path, "file").name if path.is_file() else None
    names = {entry.name for entry in library.entries()}
    return program if program in names else None


def _no_program(program: str) -> str:
    from spasmtimer.base.text import as_written, close_names
    from spasmtimer.session import library

    if program.endswith(".toml") or "/" in program:
        return f"no program file at {as_written(program)} (a path is from the course's folder)"
    close = close_names(program, [entry.name for entry in library.entries()])
    hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
    return f"no program is called {as_written(program)}{hint}: `spasmtimer list` lists them"


def _spread(count: int) -> tuple[int, ...]:
    """``count`` weekdays spread over the week, from Monday: 3 -> Monday, Wednesday, Friday."""
    return tuple(sorted({n * 7 // count for n in range(count)}))
