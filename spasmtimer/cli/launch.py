"""Where a session is shown: the full-screen app, when it can draw, or plain text; and opening
the app, which `run`, `remind` and a bare ``spasmtimer`` share."""

from __future__ import annotations

import os
import sys

from spasmtimer.base import startup
from spasmtimer.cli.context import WRITE_WAIT_AT_EXIT, Context, say

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

    from spasmtimer.app.screens.remind import Remind
    from spasmtimer.program.timeline import Timeline
    from spasmtimer.session.library import Item


def can_draw() -> bool:
    """Can the full-screen app draw here: a real terminal, or a browser through `serve`?

    A terminal on stdin too: the app reads its keys there (``nohup`` or ``< file`` leave it
    nothing to read)."""
    return why_not_drawn() is None


def why_not_drawn() -> str | None:
    """Why the full-screen app cannot draw here, in a few words; None when it can."""
    if os.environ.get("TEXTUAL_DRIVER"):  # textual-serve runs us with its web driver
        return None
    term = os.environ.get("TERM", "")
    if not sys.stdout.isatty():
        return "its output is not a terminal"
    if not sys.stdin.isatty():
        return "its input is not a terminal, for its keys"
    if term in ("", "dumb"):
        return f"TERM is {term or 'not set'}, a terminal that cannot draw it"
    return None


def wants_plain(args: argparse.Namespace) -> bool:
    """Plain text when asked, when stdout is not a terminal, or when the terminal is dumb."""
    return bool(args.plain) or not can_draw()


def open_app(
    context: Context,
    *,
    run: tuple[Item, Timeline] | None = None,
    remind: Remind | None = None,
    bell: bool = True,
    notify: bool = False,
    resume: bool = False,
) -> int:
    # Textual takes about 0.2 s to import: only the app's own paths pay for it.
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.history.service import NoHistory, StoredHistory

    # Problems already printed are shown again in the app: the screen it opens hides stderr.
    loaded = context.loaded_settings
    history = context.history
    stored = StoredHistory(history, say, context.sync_folder) if history else None
    app = SpasmtimerApp(
        settings=loaded.settings,
        notices=loaded.problems + (history.problems if history else []),
        run=run,
        remind=remind,
        history=stored or NoHistory(),
        bell=bell,
        notify=notify,
        resume=resume,
    )

    def finish() -> None:
        startup.started()  # should the app have ended before its first frame
        if stored:
            stored.on_warning(say)  # the screen is gone: what is left to say goes to stderr
            stored.close(WRITE_WAIT_AT_EXIT)

    return app.run_on_terminal(finish)  # which calls startup.started() once it has drawn
