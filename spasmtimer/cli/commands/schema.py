"""``spasmtimer schema``: the JSON Schema of the program format, for editors."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "print the JSON Schema of the program format"
EXAMPLES = ("spasmtimer schema > ~/.config/spasmtimer/program.schema.json",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace, context: Context) -> int:
    import json

    from spasmtimer.program.schema import program_schema

    print(json.dumps(program_schema(), indent=2, ensure_ascii=False))
    return exits.OK
