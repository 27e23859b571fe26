"""Durations as people write them: ``20``, ``1.5``, ``"90s"``, ``"1m30s"``, ``"2m"``, ``"1h"``.

One rule for the program format, the JSON Schema's pattern and the command line (``remind
--every``, ``status --every``). Standard library only: ``spasmtimer status`` reads durations
without paying for pydantic.
"""

from __future__ import annotations

import itertools
import math
import re

from spasmtimer.base.text import as_written, toml_string


class DurationError(ValueError):
    """A value that is not a duration, with a message for the person who wrote it.

    ``kind``, ``template`` and ``context`` are pydantic's custom-error parts, so the program
    format can raise the same error located in its file.
    """

    def __init__(self, kind: str, template: str, context: dict[str, str]) -> None:
        super().__init__(template.format(**context))
        self.kind = kind
        self.template = template
        self.context = context


NUMBER = r"\d+(?:\.\d+)?"
"""A number as durations and breath patterns write it: no sign, no exponent."""
_FORM = (
    r"^\s*(?:{n}\s*h(?:\s*{sub}\s*m)?(?:\s*{sub}\s*s)?"
    r"|{n}\s*m(?:\s*{sub}\s*s)?"
    r"|{n}\s*s)\s*$"
)
_UNDER_60 = r"0*[1-5]?\d(?:\.\d+)?"
DURATION_PATTERN = _FORM.format(n=NUMBER, sub=_UNDER_60)
"""Duration strings such as "90s", "1m30s", "2m", "1.5s" or "1h", as the JSON Schema gives them
to editors: after a larger unit, minutes and seconds are under 60 (`parse_duration`'s rule)."""
_DURATION_RE = re.compile(_FORM.format(n=NUMBER, sub=NUMBER))
"""The form of a duration, whatever its numbers: "1m70s" is read, then refused with a hint."""
_DURATION_PART_RE = re.compile(rf"({NUMBER})\s*([hms])")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}
_UNIT_NAMES = {"h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(value: object) -> float:
    """Turn ``20``, ``1.5``, ``"90s"``, ``"1m30s"`` or ``"2m"`` into seconds.

    Raises `DurationError` with a message meant for the person who wrote it.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DurationError(
            "duration_type",
            'must be a number of seconds or a string such as "90s" or "1m30s" (got {got})',
            {"got": as_written(value)},
        )
    if isinstance(value, str):
        if _DURATION_RE.match(value) is None:
            text = value.strip()
            if text.startswith("-") and _DURATION_RE.match(text[1:]):
                _check_carried(_duration_parts(text), value)
                return -parse_duration(text[1:])  # the range check says what is allowed
            hint = ""
            if re.fullmatch(NUMBER, text):
                hint = f' (write {text} without quotes, or "{text}s")'
            raise DurationError(
                "duration_format",
                'is not a duration: write seconds as a number, or a string such as "90s", '
                '"1m30s", "2m" or "1.5s" (got {got}){hint}',
                {"got": as_written(value), "hint": hint},
            )
        parts = _duration_parts(value)
        _check_carried(parts, value)
        return sum(number * _UNIT_SECONDS[unit] for number, unit in parts)
    if not math.isfinite(value):
        raise DurationError(
            "duration_finite", "must be a finite number (got {got})", {"got": as_written(value)}
        )
    return float(value)


def phase_seconds(value: object, *, allow_zero: bool) -> float:
    """`parse_duration`, held to what one phase may last: at least a millisecond (or 0 when
    ``allow_zero``, which leaves the phase out) and at most an hour; kept to the millisecond."""
    # Here: `--every` reads durations on every redraw of a status bar, and the resolved
    # program's module needs msgspec.
    from spasmtimer.program.resolved import MAX_PHASE_SECONDS

    seconds = parse_duration(value)
    if 0 < seconds < 0.0005:
        raise DurationError(
            "duration_range",
            "must be at least a millisecond, 0.001 (got {got})",
            {"got": as_written(value)},
        )
    # Sessions are timed to the millisecond; finer values would only add rounding noise.
    seconds = round(seconds, 3)
    if seconds < 0 or (seconds == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "greater than 0"
        raise DurationError(
            "duration_range",
            "must be {bound} (got {got})",
            {"bound": bound, "got": as_written(value)},
        )
    if seconds > MAX_PHASE_SECONDS:
        raise DurationError(
            "duration_limit",
            "must be at most 1 hour (3600 seconds) (got {got})",
            {"got": as_written(value)},
        )
    return seconds


def _duration_parts(text: str) -> list[tuple[float, str]]:
    """The numbers and units of a duration string: "1m30s" -> [(1, "m"), (30, "s")]."""
    return [(float(number), unit) for number, unit in _DURATION_PART_RE.findall(text)]


def _check_carried(parts: list[tuple[float, str]], raw: str) -> None:
    """Refuse 60 or more minutes or seconds after a larger unit: "1m70s" is almost surely a
    slip, and whether it meant 2m10s or 1m07s, saying it as written is the author's call."""
    for (_, larger), (number, unit) in itertools.pairwise(parts):
        if number >= 60:
            total = sum(n * _UNIT_SECONDS[u] for n, u in parts)
            raise DurationError(
                "duration_carry",
                "has {number} {unit} after the {larger}, which is {whole} or more: "
                "did you mean {normal}? (got {got})",
                {
                    "number": as_written(number),
                    "unit": _UNIT_NAMES[unit],
                    "larger": _UNIT_NAMES[larger],
                    "whole": "an hour" if unit == "m" else "a minute",
                    "normal": toml_string(duration_text(total)),
                    "got": as_written(raw),
                },
            )


def duration_text(seconds: float) -> str:
    """Seconds as a duration string with no unit overflowing: 130 -> "2m10s", 8100 -> "2h15m"."""
    whole = round(seconds, 3)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (round(secs, 3), "s")]
    text = "".join(f"{as_written(n)}{unit}" for n, unit in parts if n)
    return text or "0s"
