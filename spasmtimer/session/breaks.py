"""How often a break may be due: the bounds of ``--every`` for `remind` and `status`, and
its default.

Apart from the reminders (`spasmtimer.session.reminders`, which need msgspec), since `status`
reads them on every redraw of a status bar.
"""

from __future__ import annotations

from datetime import timedelta

SHORTEST_EVERY = timedelta(minutes=1)
LONGEST_EVERY = timedelta(hours=24)
DEFAULT_EVERY = timedelta(minutes=45)
"""A break is due this long after the last unless told: the articles' "get up from prolonged
sitting" (``--every 45m``)."""
