"""``spasmtimer report``: the course kept, week by week, for the person and their clinician."""

from __future__ import annotations

import datetime as dt

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "the course kept, week by week: in words, as a printable page (--html) or as JSON"
EXAMPLES = (
    "spasmtimer report",
    "spasmtimer report --html > report.html     # open it, print it, or mail it as it is",
    "spasmtimer report --since 2026-12-07 --until 2027-01-03 --json",
)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"a date is YYYY-MM-DD, such as 2026-12-07 (got {text!r})") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_course(parser)
    parser.add_argument("--since", metavar="DATE", help="the first day (default: 4 weeks back)")
    parser.add_argument("--until", metavar="DATE", help="the last day (default: today)")
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--html", action="store_true", help="one printable, self-contained page")
    arguments.add_json(form)


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.course.report import default_period, report

    course = context.course(args.course)
    now = utc_now()
    since, until = default_period(course, now)
    since = _date(args.since) if args.since else since
    until = _date(args.until) if args.until else until
    if until < since:
        raise UserError(f"--until ({until}) is before --since ({since})")
    if (until - since).days > 3 * 366:
        raise UserError("a report covers at most three years")
    made = report(course, context.sessions(), since, until, now, _step_names(context, course))
    if args.json:
        from spasmtimer.cli.reports import to_json

        print(to_json(made.as_json()))
    elif args.html:
        from spasmtimer.cli.report_page import page

        print(page(made, course, now))
    else:
        from spasmtimer.cli.course_text import report_text

        print(report_text(made))
    return exits.OK


def _step_names(context: Context, course: object) -> dict[str, tuple[str, ...]]:
    """Each course program's steps by name, to say which were marked as hurting; a program
    that no longer loads is named by its step numbers."""
    from spasmtimer.course.course import Course

    assert isinstance(course, Course)
    names = {}
    for item in course.items:
        try:
            _, program = context.load(item.run)
        except UserError:
            continue
        names[item.program] = tuple(step.name for step in program.steps)
    return names
