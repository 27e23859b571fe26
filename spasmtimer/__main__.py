"""The ``spasmtimer`` command (and ``python -m spasmtimer``).

A Ctrl-C during start-up, while Python is still importing the command line, would end in a
KeyboardInterrupt traceback: so the first thing done is to make it a quiet exit. Nothing has
started by then, so there is nothing to record. Once the command line is loaded, Ctrl-C is a
KeyboardInterrupt again, which the command line turns into a clean stop.
"""

import os
import signal

from spasmtimer.base import startup

startup.hold()  # no garbage collection while starting: see spasmtimer.base.startup


def _quit_quietly(signum: int, frame: object) -> None:
    os._exit(128 + signum)


signal.signal(signal.SIGINT, _quit_quietly)


def main() -> None:
    from spasmtimer.cli.entry import run

    signal.signal(signal.SIGINT, signal.default_int_handler)
    run()


if __name__ == "__main__":
    main()
