"""The ``spasmtimer`` command (and ``python -m spasmtimer``).

A Ctrl-C while the command starts ends it at once, quietly, with status 130: the first thing
done is to make SIGINT an exit rather than a KeyboardInterrupt, which Python raises at whatever
line is running, and which C extensions (msgspec's import) and bare excepts swallow — the
session then ran on. Nothing needs saving before a session starts: an exit then is as safe as
the kill -9 the history is built for (docs/history.md, "Nothing lost, whatever happens").

It stays that way for as long as the process has nothing to put right. What has (a session,
the app) takes SIGINT over itself: `spasmtimer.cli.plain.signals_interrupt` makes it a
KeyboardInterrupt again once a session can be stopped and recorded, and the app holds it.

Before this module's first line the signal is Python's own (README, "Safe with programs from
anyone", measured).
"""

import os
import sys
from _weakref import ReferenceType

# `signal` costs 0.7 ms of enum classes, and a Ctrl-C inside that would still be Python's
# traceback: `_signal`, the C module under it, is loaded with the interpreter, as are the
# others imported here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal as _signal
else:
    import _signal


def _quit_quietly(signum: int, frame: object) -> None:
    os._exit(128 + signum)


try:
    _signal.signal(_signal.SIGINT, _quit_quietly)
except KeyboardInterrupt:  # come just before: `signal` first runs the handler it replaces
    _quit_quietly(_signal.SIGINT, None)


def _python_went_on_from_a_ctrl_c() -> bool:
    """Did a Ctrl-C reach Python as it started, and Python report it and carry on?

    Checking whether the script is a zip file does, leaving the exception in `sys.last_value`;
    so does the callback that forgets an import's lock once the lock is gone, which leaves
    only the lock's entry behind, dead (`importlib._bootstrap._get_module_lock`, the same in
    Python 3.11 to 3.13, where nothing else leaves one dead)."""
    if isinstance(getattr(sys, "last_value", None), KeyboardInterrupt):
        return True
    locks = getattr(sys.modules.get("_frozen_importlib"), "_module_locks", None)
    if not isinstance(locks, dict):
        return False
    return any(isinstance(lock, ReferenceType) and lock() is None for lock in locks.values())


if _python_went_on_from_a_ctrl_c():
    _quit_quietly(_signal.SIGINT, None)  # its traceback is out, but the session need not be

from spasmtimer.base import startup  # noqa: E402 (after the handler, on purpose)

startup.hold()  # no garbage collection while starting: see spasmtimer.base.startup


def main() -> None:
    from spasmtimer.cli.entry import run

    run()


if __name__ == "__main__":
    main()
