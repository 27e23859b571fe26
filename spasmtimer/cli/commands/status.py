"""``spasmtimer status``: one short line for a tmux status bar or a shell prompt.

It is drawn again every few seconds: it reads the history's indexes without opening it for
writing (`spasmtimer.history.status.read_status`), and loads no program file, no msgspec and no
Textual. A course (``course.toml``) or a sync folder (in ``config.toml``) costs what reading
them costs, and only when there is one: the history is opened to write only when the folder
holds news.
"""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context, say

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from spasmtimer.history.status import Status

SUMMARY = (
    "one short line for a tmux status bar or a shell prompt: the next break (or the course's "
    "next session), today, streak"
)
EXAMPLES = (
    "spasmtimer status",
    "spasmtimer status desk-break --every 1h",
    "set -g status-right '#(spasmtimer status --tmux)'   # in ~/.tmux.conf",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(
        parser,
        f"the break program (default: the course's next, or {arguments.BREAK_PROGRAM})",
        optional=True,
    )
    arguments.add_every(
        parser,
        f"a break is due this long after the last (default: the course's times, or "
        f"{arguments.BREAK_EVERY})",
    )
    parser.add_argument(
        "--tmux", action="store_true", help="colour it with tmux's status-bar markup"
    )


def plain_arguments(given: list[str]) -> argparse.Namespace | None:
    """The arguments of ``spasmtimer status ARGS`` as argparse reads them, read without it
    when they are the plain ones — a PROGRAM, ``--every D`` (or ``--every=D``), ``--tmux`` —
    as a status bar gives them; None for anything else (``--help``, an abbreviation, a
    mistake), which argparse reads and answers as ever."""
    from types import SimpleNamespace

    read: dict[str, object] = {}
    rest = iter(given)
    for word in rest:
        if word == "--tmux":
            read["tmux"] = True
        elif word.startswith("--every=") or word == "--every":
            value = word.partition("=")[2] if "=" in word else next(rest, None)
            if "every" in read or value is None or value.startswith("-"):
                return None
            read["every"] = value
        elif word.startswith("-") or "program" in read:
            return None
        else:
            read["program"] = word
    return SimpleNamespace(  # type: ignore[return-value]  # what argparse would give
        command="status",
        program=read.get("program"),
        every=read.get("every"),
        tmux=read.get("tmux", False),
        handler=run,
    )


def run(args: argparse.Namespace, context: Context) -> int:
    # Only what the line needs, and no msgspec (see spasmtimer.history.status): a status bar
    # runs this every few seconds, and a prompt at every command.
    import sqlite3

    from spasmtimer.base import locations
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.history.database import HistoryError
    from spasmtimer.history.status import read_status, status_line

    path = locations.history_file_text()
    now = utc_now()
    try:
        _take_in_news(path)
        status = None
        if args.program is None and args.every is None:
            status = _course_status(path, now)
        if status is None:
            every = arguments.every(args.every).total_seconds()
            name = program_name(args.program or arguments.BREAK_PROGRAM)
            status = read_status(path, name, every, now)
    except (HistoryError, sqlite3.Error) as e:
        raise UserError(f"history unavailable: {e}") from None
    print(status_line(status, tmux=args.tmux))
    return exits.OK


def _take_in_news(path: str) -> None:
    """With a sync folder set, take in what it holds that is new: the history is looked at
    read-only, and opened to write (for a moment) only when there is news."""
    import os

    from spasmtimer.base import locations

    if not os.path.exists(path):
        return  # no history yet, which a status never makes
    named = _sync_folder_setting()
    if named is None:
        return
    import sqlite3
    from pathlib import Path

    from spasmtimer.history import database
    from spasmtimer.history.store import History
    from spasmtimer.history.sync import has_news

    folder = Path(named)
    try:
        db = database.connect_to_read(path, database.PEEK_TIMEOUT)
        try:
            news = has_news(db, folder)
        finally:
            db.close()
    except sqlite3.Error:  # an older history, no sync tables yet: `open` brings it up to date
        news = True
    if not news:
        return
    history = History.open(locations.history_file())
    try:
        for warning in history.sync_with(folder).warnings:
            say(warning)
    finally:
        history.close()


def _sync_folder_setting() -> str | None:
    """The ``sync_folder`` setting, if one is set, read with tomllib alone: the settings' whole
    reading (`spasmtimer.session.settings`) costs a status line some 30 ms more. A settings
    file that is not a small regular file of TOML is passed over here, as a status bar has no
    room to say why; the commands that read it whole say so."""
    import os
    import stat

    from spasmtimer.base import locations

    try:
        # Not blocking on a FIFO.
        fd = os.open(locations.config_file_text("config.toml"), os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > locations.MAX_SETTINGS_BYTES:
            return None
        data = os.read(fd, locations.MAX_SETTINGS_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    if b"sync_folder" not in data:
        return None
    import tomllib

    try:
        value = tomllib.loads(data.decode()).get("sync_folder")
    except (ValueError, RecursionError):  # not UTF-8, not TOML, nested past Python's depth,
        return None  # or a number too long to read
    if not isinstance(value, str) or not value.strip() or "\0" in value:  # as the settings say
        return None
    return os.path.expanduser(value)


def _course_status(path: str, now: datetime) -> Status | None:
    """The course's next session, when there is a course that asks for one: from this week's
    sessions (what the course asks of) and the streak, read from the indexes."""
    import os

    from spasmtimer.base import locations

    if not os.path.exists(locations.config_file_text("course.toml")):
        return None
    from datetime import timedelta
    from pathlib import Path

    from spasmtimer.course.course import CourseError, NoCourse, load_course
    from spasmtimer.course.plan import course_status, today, week_start
    from spasmtimer.history.store import History

    try:
        course = load_course(None)
    except (NoCourse, CourseError):  # `today` says what is wrong; a status bar has no room
        return None
    history = History.peek(Path(path))
    try:
        # From a day before the week: a session begun on Sunday night may be running still.
        since = week_start(now) - timedelta(days=1)
        records = history.sessions(since=since) if history else []
        streak = history.streak(now) if history else 0
    finally:
        if history:
            history.close()
    return course_status(today(course, records, now), records, now, streak)


def program_name(program: str) -> str:
    """The name of the program ``program`` means, as the library finds it: one of its
    programs by its file alone, anything else (a path, a name that is not there) by the
    library itself."""
    import os

    from spasmtimer.base import locations

    plain_name = not program.endswith(".toml") and "/" not in program
    if plain_name and not os.path.lexists(program) and locations.library_files(program):
        return program
    from spasmtimer.session import library

    return library.find(program).name
