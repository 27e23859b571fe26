"""One session and what surrounds it, pure: the clock-driven engine (`engine`), the words a
session screen shows (`display`), levels (`levels`), the library of programs (`library`), break
reminders (`reminders`), settings and the safety notice. No Textual, no database: the history
and the app are built on this layer.
"""
