"""``spasmtimer schema``: the JSON Schema of the program format, for editors."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "print the JSON Schema of the program format (or of a figure's or a course's)"
EXAMPLES = (
    "spasmtimer schema > ~/.config/spasmtimer/program.schema.json",
    "spasmtimer schema --figure > ~/.config/spasmtimer/figure.schema.json",
    "spasmtimer schema --course > ~/.config/spasmtimer/course.schema.json",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--figure", action="store_true", help="the schema of a figure file instead")
    which.add_argument("--course", action="store_true", help="the schema of a course file instead")


def run(args: argparse.Namespace, context: Context) -> int:
    import json

    from spasmtimer.course.model import CourseFile
    from spasmtimer.program.schema import figure_schema, model_schema, program_schema

    if args.course:
        schema = model_schema(CourseFile)
    else:
        schema = figure_schema() if args.figure else program_schema()
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return exits.OK
