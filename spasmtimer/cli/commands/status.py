"""``spasmtimer status``: one short line for a tmux status bar or a shell prompt.

It is drawn again every few seconds: it reads the history without opening it for writing
(`History.peek`), and loads no program file and no Textual.
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

    from spasmtimer.history.records import SessionRecord
    from spasmtimer.history.status import Status
    from spasmtimer.history.store import History

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


def run(args: argparse.Namespace, context: Context) -> int:
    import sqlite3

    from spasmtimer.base import locations
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.history.status import status_line, status_of
    from spasmtimer.history.store import History, HistoryError
    from spasmtimer.session import library

    every = arguments.every(args.every).total_seconds()
    name = library.find(args.program or arguments.BREAK_PROGRAM).name
    history = None
    try:
        history = History.peek(locations.history_file())
        if history is not None and _news_from_elsewhere(history, context):
            history.close()
            history = None
            _take_in(context)
            history = History.peek(locations.history_file())
        records = history.sessions() if history else []
    except (HistoryError, sqlite3.Error) as e:
        raise UserError(f"history unavailable: {e}") from None
    finally:
        if history:
            history.close()
    now = utc_now()
    status = None
    if args.program is None and args.every is None:
        status = _course_status(records, now)
    if status is None:
        status = status_of(records, name, every, now)
    print(status_line(status, tmux=args.tmux))
    return exits.OK


def _news_from_elsewhere(history: History, context: Context) -> bool:
    """Whether the sync folder, if one is set, holds sessions not yet taken in."""
    import sqlite3

    from spasmtimer.history.sync import has_news

    folder = context.sync_folder
    if folder is None:
        return False
    try:
        return has_news(history.connection, folder)
    except sqlite3.Error:  # an older history, no sync tables yet: `open` brings it up to date
        return True


def _take_in(context: Context) -> None:
    """Take in what the sync folder holds: the history opened to write, for a moment."""
    from spasmtimer.base import locations
    from spasmtimer.history.store import History

    assert context.sync_folder is not None
    history = History.open(locations.history_file())
    try:
        for warning in history.sync_with(context.sync_folder).warnings:
            say(warning)
    finally:
        history.close()


def _course_status(records: list[SessionRecord], now: datetime) -> Status | None:
    """The course's next session, when there is a course that asks for one."""
    from spasmtimer.course.course import CourseError, NoCourse, load_course
    from spasmtimer.course.plan import course_status, today

    try:
        course = load_course(None)
    except NoCourse:
        return None
    except CourseError:  # `today` says what is wrong; a status bar has no room for it
        return None
    return course_status(today(course, records, now), records, now)
