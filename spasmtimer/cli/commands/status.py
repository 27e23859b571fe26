"""``spasmtimer status``: one short line for a tmux status bar or a shell prompt.

It is drawn again every few seconds: it reads the history's indexes without opening it for
writing (`spasmtimer.history.status.read_status`), and loads no program file, no msgspec and no
Textual.
"""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "one short line for a tmux status bar or a shell prompt: the next break, today, streak"
EXAMPLES = (
    "spasmtimer status",
    "spasmtimer status desk-break --every 1h",
    "set -g status-right '#(spasmtimer status --tmux)'   # in ~/.tmux.conf",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(
        parser,
        f"the break program (default {arguments.BREAK_PROGRAM})",
        default=arguments.BREAK_PROGRAM,
    )
    arguments.add_every(
        parser, f"a break is due this long after the last (default {arguments.BREAK_EVERY})"
    )
    parser.add_argument(
        "--tmux", action="store_true", help="colour it with tmux's status-bar markup"
    )


def plain_arguments(given: list[str]) -> argparse.Namespace | None:
    """The arguments of ``spasmtimer status ARGS`` as argparse reads them, read without it
    when they are the plain ones — a PROGRAM, ``--every D`` (or ``--every=D``), ``--tmux`` —
    as a status bar gives them; None for anything else (``--help``, an abbreviation, a
    mistake), which argparse reads and answers as ever."""
    from types import SimpleNamespace

    read: dict[str, object] = {}
    rest = iter(given)
    for word in rest:
        if word == "--tmux":
            read["tmux"] = True
        elif word.startswith("--every=") or word == "--every":
            value = word.partition("=")[2] if "=" in word else next(rest, None)
            if "every" in read or value is None or value.startswith("-"):
                return None
            read["every"] = value
        elif word.startswith("-") or "program" in read:
            return None
        else:
            read["program"] = word
    return SimpleNamespace(  # type: ignore[return-value]  # what argparse would give
        command="status",
        program=read.get("program", arguments.BREAK_PROGRAM),
        every=read.get("every", arguments.BREAK_EVERY),
        tmux=read.get("tmux", False),
        handler=run,
    )


def run(args: argparse.Namespace, context: Context) -> int:
    # Only what the line needs, and no msgspec (see spasmtimer.history.status): a status bar
    # runs this every few seconds, and a prompt at every command.
    import sqlite3

    from spasmtimer.base import locations
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.history.database import HistoryError
    from spasmtimer.history.status import read_status, status_line

    every = arguments.every(args.every).total_seconds()
    name = program_name(args.program)
    try:
        status = read_status(locations.history_file_text(), name, every, utc_now())
    except (HistoryError, sqlite3.Error) as e:
        raise UserError(f"history unavailable: {e}") from None
    print(status_line(status, tmux=args.tmux))
    return exits.OK


def program_name(program: str) -> str:
    """The name of the program ``program`` means, as the library finds it: one of its
    programs by its file alone, anything else (a path, a name that is not there) by the
    library itself."""
    import os

    from spasmtimer.base import locations

    plain_name = not program.endswith(".toml") and "/" not in program
    if plain_name and not os.path.lexists(program) and locations.library_files(program):
        return program
    from spasmtimer.session import library

    return library.find(program).name
