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
from spasmtimer.history.status import Status
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


def week_start(now: datetime, zone: tzinfo | None = None) -> datetime:
    """The first moment of the local ISO week ``now`` is in: every session `today` needs
    began at or after it."""
    return first_reading(monday_of(_day(now, zone)), dt.time(0, 0), zone)


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


def with_session(sessions: Sequence[SessionRecord], record: SessionRecord) -> list[SessionRecord]:
    """``sessions`` with ``record`` as it stands now, in place of what was read of it (a
    session just ended may not be written yet)."""
    return [*(s for s in sessions if s.id != record.id), record]


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
    course: Course,
    item: Item,
    kept: dict[dt.date, int],
    now: datetime,
    zone: tzinfo | None,
    after: datetime | None = None,
) -> datetime | None:
    """When the next session of ``item`` is placed: the first of a day's times not yet kept
    (a per-day item's sessions take its times in order), on the first day from today that
    still wants one; None when the item gives no times, or the course is over. With
    ``after``, only a time later than it (one passed over, as by a skipped reminder)."""
    if not item.at:
        return None
    day = max(_day(now, zone), course.start)
    for _ in range(8 * 7):  # a week of days is always enough; more, for a course not yet begun
        if course.end is not None and day >= course.end:
            return None
        kept_then = kept.get(day, 0)
        times: tuple[dt.time, ...] = ()
        if item.per_day is not None:
            if item.on(day):
                times = item.at[kept_then:]
        elif day.weekday() in item.days and kept_then == 0:
            monday = monday_of(day)
            week = sum(kept.get(monday + dt.timedelta(days=n), 0) for n in range(7))
            if week < week_due(course, item, monday):
                times = item.at[:1]
        for time in times:
            at = first_reading(day, time, zone)
            if after is None or at > after:
                return at
        day += dt.timedelta(days=1)
    return None


def next_placed(
    course: Course,
    program: str,
    sessions: Sequence[SessionRecord],
    now: datetime,
    after: datetime | None = None,
) -> datetime | None:
    """When the course next places a session of ``program`` (what `remind` waits for): the
    first time not yet kept, overdue or to come, later than ``after`` and than the latest
    session that kept it (which took the time before it)."""
    item = next((i for i in course.items if i.program == program), None)
    if item is None:
        return None
    kept = [
        r.started_at
        for r in sessions
        if r.program == program and r.counted and not r.in_future(now)
    ]
    if kept:
        after = max(kept) if after is None else max(after, *kept)
    return _next_at(course, item, kept_by_day(sessions, program, now), now, None, after)


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


def due_today_text(items: Sequence[ItemToday], now: datetime, zone: tzinfo | None = None) -> str:
    """The course's day in one line, for the library and the status line: what is still due
    today, soonest first ("Due today: gentle-mobility 1 of 2, next at 18:00"), or that
    today's sessions are kept."""
    left = sorted(
        (entry for entry in items if entry.left > 0),
        key=lambda entry: entry.next_at or datetime.max.replace(tzinfo=dt.UTC),
    )
    if not left:
        if any(entry.due for entry in items):
            return "Course: today's sessions are all kept"
        return "Course: nothing is due today"
    parts = []
    for entry in left:
        part = f"{entry.item.program} {entry.kept} of {entry.due}"
        when = None if entry.next_at is None else entry.next_at.astimezone(zone)
        if entry.next_at is not None and entry.next_at <= now:
            part += ", due now"
        elif when is not None and when.date() == _day(now, zone):
            part += f", next at {when:%H:%M}"
        parts.append(part)
    return "Due today: " + " · ".join(parts)


def course_status(
    items: Sequence[ItemToday],
    records: Sequence[SessionRecord],
    now: datetime,
    streak_days: int | None = None,
) -> Status | None:
    """What `spasmtimer status` says with a course: its next session (one without a time is
    due as soon as it is left to do today), and today's sessions kept of those it asks; None
    when the course asks for nothing more. The streak is ``streak_days`` when given (as
    ``records`` may be this week's alone), else read from ``records``."""
    from spasmtimer.history.status import status_of

    placed = [entry for entry in items if entry.next_at is not None]
    anytime = [entry for entry in items if entry.next_at is None and entry.left > 0]
    if not (placed or anytime):
        return None
    soonest = anytime[0] if anytime else min(placed, key=lambda entry: entry.next_at or now)
    facts = status_of(records, soonest.item.program, 0.0, now)  # is it running now?
    due_in, later = facts.due_in, None
    if due_in is not None and soonest.next_at is not None:
        due_in = (soonest.next_at - now).total_seconds()
        when = soonest.next_at.astimezone()
        days = (when.date() - local_day(now)).days
        if days == 1:
            later = f"tomorrow {when:%H:%M}"
        elif days > 1:
            later = f"{when:%a %H:%M}"
    return Status(
        program=soonest.item.program,
        due_in=due_in,
        today=sum(min(entry.kept, entry.due) for entry in items),
        streak_days=facts.streak_days if streak_days is None else streak_days,
        due_today=sum(entry.due for entry in items),
        later=later,
    )
