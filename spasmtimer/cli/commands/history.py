"""``spasmtimer history``: past sessions, this week's totals and the streak."""

from __future__ import annotations

import sys

from spasmtimer.base import exits
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable

    from spasmtimer.history.records import SessionRecord

SUMMARY = "past sessions, streaks and totals"
EXAMPLES = (
    "spasmtimer history",
    "spasmtimer history --all | less",
    "spasmtimer history --program desk-break",
    "spasmtimer history --csv > sessions.csv",
)
RECENT = 30
"""Sessions listed unless ``--all``: the last month of a daily one, or a working day and more
of hourly breaks. Years of them would scroll past for seconds."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--program", metavar="NAME", help="only this program's sessions")
    output = parser.add_mutually_exclusive_group()
    output.add_argument(
        "--all", action="store_true", help=f"every session, not only the last {RECENT}"
    )
    arguments.add_json(output)
    output.add_argument("--csv", action="store_true", help="print CSV, to export")


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.session import library

    history = context.history
    if history is None:
        return exits.INVALID
    # Every export is written as it is read: years of sessions are never held whole.
    if args.json:
        exported = history.exported(args.program)
        reports.write_json_list((reports.session_export(r, e) for r, e in exported), sys.stdout)
        return exits.OK
    if args.csv:
        reports.write_exported_csv(history.exported(args.program), sys.stdout)
        return exits.OK
    now = history.now()
    if args.all:
        records: Iterable[SessionRecord] = history.each(args.program)
        earlier = 0
    else:
        newest, more = history.newest(RECENT, program=args.program)
        records = newest[::-1]
        earlier = history.count(args.program) - len(newest) if more is not None else 0
    from spasmtimer.base.files import looking_once

    level_of = context.levels()
    names = [args.program] if args.program else history.programs()
    with looking_once():  # the figures the programs show, looked at once
        levels = {name: level_of(name, library.cap_of(name)) for name in names}
    lines = reports.history_lines(
        records,
        history.totals(now, args.program),
        levels,
        filtered=bool(args.program),
        now=now,
        earlier=earlier,
    )
    for line in lines:
        print(line)
    return exits.OK
