"""The two clocks that everything telling time is handed, so that tests can hand it fakes:
a monotonic `Clock` (seconds, for counting: never set, never jumps) and the wall clock `Now`
(an aware datetime, for saying when)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], float]
"""A monotonic clock, in seconds: `time.monotonic` unless a test hands another."""
Now = Callable[[], datetime]
"""The wall clock: an aware datetime."""


def utc_now() -> datetime:
    return datetime.now(UTC)
