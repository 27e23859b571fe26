"""``spasmtimer plan PROGRAM``: the timeline and the progression table, without running."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context, expand_at, say_warnings

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "show a program's timeline and progression without running it"
EXAMPLES = (
    "spasmtimer plan desk-break",
    "spasmtimer plan evening.toml --level 3",
    "spasmtimer plan desk-break --json > desk-break.json",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(parser)
    arguments.add_level(parser, "plan at level N")
    arguments.add_json(parser)


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.program.timeline import progression

    entry, program = context.load(args.program)
    say_warnings(program)
    level = context.level_to_run(args.level, entry, program)
    timeline = expand_at(program, level.value, level.held)
    table = progression(program)
    if args.json:
        document = timeline.as_json()
        document.update(
            reports.level_json(level),
            name=entry.name,
            path=entry.path_text,
            progression=table.as_json(),
        )
        print(reports.to_json(document))
    else:
        print(reports.plan_text(program, timeline, level, table))
    return exits.OK
