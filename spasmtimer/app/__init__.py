"""The Textual app. Importing this package imports Textual: the CLI does so only when it opens
the app."""

from spasmtimer.app.app import Services, SpasmtimerApp

__all__ = ["Services", "SpasmtimerApp"]
