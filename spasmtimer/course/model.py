"""The course file format: pydantic models of ``course.toml`` (docs/course.md).

A course says what a physiotherapist prescribed: from a start date, for some weeks or for as
long as it goes on, each item a program to run so many times a day or a week, at times of
day the reminders and the calendar place it at. Field docstrings become the JSON Schema's
descriptions.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from spasmtimer.base.text import as_written
from spasmtimer.program.model import Frequency, Text, count_up_to

LONGEST_WEEKS = 104


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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class ItemTable(Frequency):
    """A program, and how often it is prescribed."""

    program: Text
    """The program: its name (as `spasmtimer list` shows it) or the path of its file,
    relative to this file."""


class CourseFile(_Model):
    """A course of exercise, as a physiotherapist prescribes one."""

    model_config = ConfigDict(title="spasmtimer course")

    title: Text
    """What the course is, as "Back care, weeks 1-4"."""
    start: Date
    """The first day of the course."""
    weeks: count_up_to(LONGEST_WEEKS) | None = None  # type: ignore[valid-type]
    """How many weeks it lasts. Without it, it goes on."""
    item: list[ItemTable] = Field(min_length=1)
    """The programs prescribed: [[item]] tables."""
