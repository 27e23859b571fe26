"""What a course asks of a day and a week, and what the history shows was kept (docs/course.md).

Pure: the course, the sessions and the time now in; no database, no Textual. A session keeps
the course when it counts (it reached its end with three quarters of it done: `counted`) and is
of the item's program. Days are the person's local days, and weeks ISO weeks, Monday first,
both right on the days the clocks change (`local_day`, `first_reading`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import datetime, tzinfo

import msgspec

from spasmtimer.course.course import Course, Item
from spasmtimer.history.records import SessionRecord, local_day
from spasmtimer.session.reminders import first_reading


class ItemToday(msgspec.Struct, frozen=True):
    """One item of the course, today."""

    item: Item
    due: int
    """Sessions due today (a per-week item: one while the week still wants some)."""
    kept: int
    """Sessions of it that counted today."""
    next_at: datetime | None
    """When the next of them is placed: today (past: overdue), or the next day it is due; None
    where the course gives no time, or it is over."""
    week_due: int
    """Sessions the course asks of this week (so far as the course runs in it)."""
    week_kept: int

    @property
    def left(self) -> int:
        return max(0, self.due - self.kept)


def kept_by_day(
    sessions: Sequence[SessionRecord], program: str, now: datetime, zone: tzinfo | None = None
) -> dict[dt.date, int]:
    """How many sessions of ``program`` counted on each local day (none from the future)."""
    found: dict[dt.date, int] = {}
    for record in sessions:
        if record.program == program and record.counted and not record.in_future(now):
            day = _day(record.started_at, zone)
            found[day] = found.get(day, 0) + 1
    return found


def _day(moment: datetime, zone: tzinfo | None) -> dt.date:
    return local_day(moment) if zone is None else moment.astimezone(zone).date()


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_due(
    course: Course, item: Item, monday: dt.date, within: tuple[dt.date, dt.date] | None = None
) -> int:
    """Sessions of ``item`` the course asks of the ISO week from ``monday`` (of its days
    ``within`` a period, when given): a per-day item's count on each day the course runs in
    it; a per-week item's count if the course runs all week, else its share of the days it
    runs, rounded up."""
    first, last = within or (dt.date.min, dt.date.max)
    days = sum(
        course.runs_on(day) and item.on(day) and first <= day <= last
        for day in (monday + dt.timedelta(days=n) for n in range(7))
    )
    if item.per_day is not None:
        return item.per_day * days
    assert item.per_week is not None
    return -(-item.per_week * days // 7)


def today(
    course: Course,
    sessions: Sequence[SessionRecord],
    now: datetime,
    zone: tzinfo | None = None,
) -> list[ItemToday]:
    """Each item of ``course`` as it stands at ``now``."""
    day = _day(now, zone)
    monday = monday_of(day)
    found = []
    for item in course.items:
        kept = kept_by_day(sessions, item.program, now, zone)
        kept_today = kept.get(day, 0)
        week_kept = sum(kept.get(monday + dt.timedelta(days=n), 0) for n in range(7))
        week_wants = week_due(course, item, monday)
        if not (course.runs_on(day) and item.on(day)):
            due = 0
        elif item.per_day is not None:
            due = item.per_day
        else:
            before_today = week_kept - kept_today
            due = 1 if before_today < week_wants else 0
        found.append(
            ItemToday(
                item=item,
                due=due,
                kept=kept_today,
                next_at=_next_at(course, item, kept, now, zone),
                week_due=week_wants,
                week_kept=week_kept,
            )
        )
    return found


def _next_at(
    course: Course, item: Item, kept: dict[dt.date, int], now: datetime, zone: tzinfo | None
) -> datetime | None:
    """When the next session of ``item`` is placed: the first of a day's times not yet kept
    (a per-day item's sessions take its times in order), on the first day from today that
    still wants one; None when the item gives no times, or the course is over."""
    if not item.at:
        return None
    day = max(_day(now, zone), course.start)
    for _ in range(8 * 7):  # a week of days is always enough; more, for a course not yet begun
        if course.end is not None and day >= course.end:
            return None
        kept_then = kept.get(day, 0)
        if item.per_day is not None:
            if item.on(day) and kept_then < len(item.at):
                return first_reading(day, item.at[kept_then], zone)
        elif day.weekday() in item.days and kept_then == 0:
            monday = monday_of(day)
            week = sum(kept.get(monday + dt.timedelta(days=n), 0) for n in range(7))
            if week < week_due(course, item, monday):
                return first_reading(day, item.at[0], zone)
        day += dt.timedelta(days=1)
    return None


def next_due(items: Sequence[ItemToday]) -> ItemToday | None:
    """The item whose next session comes first (one overdue first of all)."""
    placed = [t for t in items if t.next_at is not None and (t.left > 0 or t.due == 0)]
    return min(placed, key=lambda t: t.next_at or datetime.max, default=None)


def today_text(entry: ItemToday, now: datetime, zone: tzinfo | None = None) -> str:
    """``1 of 2 today — next at 18:00``, ``3 of 3 this week``, ``done today``."""
    item = entry.item
    if item.per_day is not None:
        counted = f"{entry.kept} of {entry.due} today" if entry.due else "not due today"
    else:
        counted = f"{entry.week_kept} of {entry.week_due} this week"
    if entry.next_at is None:
        return counted
    when = entry.next_at.astimezone(zone) if zone else entry.next_at.astimezone()
    day = _day(now, zone)
    if when.date() == day:
        if entry.next_at <= now:
            return f"{counted} — due since {when:%H:%M}"
        return f"{counted} — next at {when:%H:%M}"
    if (when.date() - day).days == 1:
        return f"{counted} — next tomorrow at {when:%H:%M}"
    return f"{counted} — next on {when:%a %d %b} at {when:%H:%M}"
