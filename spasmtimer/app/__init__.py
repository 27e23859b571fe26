"""The Textual app. Importing `SpasmtimerApp` imports Textual (about 200 ms): the CLI does so
only when it opens the app. The package's pure modules (the clock's font, terminal cues, serve's
server) import without it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from spasmtimer.app.app import SpasmtimerApp

__all__ = ["SpasmtimerApp"]


def __getattr__(name: str) -> object:
    if name == "SpasmtimerApp":
        from spasmtimer.app.app import SpasmtimerApp

        return SpasmtimerApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
