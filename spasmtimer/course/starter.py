"""``spasmtimer new --course``: a commented starter course, written with tomli-w.

Each program in it is given as often as the program itself suggests (its ``suggest``): the
programs asked for as items, every other program that suggests a frequency as an item in
comments, ready to take up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import tomli_w

from spasmtimer.program.resolved import Suggestion

HEADER = """\
# A course of exercise, as a physiotherapist prescribes one: which programs, how often and
# when. From `start`, for `weeks` weeks (leave `weeks` out for a course that goes on).
# An item gives its program `per_day = N` or `per_week = N` sessions; `at` gives the times
# of day that reminders and the calendar place them at; `days` (such as ["mon", "wed"]) the
# weekdays. A session keeps the course when it reaches its end with three quarters done.
#
#   spasmtimer today                      what is due today, and what is kept
#   spasmtimer course --ics > course.ics  a calendar of it, with alarms, for a phone
#   spasmtimer report --html > report.html  the page for your physiotherapist
"""

DEFAULT_PROGRAMS = ("gentle-mobility",)
"""What a starter course prescribes when not told: the gentlest daily program."""


def course_starter_text(
    title: str,
    start: dt.date,
    programs: Sequence[str],
    suggestions: Mapping[str, Suggestion | None],
) -> str:
    """The starter: ``programs`` as items, each as often as it suggests (once a day when it
    suggests nothing), then, in comments, every other program of ``suggestions`` that
    suggests a frequency."""
    out = HEADER + "\n" + tomli_w.dumps({"title": title, "start": start, "weeks": 4})
    for name in programs:
        suggested = suggestions.get(name)
        why = "as the program suggests" if suggested else "the program suggests no frequency"
        out += f"\n# {name}: {_in_words(suggested)} ({why}).\n" + _item(name, suggested)
    others = [n for n, s in suggestions.items() if s is not None and n not in programs]
    if others:
        out += "\n# Other programs, as often as each suggests: remove the # to prescribe one.\n"
        for name in others:
            item = _item(name, suggestions[name])
            out += "\n" + "".join(f"# {line}\n" for line in item.splitlines())
    return out


def _item(program: str, suggested: Suggestion | None) -> str:
    """An [[item]] table, each value on one line as a person writes it (tomli-w would spread
    an array over a line per value)."""
    table: dict[str, Any] = {"program": program}
    if suggested is None:
        table["per_day"] = 1
    else:
        if suggested.per_day is not None:
            table["per_day"] = suggested.per_day
        if suggested.per_week is not None:
            table["per_week"] = suggested.per_week
        if suggested.at:
            table["at"] = list(suggested.at)
        if suggested.days:
            table["days"] = list(suggested.days)
    lines = [f"{key} = {_value(value)}" for key, value in table.items()]
    return "[[item]]\n" + "".join(line + "\n" for line in lines)


def _value(value: Any) -> str:
    """A TOML value on one line; every string quoted and escaped by tomli-w."""
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").removesuffix("\n")


def _in_words(suggested: Suggestion | None) -> str:
    if suggested is None:
        return "once a day"
    every = f"{suggested.per_day} a day" if suggested.per_day else f"{suggested.per_week} a week"
    days = f", on {', '.join(suggested.days)}" if suggested.days else ""
    return every + days
