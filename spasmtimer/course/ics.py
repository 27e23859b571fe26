"""A course as an iCalendar file (RFC 5545), made with the icalendar library: a recurring event
for each time of day an item is placed at, with an alarm and the command to run, from the
course's first day to its last, in the machine's time zone, so that a phone's calendar reminds
a person away from the terminal (docs/course.md)."""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar

from spasmtimer.course.course import Course, Item

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SESSION_MINUTES = 10
"""How long an event lasts in the calendar: about a session."""


def calendar(course: Course, zone_name: str, now: dt.datetime) -> tuple[bytes, list[str]]:
    """The course as an .ics file's bytes, and the items left out of it (they give no time
    of day to place them at)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//spasmtimer//course//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", course.title)
    left_out = []
    for item in course.items:
        if not item.at:
            left_out.append(item.program)
            continue
        for moment in item.at:
            cal.add_component(_event(course, item, moment, zone, now))
    cal.add_missing_timezones(first_date=course.start, last_date=_last_day(course))
    return cal.to_ical(), left_out


def _last_day(course: Course) -> dt.date:
    return course.end or course.start + dt.timedelta(weeks=104)


def _event(
    course: Course, item: Item, moment: dt.time, zone: dt.tzinfo, now: dt.datetime
) -> icalendar.Event:
    days = item.days or tuple(range(7))
    first = course.start
    while first.weekday() not in days:
        first += dt.timedelta(days=1)
    event = icalendar.Event()
    key = f"{course.title}|{course.start}|{item.program}|{moment}".encode()
    event.add("uid", f"{hashlib.sha256(key).hexdigest()[:24]}@spasmtimer")
    event.add("dtstamp", now)
    event.add("summary", f"{course.title}: {item.program}")
    event.add("dtstart", dt.datetime.combine(first, moment, tzinfo=zone))
    event.add("duration", dt.timedelta(minutes=SESSION_MINUTES))
    run = f"spasmtimer run {item.run}"
    event.add("description", f"{item.program}, {item.every}. In a terminal: {run}")
    rule: dict[str, object] = {"freq": "daily" if len(days) == 7 else "weekly"}
    if len(days) < 7:
        rule["byday"] = [WEEKDAY_CODES[d] for d in days]
    if course.weeks is not None:
        rule["count"] = course.weeks * len(days)
    event.add("rrule", rule)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Time for {item.program}: {run}")
    alarm.add("trigger", dt.timedelta(0))
    event.add_component(alarm)
    return event
