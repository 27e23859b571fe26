"""The report for the person and their clinician (docs/course.md, "The report"): for each ISO
week and item of the course, the sessions prescribed and kept; each session with its pain
before and after, level and notes; and for each program, how the pain went and the levels it
reached. Pure: the course, the sessions and the time now in, the report out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import datetime
from statistics import mean
from typing import Any

import msgspec

from spasmtimer.course.course import Course
from spasmtimer.course.plan import kept_by_day, monday_of, week_due
from spasmtimer.history.records import SessionRecord, iso, local_day

DEFAULT_WEEKS = 4


class WeekItem(msgspec.Struct, frozen=True):
    program: str
    prescribed: int
    kept: int

    @property
    def share(self) -> float | None:
        """The share of what was prescribed that was kept, 0 to 1 (more is still 1)."""
        return min(1.0, self.kept / self.prescribed) if self.prescribed else None


class Week(msgspec.Struct, frozen=True):
    monday: dt.date
    items: tuple[WeekItem, ...]

    @property
    def share(self) -> float | None:
        prescribed = sum(i.prescribed for i in self.items)
        kept = sum(min(i.kept, i.prescribed) for i in self.items)
        return kept / prescribed if prescribed else None


class SessionLine(msgspec.Struct, frozen=True):
    """A session of the period, as the report lists it."""

    id: str
    program: str
    started_at: datetime
    level: int
    counted: bool
    done_seconds: float
    pain_before: int | None
    pain_after: int | None
    notes: str | None
    marked: tuple[str, ...] = ()
    """The steps it said hurt or were too hard, by name."""


class ProgramSummary(msgspec.Struct, frozen=True):
    program: str
    sessions: int
    counted: int
    levels: tuple[int, int] | None
    """The levels of its first and last counted session in the period."""
    pain_before: tuple[float, float] | None
    """The mean pain before its sessions, in the first half of them and in the second."""
    pain_after: tuple[float, float] | None
    hurting: tuple[tuple[str, int], ...] = ()
    """Each step marked as hurting or too hard, and how many times."""


class Report(msgspec.Struct, frozen=True):
    title: str
    since: dt.date
    until: dt.date
    """The last day of the period."""
    weeks: tuple[Week, ...]
    programs: tuple[ProgramSummary, ...]
    sessions: tuple[SessionLine, ...]

    @property
    def share(self) -> float | None:
        prescribed = sum(i.prescribed for w in self.weeks for i in w.items)
        kept = sum(min(i.kept, i.prescribed) for w in self.weeks for i in w.items)
        return kept / prescribed if prescribed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "course": self.title,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "share_kept": _rounded(self.share),
            "weeks": [
                {
                    "week": week.monday.isoformat(),
                    "share_kept": _rounded(week.share),
                    "items": [
                        {
                            "program": item.program,
                            "prescribed": item.prescribed,
                            "kept": item.kept,
                            "share_kept": _rounded(item.share),
                        }
                        for item in week.items
                    ],
                }
                for week in self.weeks
            ],
            "programs": [
                {
                    "program": p.program,
                    "sessions": p.sessions,
                    "counted": p.counted,
                    "levels": list(p.levels) if p.levels else None,
                    "pain_before": [round(v, 1) for v in p.pain_before] if p.pain_before else None,
                    "pain_after": [round(v, 1) for v in p.pain_after] if p.pain_after else None,
                    "hurting": [{"step": step, "times": n} for step, n in p.hurting],
                }
                for p in self.programs
            ],
            "sessions": [
                {
                    "id": s.id,
                    "program": s.program,
                    "started_at": iso(s.started_at),
                    "level": s.level,
                    "counted": s.counted,
                    "done_seconds": round(s.done_seconds, 3),
                    "pain_before": s.pain_before,
                    "pain_after": s.pain_after,
                    "notes": s.notes,
                    "marked": list(s.marked),
                }
                for s in self.sessions
            ],
        }


def _rounded(share: float | None) -> float | None:
    return None if share is None else round(share, 3)


def default_period(course: Course, now: datetime) -> tuple[dt.date, dt.date]:
    """The last four weeks of the course up to today (or to its last day, once over)."""
    until = local_day(now)
    if course.end is not None:
        until = min(until, course.end - dt.timedelta(days=1))
    since = max(course.start, until - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1))
    return since, max(since, until)


def report(
    course: Course,
    sessions: Sequence[SessionRecord],
    since: dt.date,
    until: dt.date,
    now: datetime,
    step_names: dict[str, tuple[str, ...]] | None = None,
) -> Report:
    """The report of ``course`` from ``since`` to ``until`` (both local days, inclusive);
    ``step_names`` names each program's steps, by program, for the steps marked."""
    programs = [item.program for item in course.items]
    mondays = []
    monday = monday_of(since)
    while monday <= until:
        mondays.append(monday)
        monday += dt.timedelta(weeks=1)
    weeks = []
    for monday in mondays:
        items = []
        for item in course.items:
            kept = kept_by_day(sessions, item.program, now)
            days = [monday + dt.timedelta(days=n) for n in range(7)]
            items.append(
                WeekItem(
                    item.program,
                    week_due(course, item, monday, within=(since, until)),
                    sum(kept.get(day, 0) for day in days if since <= day <= until),
                )
            )
        weeks.append(Week(monday, tuple(items)))
    names = step_names or {}
    lines = tuple(
        SessionLine(
            id=r.id,
            program=r.program,
            started_at=r.started_at,
            level=r.level,
            counted=r.counted,
            done_seconds=r.done_seconds,
            pain_before=r.pain_before,
            pain_after=r.pain_after,
            notes=r.notes,
            marked=tuple(_step_name(names.get(r.program, ()), i) for i in r.marks),
        )
        for r in sorted(sessions, key=lambda r: r.started_at)
        if r.program in programs
        and since <= local_day(r.started_at) <= until
        and not r.in_future(now)
    )
    return Report(
        title=course.title,
        since=since,
        until=until,
        weeks=tuple(weeks),
        programs=tuple(_summary(p, [s for s in lines if s.program == p]) for p in programs),
        sessions=lines,
    )


def _step_name(names: tuple[str, ...], index: int) -> str:
    return names[index] if 0 <= index < len(names) else f"step {index + 1}"


def _summary(program: str, lines: list[SessionLine]) -> ProgramSummary:
    counted = [s for s in lines if s.counted]
    levels = (counted[0].level, counted[-1].level) if counted else None
    hurting: dict[str, int] = {}
    for line in lines:
        for step in line.marked:
            hurting[step] = hurting.get(step, 0) + 1
    return ProgramSummary(
        program=program,
        sessions=len(lines),
        counted=len(counted),
        levels=levels,
        pain_before=_halves([s.pain_before for s in lines]),
        pain_after=_halves([s.pain_after for s in lines]),
        hurting=tuple(sorted(hurting.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def trend_text(pair: tuple[float, float] | None) -> str:
    """Pain over a period in words: "5.5 → 3", or "4" where it did not move; "–" unrated."""
    if pair is None:
        return "–"
    first, last = (f"{round(v, 1):g}" for v in pair)
    return first if first == last else f"{first} → {last}"


def _halves(values: list[int | None]) -> tuple[float, float] | None:
    """The mean of the earlier half of the ratings given, and of the later half: how the pain
    went over the period (one rating: it, twice)."""
    given = [v for v in values if v is not None]
    if not given:
        return None
    half = len(given) // 2
    first, last = (given[:half], given[half:]) if half else (given, given)
    return mean(first), mean(last)
