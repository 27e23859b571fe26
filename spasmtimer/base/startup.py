"""Python's cycle collector held off while a command starts, and back once it has.

Starting a session imports some 500 modules, and every few hundred new objects Python looks
for garbage cycles among all of them: a full pass over everything imported so far (about
35 ms on this project's machine) landed in the middle of drawing the app's first frame, and
the smaller passes before it added 30 ms more. Nothing made while starting is garbage worth
that: `spasmtimer.__main__` turns the collector off before anything is imported, and `started`
turns it on again once the first frame is drawn (the app) or the first line is about to be
printed (``--plain``), or at once for the other commands. It first freezes what start-up made
(`gc.freeze`): the modules, classes and functions live as long as the process, and the
collector never needs to look at them again.

Reference counting frees almost everything in the meantime; only cycles wait.
"""

from __future__ import annotations

import gc


def hold() -> None:
    """No cycle collection until `started`: the first thing `spasmtimer.__main__` does."""
    gc.disable()


def started() -> None:
    """Start-up is over: keep what it made out of the collector's way, and collect as usual.
    Does nothing where the collector was on already (tests, or a second call)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
