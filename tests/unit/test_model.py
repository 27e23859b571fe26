"""The scalar types and schedules of the program format."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from spasmtimer.program.durations import DURATION_PATTERN, DurationError, parse_duration
from spasmtimer.program.model import Schedule, parse_breath


@pytest.mark.parametrize(
    ("given_value", "seconds"),
    [
        (20, 20.0),
        (1.5, 1.5),
        ("90s", 90.0),
        ("1m30s", 90.0),
        ("2m", 120.0),
        ("1.5s", 1.5),
        ("1h", 3600.0),
        ("1m 30s", 90.0),
        (" 45s ", 45.0),
        ("0.5m", 30.0),
    ],
)
def test_durations_in_every_written_form(given_value: object, seconds: float) -> None:
    assert parse_duration(given_value) == seconds


@pytest.mark.parametrize("bad", ["", "s", "20 secs", "1m30", "30s1m", "ten", "1,5s", True, [1], {}])
def test_what_is_not_a_duration_is_refused(bad: object) -> None:
    with pytest.raises(DurationError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("1m70s", "2m10s"),
        ("1h75m", "2h15m"),
        ("1h70s", "1h1m10s"),
        ("0m60s", "1m"),
        ("1m70.5s", "2m10.5s"),
        ("-1m70s", "2m10s"),
    ],
)
def test_minutes_or_seconds_that_overflow_get_the_duration_meant(written: str, meant: str) -> None:
    with pytest.raises(DurationError, match=f'did you mean "{meant}"\\? \\(got "{written}"\\)'):
        parse_duration(written)


@pytest.mark.parametrize("written", ["90s", "75m", "1m59.999s", "1m05s", "1h59m59s", "0.5m"])
def test_a_lone_unit_or_one_under_60_is_fine(written: str) -> None:
    assert parse_duration(written) > 0


@given(
    units=st.lists(
        st.tuples(st.sampled_from(["h", "m", "s"]), st.integers(0, 130), st.sampled_from(["", ".5", ".25"])),
        min_size=1,
        max_size=3,
        unique_by=lambda t: t[0],
    ),
    zeros=st.sampled_from(["", "0", "00"]),
)
def test_the_editor_pattern_accepts_exactly_what_check_does(
    units: list[tuple[str, int, str]], zeros: str
) -> None:
    # The JSON Schema's pattern and parse_duration keep one rule between them.
    ordered = sorted(units, key=lambda u: "hms".index(u[0]))
    text = "".join(f"{zeros}{n}{frac}{unit}" for unit, n, frac in ordered)
    try:
        parse_duration(text)
        accepted = True
    except DurationError:
        accepted = False
    assert bool(re.match(DURATION_PATTERN, text)) == accepted, text


def test_a_quoted_number_gets_a_hint() -> None:
    with pytest.raises(DurationError, match=r'write 30 without quotes, or "30s"'):
        parse_duration("30")


@pytest.mark.parametrize(
    ("schedule", "base", "expected"),
    [
        # base + by * floor(i / every), clamped: the formula of docs/programs.md.
        ({"by": 5, "every": 2, "max": 30}, 20, [20, 20, 25, 25, 30, 30, 30]),
        ({"by": 1, "max": 4}, 2, [2, 3, 4, 4, 4, 4, 4]),
        ({"by": -2, "min": 2}, 6, [6, 4, 2, 2, 2, 2, 2]),
        ({"by": 0.5, "every": 3, "max": 10}, 1, [1, 1, 1, 1.5, 1.5, 1.5, 2]),
        # A base already past the cap is clamped to it (the loader refuses such a schedule).
        ({"by": 1, "max": 3}, 5, [3, 3, 3, 3, 3, 3, 3]),
    ],
)
def test_schedule_values(schedule: dict[str, float], base: float, expected: list[float]) -> None:
    s = Schedule.model_validate(schedule)
    assert [s.value(base, i) for i in range(7)] == expected


@given(
    base=st.integers(1, 100),
    by=st.integers(-10, 10).filter(bool),
    every=st.integers(1, 5),
    distance=st.integers(0, 50),
)
def test_steps_to_cap_is_where_the_value_first_stays_at_its_cap(
    base: int, by: int, every: int, distance: int
) -> None:
    cap = base + distance if by > 0 else max(1, base - distance)
    s = Schedule.model_validate({"by": by, "every": every, ("max" if by > 0 else "min"): cap})
    top = s.steps_to_cap(base)
    values = [s.value(base, i) for i in range(top + 3 * every + 1)]
    assert all(v == s.cap for v in values[top:])
    assert top == 0 or values[top - 1] != s.cap
    # The value moves monotonically towards its cap and never passes it.
    pairs = list(itertools.pairwise(values))
    assert all((b >= a) if by > 0 else (b <= a) for a, b in pairs)


@pytest.mark.parametrize(
    "bad",
    [
        {"by": 0, "max": 3},
        {"by": 1},
        {"by": 1, "min": 3},
        {"by": -1, "max": 3},
        {"by": 1, "max": 3, "every": 0},
        {"by": 1, "max": 3, "often": 2},
        {"by": "1", "max": 3},
    ],
)
def test_bad_schedules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Schedule.model_validate(bad)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("5-1-3", (5, 1, 3, 0)),
        ("4-6", (4, 0, 6, 0)),
        ("4-4-4-4", (4, 4, 4, 4)),
        ("4.5 - 0 - 6", (4.5, 0, 6, 0)),
    ],
)
def test_breath_patterns(text: str, parts: tuple[float, ...]) -> None:
    pattern = parse_breath(text)
    assert (pattern.inhale, pattern.pause, pattern.exhale, pattern.pause_out) == parts
    assert parse_breath(str(pattern)) == pattern


@pytest.mark.parametrize("bad", ["5", "5-1-3-1-1", "0-4", "4-0", "a-b", "", 5, "5--3"])
def test_bad_breath_patterns(bad: object) -> None:
    with pytest.raises(PydanticCustomError):
        parse_breath(bad)
