"""The course file format: pydantic models of ``course.toml`` (docs/course.md).

A course says what a physiotherapist prescribed: from a start date, for some weeks or for as
long as it goes on, each item a program to run so many times a day or a week, at times of
day the reminders and the calendar place it at. Field docstrings become the JSON Schema's
descriptions.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from spasmtimer.base.text import as_written
from spasmtimer.program.model import Count, Text

MOST_A_DAY = 24
MOST_A_WEEK = 7 * MOST_A_DAY
LONGEST_WEEKS = 104
TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise PydanticCustomError(
        "date",
        "must be a date, written without quotes, such as 2026-12-07 (got {got})",
        {"got": as_written(value) if not isinstance(value, dt.datetime) else str(value)},
    )


Date = Annotated[
    dt.date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})
]


def _time(value: Any) -> dt.time:
    if not isinstance(value, str) or not re.match(TIME, value):
        raise PydanticCustomError(
            "time",
            'must be a time of day in quotes, 24-hour, such as "08:00" or "18:30" (got {got})',
            {"got": as_written(value)},
        )
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


TimeOfDay = Annotated[
    dt.time, BeforeValidator(_time), WithJsonSchema({"type": "string", "pattern": TIME})
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, hide_input_in_errors=True
    )


class ItemTable(_Model):
    """A program, and how often it is prescribed."""

    program: Text
    """The program: its name (as `spasmtimer list` shows it) or the path of its file,
    relative to this file."""
    per_day: Count | None = Field(default=None, le=MOST_A_DAY)
    """Sessions a day."""
    per_week: Count | None = Field(default=None, le=MOST_A_WEEK)
    """Sessions a week (Monday to Sunday); at most one is due on a day until they are done."""
    at: list[TimeOfDay] = []
    """When, in the day, the reminders and the calendar place the sessions: "08:00", ..."""
    days: list[Weekday] = []
    """On which days of the week: a per-day item is due on those only (default: every day); a
    per-week item is placed on them by the calendar (default: spread over the week)."""

    @model_validator(mode="after")
    def _one_frequency(self) -> ItemTable:
        if (self.per_day is None) == (self.per_week is None):
            raise PydanticCustomError(
                "frequency",
                "give how often: either per_day = N or per_week = N, not both",
                {},
            )
        if self.per_day is not None and len(self.at) > self.per_day:
            raise PydanticCustomError(
                "frequency",
                "gives {times} times in `at` for {count} a day: give at most one a session",
                {"times": len(self.at), "count": self.per_day},
            )
        if len(set(self.at)) != len(self.at) or len(set(self.days)) != len(self.days):
            raise PydanticCustomError("frequency", "gives one time or day twice", {})
        return self


class CourseFile(_Model):
    """A course of exercise, as a physiotherapist prescribes one."""

    model_config = ConfigDict(title="spasmtimer course")

    title: Text
    """What the course is, as "Back care, weeks 1-4"."""
    start: Date
    """The first day of the course."""
    weeks: Count | None = Field(default=None, le=LONGEST_WEEKS)
    """How many weeks it lasts. Without it, it goes on."""
    item: list[ItemTable] = Field(min_length=1)
    """The programs prescribed: [[item]] tables."""
