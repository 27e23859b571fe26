"""``spasmtimer today``: what the course asks of today, and what is kept."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "what the course asks of today: each program's sessions due, kept, and the next"
EXAMPLES = ("spasmtimer today", "spasmtimer today --json", "spasmtimer today --course rehab.toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_course(parser)
    arguments.add_json(parser)


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.cli.course_text import today_json, today_text_all
    from spasmtimer.course.plan import today

    course = context.course(args.course)
    now = utc_now()
    items = today(course, context.sessions(), now)
    if args.json:
        from spasmtimer.cli.reports import to_json

        print(to_json([today_json(entry) for entry in items]))
    else:
        print(today_text_all(course, items, now))
    return exits.OK
