"""What the course commands print: ``today`` in words and as JSON (docs/course.md)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from spasmtimer.course.course import Course
from spasmtimer.course.plan import ItemToday, today_text
from spasmtimer.course.report import Report, trend_text
from spasmtimer.history.records import iso, local_day


def course_heading(course: Course, now: datetime) -> str:
    """``Back care, weeks 1-4 · week 2 of 4``, or when it begins or ended."""
    day = local_day(now)
    if day < course.start:
        return f"{course.title} · begins {course.start:%a %d %b}"
    if course.end is not None and day >= course.end:
        return f"{course.title} · ended {course.end:%a %d %b}"
    of = f" of {course.weeks}" if course.weeks else ""
    return f"{course.title} · week {course.week_of(day)}{of}"


def today_lines(course: Course, items: Sequence[ItemToday], now: datetime) -> list[str]:
    width = max(len(entry.item.program) for entry in items)
    return [
        f"  {entry.item.program.ljust(width)}  {entry.item.every:<10}  {today_text(entry, now)}"
        for entry in items
    ]


def today_text_all(course: Course, items: Sequence[ItemToday], now: datetime) -> str:
    return "\n".join([course_heading(course, now), *today_lines(course, items, now)])


def today_json(entry: ItemToday) -> dict[str, Any]:
    return {
        "program": entry.item.program,
        "run": entry.item.run,
        "per_day": entry.item.per_day,
        "per_week": entry.item.per_week,
        "due": entry.due,
        "kept": entry.kept,
        "next_at": iso(entry.next_at) if entry.next_at else None,
        "week_due": entry.week_due,
        "week_kept": entry.week_kept,
    }


WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def course_text(course: Course, now: datetime) -> str:
    """The course in words: its span, and each item's program, how often and when."""
    span = f"from {course.start:%a %d %b %Y}"
    if course.end is not None:
        last = course.end - timedelta(days=1)
        span += f" to {last:%a %d %b %Y} ({course.weeks} weeks)"
    lines = [course_heading(course, now), f"  {span}"]
    for item in course.items:
        when = ", ".join(f"{t:%H:%M}" for t in item.at) or "any time"
        days = ""
        if item.days and len(item.days) < 7:
            days = " on " + ", ".join(WEEKDAY_NAMES[d] for d in item.days)
        lines.append(f"  {item.program}: {item.every}{days}, {when}")
    return "\n".join(lines)


def report_text(report: Report) -> str:
    """The report in words: each week's sessions kept of those prescribed, and each program's
    sessions, levels and pain."""
    share = "–" if report.share is None else f"{report.share:.0%}"
    lines = [
        f"{report.title}: {report.since:%a %d %b} to {report.until:%a %d %b %Y}",
        f"Kept: {share} of the sessions prescribed.",
        "",
    ]
    for week in report.weeks:
        kept = " · ".join(f"{i.program} {i.kept} of {i.prescribed}" for i in week.items)
        lines.append(f"  week of {week.monday:%d %b}: {kept}")
    lines.append("")
    for p in report.programs:
        sessions = f"{p.sessions} session{'' if p.sessions == 1 else 's'}"
        if p.levels:
            counted = f"{p.counted} of {sessions} counted, levels {p.levels[0]} → {p.levels[1]}"
        else:
            counted = f"{sessions}, none counted"
        pain = ""
        if p.pain_before or p.pain_after:
            pain = f" · pain before {trend_text(p.pain_before)}, after {trend_text(p.pain_after)}"
        hurt = ""
        if p.hurting:
            hurt = " · hurt: " + ", ".join(f"{step} ({n}×)" for step, n in p.hurting)
        lines.append(f"  {p.program}: {counted}{pain}{hurt}")
    notes = [s for s in report.sessions if s.notes]
    if notes:
        lines += ["", "Notes:"]
        lines += [f"  {s.started_at.astimezone():%d %b} {s.program}: {s.notes}" for s in notes]
    return "\n".join(lines)
