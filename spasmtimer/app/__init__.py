"""The Textual app. Importing this package imports Textual: the CLI does so only when it opens
the app."""

from spasmtimer.app.app import SpasmtimerApp

__all__ = ["SpasmtimerApp"]
