"""``spasmtimer list``: the library, bundled programs and the person's own."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "list the bundled programs and your own"
EXAMPLES = ("spasmtimer list", "spasmtimer list --json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    form = parser.add_mutually_exclusive_group()
    arguments.add_json(form)
    form.add_argument(
        "--names", action="store_true", help="only the names, one a line (for shell completion)"
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.session import library

    if args.names:
        # For shell completion: names only, from the folders, nothing loaded.
        from spasmtimer.cli.completion import shell_safe_name

        for entry in library.entries():
            # As the file names it: one whose bytes are not UTF-8 is left out, not escaped.
            if entry.name == entry.path.stem and shell_safe_name(entry.name):
                print(entry.name)
        return exits.OK
    from spasmtimer.base.forked import usable_cores
    from spasmtimer.cli import reports

    items = library.load_items(context.levels(), context.settings.prepare, processes=usable_cores())
    if args.json:
        print(reports.to_json([reports.item_json(item) for item in items]))
    else:
        print(reports.list_text(items))
    return exits.OK
