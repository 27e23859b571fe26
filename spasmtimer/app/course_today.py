"""The course as the app shows it: the library's line of what is due today, and the summary's
"1 of 2 today — next at 18:00" for the program just run (docs/course.md)."""

from __future__ import annotations

from spasmtimer.base.clocks import Now
from spasmtimer.course.course import Course, CourseError, NoCourse, load_course
from spasmtimer.course.plan import (
    ItemToday,
    due_today_text,
    today,
    today_text,
    week_start,
    with_session,
)
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.service import HistoryService


class CourseToday:
    """Reads the person's course each time it is asked (an edit shows at once), and the
    sessions of this week from the history."""

    def __init__(self, history: HistoryService, wall: Now) -> None:
        self.history = history
        self.wall = wall

    def _items(self, ended: SessionRecord | None = None) -> tuple[Course, list[ItemToday]]:
        course = load_course(None)
        now = self.wall()
        sessions = self.history.sessions_since(week_start(now))
        if ended is not None:
            sessions = with_session(sessions, ended)
        return course, today(course, sessions, now)

    def due_line(self) -> str | None:
        """The library's line: what is due today; None without a course."""
        try:
            _, items = self._items()
        except NoCourse:
            return None
        except CourseError:
            return "Course: course.toml has a mistake; `spasmtimer today` says where"
        return due_today_text(items, self.wall())

    def after(self, ended: SessionRecord | None, program: str) -> str | None:
        """The summary's line for ``program``, counting the session just ``ended`` (as the
        recorder holds it, written or not); None when the course does not give it."""
        try:
            _, items = self._items(ended)
        except (NoCourse, CourseError):
            return None
        entry = next((e for e in items if e.item.program == program), None)
        return None if entry is None else "Course: " + today_text(entry, self.wall())
