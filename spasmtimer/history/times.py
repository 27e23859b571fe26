"""The times the history keeps, and the days they fall on.

- One written form (`iso`): UTC, to the millisecond, fixed width, so that SQL orders the text as
  time does and a range of times is a range of text.
- Local days (`local_day`): the day the machine's clock read at a moment, under the offset of
  that moment (summer or winter time); and `day_span`, the times, as written, that hold some
  local days — with a margin, since a day may be 23 or 25 hours long: what falls in the span
  is then kept or not by its `local_day`.
- The future (`FUTURE_SKEW`, `in_future`): later than now by more than two machines' clocks can
  disagree.

Standard library only: `spasmtimer status` reads these on every redraw of a status bar.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Times outside these are not a session's: shown in local time near Python's year 1 or
9999, they would end the command with OverflowError."""

FUTURE_SKEW = timedelta(minutes=5)
"""How much later than now a session's times may be and still be taken as now: the clocks of
two machines sharing a history may disagree by that much. Later still, a clock was wrong."""

DAY_MARGIN = timedelta(hours=3)
"""How far past a local day's midnights `day_span` reaches: more than any change of clocks
(at most two hours, in Antarctica's Troll station; one almost everywhere else)."""


def iso(moment: datetime) -> str:
    """A time as the history writes it: UTC, to the millisecond, in one fixed-width form, so
    that SQL orders the text as time does."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> datetime:
    """A time as the history keeps it; raises `ValueError` for anything else, or one outside
    `EARLIEST`–`LATEST`."""
    moment = datetime.fromisoformat(text)
    check_time(moment)
    return moment


def check_time(moment: datetime) -> None:
    if moment.tzinfo is None or not EARLIEST <= moment < LATEST:
        raise ValueError(f"{moment.isoformat()!r} is not a time a session can have")


def local_day(moment: datetime) -> date:
    """The day ``moment`` falls on by the machine's clock: its offset from UTC then (summer or
    winter time), not now's nor the one the session was recorded under."""
    return moment.astimezone().date()


def day_span(first: date, last: date) -> tuple[str, str]:
    """Times as `iso` writes them, from and before which lie every moment of the local days
    ``first`` to ``last``, and a little more on each side (`DAY_MARGIN`): keep what falls in
    between by its `local_day`."""
    # A naive time is read in the machine's zone: its midnight, or next to it where the
    # clocks skip midnight; the margin covers the difference.
    start = datetime(first.year, first.month, first.day).astimezone() - DAY_MARGIN
    following = last + timedelta(days=1)
    end = datetime(following.year, following.month, following.day).astimezone() + DAY_MARGIN
    return iso(start), iso(end)


def in_future(latest: datetime, now: datetime) -> bool:
    """Is a session whose latest time (of its start, end and last write) is ``latest`` in the
    future at ``now``: later by more than `FUTURE_SKEW`? The clock that dated it was wrong."""
    return latest > now + FUTURE_SKEW


def latest_allowed(now: datetime) -> str:
    """The latest time, as written, that a session in the past may have at ``now``."""
    return iso(now + FUTURE_SKEW)


def zone_signature() -> str:
    """What names the machine's time zone, as far as its days go: kept beside the days worked
    out in it (`spasmtimer.history.days`), which another zone could count otherwise. ``TZ``,
    or else the zone file ``/etc/localtime`` leads to, and the zone's names and offsets."""
    # Worked out again only when the zone Python reads local times in changes (``TZ`` and
    # `time.tzset`): following the link is most of the time of a session's write.
    read_in = (os.environ.get("TZ"), time.tzname, time.timezone, time.altzone)
    if read_in not in _signatures:
        zone = read_in[0] if read_in[0] is not None else os.path.realpath("/etc/localtime")
        _signatures[read_in] = "|".join((zone, *time.tzname, str(time.timezone), str(time.altzone)))
    return _signatures[read_in]


_signatures: dict[tuple[object, ...], str] = {}
