"""The command line's parser, made from the command modules (`spasmtimer.cli.commands`)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from spasmtimer import __version__
from spasmtimer.cli.commands import COMMANDS

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    from typing import Any


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, told the width: finding it itself, argparse imports shutil (and bz2, lzma and
    zlib with it), a tenth of what `--version` and `--help` take."""

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", _terminal_columns() - 2)  # as argparse's own
        super().__init__(prog, **options)


def _terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it: $COLUMNS, else stdout's."""
    columns = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):  # stdout closed, or not a terminal
            columns = 0
    return columns or 80


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def only_command(argv: list[str]) -> str | None:
    """The one command `build_parser` need build for ``argv``: "" for none (``--version``),
    None for all of them (help, no command, a mistyped one)."""
    first = argv[0] if argv else None
    if first in COMMANDS:
        return first
    return "" if first == "--version" else None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, that command's alone ("": none) — argparse
    builds every command's parser in full, which a status bar's `spasmtimer status` would pay
    for on every redraw. All of them (``only`` None) for help, errors and completion."""
    parser = argparse.ArgumentParser(
        prog="spasmtimer",
        description="A calm, exact timer for lower-back stretches and breathing drills.",
        epilog=_examples(
            "spasmtimer                       the app, on the program library",
            "spasmtimer run desk-break        a session, now",
            "spasmtimer COMMAND --help        what a command does, with examples",
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"spasmtimer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"spasmtimer.cli.commands.{name}")
        sub = commands.add_parser(
            name,
            help=module.SUMMARY,
            description=module.SUMMARY,
            epilog=_examples(*module.EXAMPLES),
            formatter_class=_HelpFormatter,
        )
        module.add_arguments(sub)
        sub.set_defaults(handler=module.run)
    return parser
