"""``spasmtimer course``: the course, in words or as a calendar file for a phone."""

from __future__ import annotations

import sys

from spasmtimer.base import exits
from spasmtimer.base.text import TerminalText
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context, say

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "the course of exercise: what is prescribed, or (--ics) a calendar of it"
EXAMPLES = (
    "spasmtimer course",
    "spasmtimer course --ics > back-care.ics     # import it into a phone's calendar",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_course(parser)
    parser.add_argument(
        "--ics",
        action="store_true",
        help="print the course as an iCalendar file: an event with an alarm for each time",
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.base.clocks import local_zone_name, utc_now
    from spasmtimer.cli.course_text import course_text

    course = context.course(args.course)
    if not args.ics:
        print(course_text(course, utc_now()))
        return exits.OK
    from spasmtimer.course.ics import calendar

    data, left_out = calendar(course, local_zone_name(), utc_now())
    for program in left_out:
        say(f"{program} is not in the calendar: the course gives it no time of day (`at`)")
    out = sys.stdout
    assert isinstance(out, TerminalText)
    out.write_file(data)
    return exits.OK
