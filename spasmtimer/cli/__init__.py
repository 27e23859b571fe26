"""The command line: the entry point (`entry`), the plain runner (`plain`), the text each
command prints (`reports`) and shell completion. The top layer: it may use every other."""

from spasmtimer.cli.entry import main

__all__ = ["main"]
