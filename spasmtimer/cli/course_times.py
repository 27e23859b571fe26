"""The course's times for one program: what `spasmtimer remind` follows when not given
--every (docs/course.md)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import datetime
from typing import NamedTuple

from spasmtimer.session.reminders import PlacedOf


class CourseTimes(NamedTuple):
    """A course's times for one program, which `remind` follows when not given --every."""

    program: str
    placed: PlacedOf
    text: str
    """``Gentle mobility at the course's times: 08:00, 18:00``."""


def course_times(program: str | None) -> CourseTimes | None:
    """The course's times for ``program`` (default: its first item that gives times); None
    without a course, or when it gives the program no times."""
    from spasmtimer.base import locations
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.cli.context import say
    from spasmtimer.course.course import CourseError, NoCourse, load_course
    from spasmtimer.course.plan import next_placed, week_start
    from spasmtimer.history.store import History, HistoryError
    from spasmtimer.session import library

    try:
        course = load_course(None)
    except NoCourse:
        return None
    except CourseError:  # the breaks still come, as they would without a course
        say("the course has a mistake (spasmtimer today says where): its times are not followed")
        return None
    name = library.find(program).name if program else None
    item = next((i for i in course.items if i.at and name in (None, i.program)), None)
    if item is None:
        return None
    path = locations.history_file()

    def placed(after: datetime | None) -> datetime | None:
        now = utc_now()
        sessions = []
        with contextlib.suppress(HistoryError, sqlite3.Error):
            history = History.peek(path)
            if history is not None:
                try:
                    sessions = history.sessions(item.program, since=week_start(now))
                finally:
                    history.close()
        return next_placed(course, item.program, sessions, now, after)

    times = ", ".join(f"{t:%H:%M}" for t in item.at)
    return CourseTimes(item.run, placed, f"{item.program} at the course's times: {times}")
