"""How a program's level follows from its history (docs/history.md, "Levels"), in one place.

- A session **counts** only if it reached its end with at least 75 % of its planned time done:
  one skipped through is recorded, but changes nothing.
- After a counted session the level is one up — or the same, if the pain after it was 2 or more
  points above the pain before — and never past the program's **cap level** (the first level at
  which every `progress` value has reached its cap).
- For every full 7 days since the last counted session, the level is one lower (never below 0),
  and wherever it shows, it says so: "level 3, eased from 4 after 12 days".

Pure: no database, no Textual. `spasmtimer.history.store` reads the sessions and asks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import msgspec

COUNTS_FROM = 0.75
"""The share of a session's planned time that must be done for it to count."""
WORSE_BY = 2
"""Pain after this many points above pain before holds the level."""
EASE_EVERY_DAYS = 7
"""Each full this many days since the last counted session eases the level by one."""


def counts(completed: bool, done_seconds: float, planned_seconds: float) -> bool:
    """Does a session count toward the level: did it reach its end, with 75 % of it done?"""
    # A millisecond of slack: done time is summed from clock readings.
    return completed and done_seconds + 0.001 >= COUNTS_FROM * planned_seconds


def felt_worse(pain_before: int | None, pain_after: int | None) -> bool:
    """Pain after at least `WORSE_BY` points above pain before (both given)."""
    if pain_before is None or pain_after is None:
        return False
    return pain_after - pain_before >= WORSE_BY


def level_following(
    level: int, pain_before: int | None, pain_after: int | None, cap: int | None
) -> int:
    """The level after a counted session at ``level``: one up unless the pain got worse, and
    never past ``cap`` (None: the program, and so its cap, is not known here)."""
    following = level if felt_worse(pain_before, pain_after) else level + 1
    return following if cap is None else min(following, max(cap, 0))


class Level(msgspec.Struct, frozen=True):
    """A program's level now, and whether (and why) it was eased."""

    value: int
    eased_from: int | None = None
    """The level before easing, when a gap eased it."""
    idle_days: int | None = None
    """Whole days since the last counted session, when a gap eased the level."""
    held: tuple[tuple[int, int], ...] = ()
    """The steps (from 0) whose progression is held, each with the level it runs at (`holds`)."""

    def __str__(self) -> str:
        if self.eased_from is None:
            return f"level {self.value}"
        return f"level {self.value}, eased from {self.eased_from} after {self.idle_days} days"

    @property
    def short(self) -> str:
        """For a narrow column: ``3``, or ``3 eased``."""
        return str(self.value) if self.eased_from is None else f"{self.value} eased"


class CountedSession(msgspec.Struct, frozen=True):
    """What the level needs to know of the last counted session."""

    level: int
    pain_before: int | None
    pain_after: int | None
    ended_at: datetime
    marks: tuple[int, ...] = ()


def holds(newest_first: Iterable[CountedSession]) -> tuple[tuple[int, int], ...]:
    """The steps whose progression is held, each with the level it is held at, from a
    program's counted sessions, newest first: a step marked as having hurt (or been too hard)
    in the latest two sessions or more in a row is held at its level in the second of that run,
    until a session where it is not marked. Reads no further back than the runs go."""
    runs: dict[int, list[int]] = {}
    """Each step marked in the latest session: the levels of its run of marked sessions."""
    going_on: set[int] = set()
    for index, session in enumerate(newest_first):
        if index == 0:
            runs = {step: [session.level] for step in set(session.marks)}
            going_on = set(runs)
        else:
            for step in list(going_on):
                if step in session.marks:
                    runs[step].append(session.level)
                else:
                    going_on.discard(step)
        if not going_on:
            break
    # A run, newest first, ends with its first session: its second is the one before that.
    return tuple(sorted((step, levels[-2]) for step, levels in runs.items() if len(levels) >= 2))


def current_level(last: CountedSession | None, cap: int | None, now: datetime) -> Level:
    """The level the next session runs at, from the last counted session."""
    if last is None:
        return Level(0)
    level = level_following(last.level, last.pain_before, last.pain_after, cap)
    idle = max(now - last.ended_at, timedelta(0))  # a clock set back is no gap
    eased = max(0, level - idle // timedelta(days=EASE_EVERY_DAYS))
    if eased == level:
        return Level(level)
    return Level(eased, eased_from=level, idle_days=idle.days)
