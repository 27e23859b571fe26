"""``spasmtimer history``: past sessions, this week's totals and the streak."""

from __future__ import annotations

import sys

from spasmtimer.base import exits
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "past sessions, streaks and totals"
EXAMPLES = (
    "spasmtimer history",
    "spasmtimer history --program desk-break",
    "spasmtimer history --csv > sessions.csv",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--program", metavar="NAME", help="only this program's sessions")
    output = parser.add_mutually_exclusive_group()
    arguments.add_json(output)
    output.add_argument("--csv", action="store_true", help="print CSV, to export")


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.history.records import totals
    from spasmtimer.session import library

    history = context.history
    if history is None:
        return exits.INVALID
    records = history.sessions(args.program)
    if args.json:
        events = history.exported_events()
        print(reports.to_json([reports.session_export(r, events.get(r.id, [])) for r in records]))
    elif args.csv:
        reports.write_history_csv(records, history.exported_events(), sys.stdout)
    else:
        names = {r.program for r in records}
        levels = {name: context.level(name, library.cap_of(name)) for name in names}
        now = history.now()
        text = reports.history_text(
            records, totals(records, now), levels, filtered=bool(args.program), now=now
        )
        print(text)
    return exits.OK
