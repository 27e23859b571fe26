"""spasmtimer: a terminal timer for lower-back stretches and breathing drills."""

__version__ = "0.1.0"
