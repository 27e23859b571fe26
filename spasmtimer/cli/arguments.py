"""The arguments several commands take, each defined once: a PROGRAM (completed from the
library), ``--level``, ``--plain``, ``--no-bell``, ``--notify``, ``--every``, ``--json``; and
the values that are read here rather than by argparse, because a wrong one is a `UserError`
(one line, exit 1) rather than a usage error.
"""

from __future__ import annotations

from spasmtimer.base.errors import UserError

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    # Not at run time: `status` reads its plain arguments without argparse (see its module).
    import argparse
    from datetime import timedelta

    from spasmtimer.session.reminders import Window

MAX_LEVEL = 1_000_000
"""Far past any cap a program could have in use, and small enough for SQLite to keep."""
BREAK_PROGRAM = "desk-break"
"""The break `remind` and `status` are about unless told: the short one for desk workers."""
BREAK_EVERY = "45m"
"""How often a break is due unless told: the articles' "get up from prolonged sitting"."""
EVERY_FORMS = "a duration from 1m to 24h, such as 45m, 1h or 1h30m"


def add_program(
    parser: argparse.ArgumentParser,
    help_text: str = "a .toml file or a program's name",
    *,
    default: str | None = None,
    optional: bool = False,
) -> None:
    """The PROGRAM a command is about, completed in a shell from the library's names."""
    from spasmtimer.cli.completion import completes_programs

    nargs = "?" if optional or default is not None else None
    program = parser.add_argument(
        "program", nargs=nargs, default=default, metavar="PROGRAM", help=help_text
    )
    completes_programs(program)


def add_level(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--level", type=_level, metavar="N", help=help_text)


def add_plain(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--plain", action="store_true", help=help_text)
    parser.add_argument("--no-bell", action="store_true", help="no terminal bell")


def add_notify(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--notify", action="store_true", help=help_text)


def add_every(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--every", metavar="DURATION", help=help_text)
    _reads_negative_values(parser)


def add_course(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--course",
        metavar="FILE",
        help="the course file (default ~/.config/spasmtimer/course.toml)",
    )


def add_json(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _level(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value <= MAX_LEVEL:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LEVEL:,} (got {value})")
    return value


def _reads_negative_values(parser: argparse.ArgumentParser) -> None:
    """``--every -5m`` is a bad duration, to be said so, not a missing one: a dash before a
    digit starts a value, as argparse already reads "-5". (argparse has no public way.)"""
    import re

    parser._negative_number_matcher = re.compile(r"^-\d")


def port(text: str) -> int:
    """The ``--port`` of ``serve``: checked here rather than by argparse, whose usage error
    (exit 2, two lines) is not the one-line message and exit 1 the serve contract promises."""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 65535:
        return int(text)
    raise UserError(f"--port must be a whole number from 1 to 65535 (got {text!r})")


def every(text: str | None) -> timedelta:
    """``--every``, read as a program's durations are ("45m", "1h30m", "90m"); `BREAK_EVERY`
    when not given."""
    from datetime import timedelta

    from spasmtimer.session.breaks import DEFAULT_EVERY, LONGEST_EVERY, SHORTEST_EVERY

    if text is None or text == BREAK_EVERY:  # the default, known without the durations' parser
        return DEFAULT_EVERY
    import re

    from spasmtimer.program.durations import NUMBER, DurationError, parse_duration

    text = BREAK_EVERY if text is None else text
    number = text.strip()
    if re.fullmatch(NUMBER, number) and float(number) > 0:
        raise UserError(f"--every needs a unit: {number}m for minutes, {number}h for hours")
    try:
        seconds = parse_duration(text)
    except DurationError as e:
        if e.kind == "duration_carry":  # "1m70s": the message says what was likely meant
            raise UserError(f"--every {e}") from None
        raise UserError(f"--every must be {EVERY_FORMS} (got {text!r})") from None
    found = timedelta(seconds=seconds)
    if not SHORTEST_EVERY <= found <= LONGEST_EVERY:
        raise UserError(f"--every must be {EVERY_FORMS} (got {text!r})")
    return found


def window(text: str) -> Window:
    """``--between HH:MM-HH:MM``."""
    from spasmtimer.session import reminders

    try:
        return reminders.parse_window(text)
    except ValueError as e:
        raise UserError(f"--between {e} (got {text!r})") from None
