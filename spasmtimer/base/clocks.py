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


def local_zone_name() -> str:
    """The IANA name of the machine's time zone ("Europe/London"), for a calendar file: from
    ``TZ`` when it names one, else from where /etc/localtime leads; "UTC" when neither does."""
    import os
    from pathlib import Path

    named = os.environ.get("TZ", "").removeprefix(":")
    candidates = [named] if named else []
    try:
        target = str(Path("/etc/localtime").resolve())
        if "/zoneinfo/" in target:
            candidates.append(target.split("/zoneinfo/", 1)[1])
    except OSError:
        pass
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    for candidate in candidates:
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return "UTC"
