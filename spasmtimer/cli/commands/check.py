"""``spasmtimer check FILE...``: validate program files."""

from __future__ import annotations

import sys

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli.context import Context, expand_at, say, say_warnings

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "validate program files"
EXAMPLES = (
    "spasmtimer check evening.toml",
    "spasmtimer check ~/.config/spasmtimer/programs/*.toml",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE")


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.cli import reports

    status = exits.OK
    for name in args.files:
        try:
            # Validated from scratch, always: `check` is what a person runs to be sure.
            _, program = context.load(name, cached=False)
        except UserError as e:
            if e.located:
                print(e, file=sys.stderr)
            else:
                say(str(e))
            status = exits.INVALID
            continue
        say_warnings(program)
        print(reports.check_ok(name, expand_at(program, 0), len(program.warnings)))
    return status
