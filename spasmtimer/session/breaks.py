"""How often a break may be due: the bounds of ``--every`` for `remind` and `status`.

Apart from the reminders (`spasmtimer.session.reminders`, which need msgspec), since `status`
reads them on every redraw of a status bar.
"""

from __future__ import annotations

from datetime import timedelta

SHORTEST_EVERY = timedelta(minutes=1)
LONGEST_EVERY = timedelta(hours=24)
