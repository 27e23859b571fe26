"""The ``spasmtimer`` command's entry point: the process set up (its standard streams, what
happens on Ctrl-C), the arguments parsed, the command run (`spasmtimer.cli.commands`), and
whatever goes wrong said in one line: a `UserError` in its own words, anything else as an
internal error, never a traceback.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Callable, Sequence

from spasmtimer.base import exits, startup
from spasmtimer.base.errors import UserError
from spasmtimer.base.text import TerminalText
from spasmtimer.cli.context import Context, say

# As typing.TYPE_CHECKING, which type checkers read as true, without importing typing (3 ms of
# every `--version`, `--help` and status line). Every module of the command line does the same.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any



def _fill_closed_standard_files() -> frozenset[int]:
    """Give a closed stdin, stdout or stderr (``spasmtimer list >&-``) the null device.

    Otherwise the next file opened — the history database — would take its number, and
    whatever is printed would be written into it. Returns the numbers that were closed.
    """
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # takes the lowest free number: this one
            closed.add(fd)
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is None:
            # On the null device just given its number: Textual draws on ``sys.__stderr__``,
            # which the app points at the terminal (`drawing_on_the_terminal`).
            stream = open(fd, mode, encoding="utf-8", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
    for stream in (sys.stdout, sys.stderr):
        # Under a locale or PYTHONIOENCODING that is not UTF-8, a "·" or "é" is printed as "?"
        # rather than ending the command with UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    return frozenset(closed)


class terminal_text:  # a context manager, used as a function is
    """Everything the command prints goes through `TerminalText`: no escape sequence from a
    program, a note or a file name reaches the terminal, whatever path it takes. (A class,
    not `contextlib.contextmanager`: `status` does not import contextlib, some 5 ms.)"""

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = TerminalText(sys.stdout), TerminalText(sys.stderr)

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved


def main(argv: Sequence[str] | None = None) -> int:
    context = Context(_fill_closed_standard_files())
    with terminal_text():
        try:
            status = _dispatch(argv, context)
            sys.stdout.flush()  # here, where a full disk can still be said in one line
            return status
        except KeyboardInterrupt:
            return exits.INTERRUPTED
        except BrokenPipeError:
            # The reader went away (``spasmtimer plan x | head``): not an error worth a message.
            _output_to_nowhere()
            return exits.OK
        except OSError as e:
            if e.errno not in OUTPUT_ERRNOS or e.filename is not None:
                raise
            # The output's disk is full (``spasmtimer history --csv > /mnt/full/h.csv``).
            _output_to_nowhere()
            say(f"cannot write the output: {e.strerror}")
            return exits.INVALID
        except Exception as e:
            if _caused_by_interrupt(e):
                return exits.INTERRUPTED
            if os.environ.get("SPASMTIMER_DEBUG"):
                raise
            # No traceback reaches the user: one line, and how to get the whole story.
            say(
                f"internal error: {type(e).__name__}: {e} (please report it; "
                "SPASMTIMER_DEBUG=1 shows the traceback)"
            )
            return exits.INVALID
        finally:
            context.close()


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Why writing to stdout can fail, other than a reader gone away."""


def _output_to_nowhere() -> None:
    """What is left of the output goes to the null device: flushed at exit, it would fail
    again, with a traceback of Python's own."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _caused_by_interrupt(error: BaseException) -> bool:
    """Python 3.11 wraps a Ctrl-C that lands in a class's ``__set_name__`` (as importing
    Textual can) in a RuntimeError: it is still a Ctrl-C."""
    seen: BaseException | None = error
    for _ in range(10):  # a chain of causes is short; a cycle must not hang
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _dispatch(argv: Sequence[str] | None, context: Context) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["status"]:
        # A status bar runs it every few seconds: its plain arguments are read without
        # argparse, a sixth of its time (anything else goes to argparse, as ever).
        from spasmtimer.cli.commands import status as status_command

        quick = status_command.plain_arguments(argv[1:])
        if quick is not None:
            startup.started()
            return _run(status_command.run, quick, context)

    from spasmtimer.cli.parser import build_parser, only_command

    parser = build_parser(only_command(argv))
    args = parser.parse_args(argv)
    if args.command not in (None, "run", "remind"):
        startup.started()  # only a session's or the app's start is worth holding it for
    if args.command is None:
        from spasmtimer.cli.launch import open_app, why_not_drawn

        why = why_not_drawn()
        if why is not None:
            # Asked for the app, which cannot run here: say why, and what does.
            say(
                f"the app cannot be shown here: {why}. The commands below work anywhere; "
                "`spasmtimer run PROGRAM` runs a session as plain text."
            )
            parser.print_help()
            return exits.USAGE
        return open_app(context)
    return _run(args.handler, args, context)


def _run(handler: Callable[[Any, Context], int], args: object, context: Context) -> int:
    """Run a command; a `UserError` is said in its own words, and gives its exit status."""
    try:
        status: int = handler(args, context)
    except UserError as e:
        if e.located:  # FILE:LINE:COL: ..., a problem a line
            print(e, file=sys.stderr)
        else:
            say(str(e))
        return e.status
    return status


def run() -> None:
    """The console script's entry point."""
    try:
        status = main()
    except KeyboardInterrupt:  # Ctrl-C before main's own guard, or after it
        status = exits.INTERRUPTED
    if status == exits.INTERRUPTED:
        # CPython 3.11 remembers a Ctrl-C that landed inside an exec() or eval() of a string
        # (as building a dataclass does, during imports) and, handled or not, ends the process
        # by SIGINT instead of with this status. Everything is written: leave with it directly.
        import contextlib

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    sys.exit(status)
