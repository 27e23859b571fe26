"""The one kind of error a person is told about: `UserError`.

Every error that comes from what a person gave — a program that does not load, a name that is
no program, an argument's value, a history that cannot be had — is a `UserError` (or one of its
kinds), carrying its words and the exit status it ends a command with. The command line catches
it once, says it in one place, and exits with its status; no traceback ever reaches the person.
"""

from __future__ import annotations

from spasmtimer.base import exits


class UserError(Exception):
    """Something wrong that a person can act on, said in words."""

    status: int = exits.INVALID
    """What the command exits with."""
    located: bool = False
    """The words already say where (``FILE:LINE:COL: …``, one problem a line): printed as
    they are, without the program's name in front."""
