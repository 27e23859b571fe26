"""The exit statuses of every command, in one place."""

from __future__ import annotations

OK = 0
"""Done: a session completed, a file is valid, a report was printed."""
INVALID = 1
"""An error the user can act on: an invalid program, an unknown name, a bad argument value."""
USAGE = 2
"""The command line itself is wrong (argparse exits with it)."""
INTERRUPTED = 130
"""Ctrl-C: 128 + SIGINT, as shells report it."""


def signalled(signum: int) -> int:
    """The status of a run ended by a signal: 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + signum
