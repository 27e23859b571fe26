"""The program file format: pydantic models of one TOML file.

The ``*File``/``*Step`` models describe exactly what one TOML file may say; every field is
optional where ``[defaults]`` or an including file can supply it. What the loader builds from
them once includes and the defaults cascade are resolved lives in
`spasmtimer.program.resolved`, free of pydantic: a program that has been loaded runs without
this module.

Field docstrings become the JSON Schema's descriptions (``spasmtimer schema``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from spasmtimer.base.text import CONTROL, as_written
from spasmtimer.program.durations import DURATION_PATTERN, NUMBER, DurationError, phase_seconds
from spasmtimer.program.figures.pose import FIGURE_NAME
from spasmtimer.program.resolved import (
    MAX_PHASE_SECONDS,
    MIN_BREATH_PART,
    BreathPattern,
    Change,
)

# --- scalar types -------------------------------------------------------------------------


def _phase_seconds(value: Any, *, allow_zero: bool) -> float:
    """`phase_seconds`, its refusal raised as pydantic's error so it is located in the file."""
    try:
        return phase_seconds(value, allow_zero=allow_zero)
    except DurationError as e:
        raise PydanticCustomError(e.kind, e.template, e.context) from None


def _positive_duration(value: Any) -> float:
    return _phase_seconds(value, allow_zero=False)


def _gap_duration(value: Any) -> float:
    return _phase_seconds(value, allow_zero=True)


def _duration_schema(*, allow_zero: bool) -> dict[str, Any]:
    # One schema for both forms rather than an `anyOf`: the number keywords hold only for
    # numbers and `pattern` only for text, and an editor can then name the one that failed.
    bound = {"minimum": 0} if allow_zero else {"exclusiveMinimum": 0}
    return {
        "type": ["number", "string"],
        **bound,
        "maximum": MAX_PHASE_SECONDS,
        "pattern": DURATION_PATTERN,
    }


Seconds = Annotated[
    float,
    BeforeValidator(_positive_duration),
    WithJsonSchema(_duration_schema(allow_zero=False)),
]
"""A duration greater than 0: a number of seconds or a string such as "1m30s"."""

GapSeconds = Annotated[
    float,
    BeforeValidator(_gap_duration),
    WithJsonSchema(_duration_schema(allow_zero=True)),
]
"""A duration that may be 0, which leaves its phase out."""


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError(
            "count_type", "must be a whole number (got {got})", {"got": as_written(value)}
        )
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError(
                "count_type", "must be a whole number (got {got})", {"got": as_written(value)}
            )
        value = int(value)
    count: int = value
    if count < 1:
        raise PydanticCustomError(
            "count_range", "must be 1 or more (got {got})", {"got": as_written(count)}
        )
    return count


Count = Annotated[int, BeforeValidator(_count), WithJsonSchema({"type": "integer", "minimum": 1})]
"""A whole number of at least 1 (reps, cycles, rounds)."""


def count_up_to(most: int) -> Any:
    """`Count`, and at most ``most``."""

    def at_most(count: int) -> int:
        if count > most:
            raise PydanticCustomError(
                "count_range", "must be {most} or fewer (got {got})", {"most": most, "got": count}
            )
        return count

    schema = {"type": "integer", "minimum": 1, "maximum": most}
    return Annotated[int, BeforeValidator(_count), AfterValidator(at_most), WithJsonSchema(schema)]


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PydanticCustomError(
            "number_type", "must be a number (got {got})", {"got": as_written(value)}
        )
    return float(value)


Number = Annotated[float, BeforeValidator(_number), WithJsonSchema({"type": "number"})]


def _no_control(value: str) -> str:
    """Text is shown on terminals: a control character in it could act on one (ESC sets the
    title or writes the clipboard), so it is refused, with where it is."""
    found = CONTROL.search(value)
    if found is not None:
        raise PydanticCustomError(
            "text_control",
            "must be plain text: it holds the control character U+{code} at character "
            "{at} ({got}); only newlines and tabs may appear",
            {
                "code": f"{ord(found.group()):04X}",
                "at": found.start() + 1,
                "got": as_written(value),
            },
        )
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            "text_type", "must be text in quotes (got {got})", {"got": as_written(value)}
        )
    if not value.strip():
        raise PydanticCustomError("text_empty", "must not be empty", {})
    return _no_control(value.strip())


Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "pattern": r"\S"})]
"""Non-empty text; surrounding whitespace is dropped."""


def _figure_name(value: Any) -> str:
    if not isinstance(value, str) or not re.match(FIGURE_NAME, value):
        raise PydanticCustomError(
            "figure_name",
            'must be a figure\'s name, such as "knee-to-chest": letters, digits, "-", "_" and '
            '"." (got {got})',
            {"got": as_written(value)},
        )
    return value


FigureName = Annotated[
    str, BeforeValidator(_figure_name), WithJsonSchema({"type": "string", "pattern": FIGURE_NAME})
]
"""The name of a figure (its file's stem), which shows the step's movement."""


def _sides(value: Any) -> tuple[str, ...]:
    if value == "both":
        return ("left", "right")
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(_no_control(v.strip()) for v in value)
    raise PydanticCustomError(
        "sides",
        'must be "both" or a list of side names such as ["left leg", "right leg"] (got {got}); '
        "leave it out for a one-sided stretch",
        {"got": as_written(value)},
    )


Sides = Annotated[
    tuple[str, ...],
    BeforeValidator(_sides),
    WithJsonSchema(
        {
            # "both", or a list: one schema for the two, as for durations.
            "type": ["string", "array"],
            "pattern": "^both$",
            "items": {"type": "string", "pattern": r"\S"},
            "minItems": 1,
        }
    ),
]


BREATH_PATTERN = rf"^\s*{NUMBER}(?:\s*-\s*{NUMBER}){{1,3}}\s*$"


def parse_breath(value: Any) -> BreathPattern:
    """``"5-1-3"`` (in, pause, out), ``"4-6"`` (in, out) or ``"4-4-4-4"`` (box breathing)."""
    if isinstance(value, BreathPattern):
        return value
    if not isinstance(value, str) or not re.match(BREATH_PATTERN, value):
        raise PydanticCustomError(
            "breath",
            'must be a breathing rhythm in seconds such as "5-1-3" (in, pause, out), "4-6" '
            '(in, out) or "4-4-4-4" (in, pause, out, pause) (got {got})',
            {"got": as_written(value)},
        )
    numbers = [float(n) for n in value.split("-")]
    if len(numbers) == 2:
        numbers = [numbers[0], 0.0, numbers[1]]
    inhale, pause, exhale, pause_out = [*numbers, 0.0][:4]
    if inhale <= 0 or exhale <= 0:
        raise PydanticCustomError(
            "breath",
            "needs an in-breath and an out-breath longer than 0 (got {got})",
            {"got": as_written(value)},
        )
    if any(0 < n < MIN_BREATH_PART for n in (inhale, pause, exhale, pause_out)):
        # Each part is cued: shorter ones would be a flood of cues, not a breath.
        raise PydanticCustomError(
            "breath",
            "each part of a breath must be at least {least} seconds, or 0 for a pause (got {got})",
            {"least": MIN_BREATH_PART, "got": as_written(value)},
        )
    return BreathPattern(inhale, pause, exhale, pause_out)


Breath = Annotated[
    BreathPattern,
    PlainValidator(parse_breath),
    WithJsonSchema({"type": "string", "pattern": BREATH_PATTERN}),
]


# --- schedules ----------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


def _schedule_json_schema(schema: dict[str, Any]) -> None:
    """The rules of `Schedule._cap_matches_direction` for an editor: a growing value needs
    `max` and no `min`, a shrinking one `min` and no `max`, and `by` moves at least 0.001.

    Written as ``if``/``then``/``else`` on `by`, each branch allowing only its own keys, so that
    an editor says "'min' was unexpected" or "\"max\" is a required property" (a ``oneOf``
    could only say that neither alternative matched), and says each thing once.
    """
    del schema["additionalProperties"]

    def only(*keys: str, **checks: Any) -> dict[str, Any]:
        properties = {key: checks.get(key, True) for key in keys}
        return {"properties": properties, "additionalProperties": False}

    def moving(by: dict[str, Any]) -> dict[str, Any]:
        return {"required": ["by"], "properties": {"by": {"type": "number", **by}}}

    schema["if"] = moving({"minimum": 0.001})
    schema["then"] = {**only("by", "every", "max"), "required": ["max"]}
    schema["else"] = {
        "if": moving({"maximum": -0.001}),
        "then": {**only("by", "every", "min"), "required": ["min"]},
        # `by` missing (already reported) or too small: "0 is less than the minimum of 0.001".
        "else": only("by", "every", "max", "min", by={"minimum": 0.001}),
    }


class Schedule(_Model):
    """How a value changes: ``base + by * floor(i / every)``, clamped to ``max`` (or ``min``).

    In ``ramp``, ``i`` is the 0-based rep or cycle within the session; in ``progress`` it is the
    program's level.
    """

    model_config = ConfigDict(json_schema_extra=_schedule_json_schema)

    by: Number
    """How much the value changes at each step; negative to decrease (then give `min`)."""
    every: Count = 1
    """How many reps, cycles or levels between changes."""
    max: Number | None = None
    """The cap for a growing value (`by` > 0)."""
    min: Number | None = None
    """The floor for a shrinking value (`by` < 0)."""

    @model_validator(mode="after")
    def _cap_matches_direction(self) -> Schedule:
        if abs(self.by) < 0.001:
            # Sessions are timed to the millisecond: a smaller step would never show.
            raise PydanticCustomError(
                "schedule",
                "`by` must be at least 0.001 either way (got {got})",
                {"got": as_written(self.by)},
            )
        if self.by > 0 and (self.max is None or self.min is not None):
            raise PydanticCustomError(
                "schedule", "a growing value (by > 0) needs `max`, its cap, and no `min`", {}
            )
        if self.by < 0 and (self.min is None or self.max is not None):
            raise PydanticCustomError(
                "schedule", "a shrinking value (by < 0) needs `min`, its floor, and no `max`", {}
            )
        return self

    def resolved(self) -> Change:
        """The schedule as the resolved program keeps it, where its arithmetic lives."""
        return Change(self.by, self.every, self.max, self.min)

    @property
    def cap(self) -> float:
        """The bound the value stops at."""
        return self.resolved().cap

    def value(self, base: float, i: int) -> float:
        """The scheduled value at index ``i`` (rep, cycle or level) from ``base``."""
        return self.resolved().value(base, i)

    def steps_to_cap(self, base: float) -> int:
        """The smallest ``i`` from which the value stays at its cap (0 if it starts there)."""
        return self.resolved().steps_to_cap(base)


def _bounds_check(
    schedule: Schedule, *, whole: bool, floor: float, floor_inclusive: bool, ceiling: float | None
) -> Schedule:
    values = {"by": schedule.by, "max": schedule.max, "min": schedule.min}
    if whole:
        for name, v in values.items():
            if v is not None and not float(v).is_integer():
                raise PydanticCustomError(
                    "schedule",
                    "`{name}` must be a whole number here (got {got})",
                    {"name": name, "got": as_written(v)},
                )
    cap = schedule.cap
    too_low = cap < floor or (cap == floor and not floor_inclusive)
    if too_low:
        bound = (
            f"{as_written(float(floor))} or more"
            if floor_inclusive
            else f"more than {as_written(float(floor))}"
        )
        which = "max" if schedule.by > 0 else "min"
        raise PydanticCustomError(
            "schedule",
            "`{which}` must be {bound} (got {got})",
            {"which": which, "bound": bound, "got": as_written(cap)},
        )
    if ceiling is not None and cap > ceiling:
        which = "max" if schedule.by > 0 else "min"
        raise PydanticCustomError(
            "schedule",
            "`{which}` must be at most 1 hour (3600 seconds) (got {got})",
            {"which": which, "got": as_written(cap)},
        )
    return schedule


def _count_schedule(s: Schedule) -> Schedule:
    return _bounds_check(s, whole=True, floor=1, floor_inclusive=True, ceiling=None)


def _duration_schedule(s: Schedule) -> Schedule:
    return _bounds_check(s, whole=False, floor=0, floor_inclusive=False, ceiling=MAX_PHASE_SECONDS)


def _gap_schedule(s: Schedule) -> Schedule:
    return _bounds_check(s, whole=False, floor=0, floor_inclusive=True, ceiling=MAX_PHASE_SECONDS)


# The same `Schedule`, held to the range of the value it schedules.
CountSchedule = Annotated[Schedule, AfterValidator(_count_schedule)]
DurationSchedule = Annotated[Schedule, AfterValidator(_duration_schedule)]
GapSchedule = Annotated[Schedule, AfterValidator(_gap_schedule)]


class StretchRamp(_Model):
    """Values of a stretch that change from rep to rep within one session."""

    hold: DurationSchedule | None = None
    """How the hold changes from rep to rep."""
    rest: GapSchedule | None = None
    """How the rest between reps changes from rep to rep."""
    switch: GapSchedule | None = None
    """How the pause to switch sides changes from rep to rep."""


class StretchProgress(_Model):
    """Values of a stretch that change with the program's level, session after session."""

    hold: DurationSchedule | None = None
    """How the hold grows with the level."""
    reps: CountSchedule | None = None
    """How the number of reps grows with the level."""
    rest: GapSchedule | None = None
    """How the rest between reps changes with the level."""
    switch: GapSchedule | None = None
    """How the pause to switch sides changes with the level."""


class BreatheRamp(_Model):
    """Values of a breathing drill that change from cycle to cycle within one session."""

    inhale: DurationSchedule | None = None
    """How the inhale changes from cycle to cycle."""
    pause: GapSchedule | None = None
    """How the hold after the inhale changes from cycle to cycle."""
    exhale: DurationSchedule | None = None
    """How the exhale changes from cycle to cycle."""
    pause_out: GapSchedule | None = None
    """How the hold after the exhale changes from cycle to cycle."""


class BreatheProgress(_Model):
    """Values of a breathing drill that change with the program's level, session after session."""

    inhale: DurationSchedule | None = None
    """How the inhale changes with the level."""
    pause: GapSchedule | None = None
    """How the hold after the inhale changes with the level."""
    exhale: DurationSchedule | None = None
    """How the exhale changes with the level."""
    pause_out: GapSchedule | None = None
    """How the hold after the exhale changes with the level."""
    cycles: CountSchedule | None = None
    """How the number of cycles grows with the level."""


# --- steps --------------------------------------------------------------------------------


class StretchStep(_Model):
    """A held stretch: `hold` seconds, `reps` times, on each of its `sides`."""

    type: Literal["stretch"]
    """Always "stretch"."""
    name: Text | None = None
    """What the stretch is called, shown large while it runs."""
    hold: Seconds | None = None
    """How long to hold each rep, in seconds or as "20s", "1m30s"."""
    reps: Count | None = None
    """How many times to hold it (on each side). Default 1."""
    sides: Sides | None = None
    """The sides to hold it on, in order: "both" (left, right) or a list of names. Leave out
    for a one-sided stretch."""
    switch: GapSeconds | None = None
    """Seconds to change sides between holds. Default 5; 0 leaves the pause out."""
    rest: GapSeconds | None = None
    """Seconds of rest between reps. Default 10; 0 leaves the rest out."""
    rest_after: GapSeconds | None = None
    """Seconds of rest before the next step. Default 10; 0 leaves the rest out."""
    cue: Text | None = None
    """What to do, shown when the stretch starts."""
    halfway: Text | None = None
    """A reminder given halfway through each hold."""
    figure: FigureName | None = None
    """The figure that shows the stretch: its start pose, then the pose held, mirrored for the
    other side (docs/figures.md)."""
    breath: Breath | None = None
    """A breathing rhythm to keep during each hold, such as "5-1-3" (in 5, pause 1, out 3):
    the session then also cues each breath in and out."""
    ramp: StretchRamp | None = None
    """Values that change from rep to rep within this session."""
    progress: StretchProgress | None = None
    """Values that change with the program's level, across sessions."""


class BreatheStep(_Model):
    """A breathing drill: inhale, pause, exhale, pause out, for a number of cycles."""

    type: Literal["breathe"]
    """Always "breathe"."""
    name: Text | None = None
    """What the drill is called."""
    inhale: Seconds | None = None
    """Seconds to breathe in."""
    pause: GapSeconds | None = None
    """Seconds to hold after breathing in. Default 0 (no pause)."""
    exhale: Seconds | None = None
    """Seconds to breathe out."""
    pause_out: GapSeconds | None = None
    """Seconds to hold after breathing out (box breathing). Default 0 (no pause)."""
    cycles: Count | None = None
    """How many breaths. Default 1."""
    rest_after: GapSeconds | None = None
    """Seconds of rest before the next step. Default 10; 0 leaves the rest out."""
    cue: Text | None = None
    """What to do or picture, shown when the drill starts."""
    figure: FigureName | None = None
    """The figure that shows the drill, moving with the breath (docs/figures.md)."""
    ramp: BreatheRamp | None = None
    """Values that change from cycle to cycle within this session."""
    progress: BreatheProgress | None = None
    """Values that change with the program's level, across sessions."""


class RestStep(_Model):
    """A plain rest of a fixed length."""

    type: Literal["rest"]
    """Always "rest"."""
    name: Text | None = None
    """What the rest is called. Default "Rest"."""
    seconds: Seconds
    """How long to rest."""
    cue: Text | None = None
    """What to do while resting."""
    figure: FigureName | None = None
    """The figure that shows what to do while resting (docs/figures.md)."""


class IncludeStep(_Model):
    """Inlines the steps of another program file."""

    include: Text
    """The path of the file whose steps to inline, relative to this file."""


STEP_MODELS: Mapping[str, type[_Model]] = {
    "stretch": StretchStep,
    "breathe": BreatheStep,
    "rest": RestStep,
    "include": IncludeStep,
}
STEP_TYPES = ("stretch", "breathe", "rest")


def _step_tag(value: Any) -> str | None:
    if isinstance(value, Mapping):
        if "include" in value and "type" not in value:
            return "include"
        kind = value.get("type")
        return kind if isinstance(kind, str) else None
    return getattr(value, "type", "include" if isinstance(value, IncludeStep) else None)


Step = Annotated[
    Annotated[StretchStep, Tag("stretch")]
    | Annotated[BreatheStep, Tag("breathe")]
    | Annotated[RestStep, Tag("rest")]
    | Annotated[IncludeStep, Tag("include")],
    Discriminator(_step_tag),
]


class Defaults(_Model):
    """Values every step of this file (and of the files it includes) uses unless it sets its own."""

    prepare: GapSeconds | None = None
    """Seconds of get-ready at the very start of the session. Default 5."""
    rounds: Count | None = None
    """How many times the whole step list runs. Default 1."""
    hold: Seconds | None = None
    """Hold for stretches that do not set one."""
    reps: Count | None = None
    """Reps for stretches. Default 1."""
    switch: GapSeconds | None = None
    """Seconds to change sides. Default 5."""
    rest: GapSeconds | None = None
    """Seconds of rest between reps. Default 10."""
    rest_after: GapSeconds | None = None
    """Seconds of rest between one step and the next, and between rounds. Default 10."""
    inhale: Seconds | None = None
    """Inhale for breathing drills that do not set one."""
    pause: GapSeconds | None = None
    """Hold after the inhale. Default 0."""
    exhale: Seconds | None = None
    """Exhale for breathing drills that do not set one."""
    pause_out: GapSeconds | None = None
    """Hold after the exhale. Default 0."""
    cycles: Count | None = None
    """Breaths per breathing drill. Default 1."""


# --- how often: a course's item, or what a program suggests -------------------------------

MOST_A_DAY = 24
MOST_A_WEEK = 7 * MOST_A_DAY
TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time(value: Any) -> dt.time:
    if not isinstance(value, str) or not re.match(TIME, value):
        raise PydanticCustomError(
            "time",
            'must be a time of day in quotes, 24-hour, such as "08:00" or "18:30" (got {got})',
            {"got": as_written(value)},
        )
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


TimeOfDay = Annotated[
    dt.time, BeforeValidator(_time), WithJsonSchema({"type": "string", "pattern": TIME})
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Frequency(_Model):
    """How often a program is to be done: so many sessions a day or a week, at times of day."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["per_day"]}, {"required": ["per_week"]}]}
    )

    per_day: count_up_to(MOST_A_DAY) | None = None  # type: ignore[valid-type]
    """Sessions a day."""
    per_week: count_up_to(MOST_A_WEEK) | None = None  # type: ignore[valid-type]
    """Sessions a week (Monday to Sunday); at most one is due on a day until they are done."""
    at: list[TimeOfDay] = []
    """When, in the day, the reminders and the calendar place the sessions: "08:00", ..."""
    days: list[Weekday] = []
    """On which days of the week: a per-day item is due on those only (default: every day); a
    per-week item is placed on them by the calendar (default: spread over the week)."""

    @model_validator(mode="after")
    def _one_frequency(self) -> Frequency:
        if (self.per_day is None) == (self.per_week is None):
            raise PydanticCustomError(
                "frequency",
                "give how often: either per_day = N or per_week = N, not both",
                {},
            )
        if self.per_day is not None and len(self.at) > self.per_day:
            raise PydanticCustomError(
                "frequency",
                "gives {times} times in `at` for {count} a day: give at most one a session",
                {"times": len(self.at), "count": self.per_day},
            )
        if len(set(self.at)) != len(self.at) or len(set(self.days)) != len(self.days):
            raise PydanticCustomError("frequency", "gives one time or day twice", {})
        return self


# --- the file -----------------------------------------------------------------------------


class ProgramFile(_Model):
    """A spasmtimer program: a sequence of stretches, breathing drills and rests."""

    model_config = ConfigDict(title="spasmtimer program")

    title: Text | None = None
    """The program's title. Default: the file's name."""
    summary: Text | None = None
    """One or two sentences on what the program is for."""
    tags: list[Text] = []
    """Words to find the program by, such as "acute" or "breathing"."""
    caution: Text | None = None
    """A safety note shown before the session starts; the session waits for Enter."""
    rounds: Count | None = None
    """How many times the whole step list runs. Default 1."""
    prepare: GapSeconds | None = None
    """Seconds of get-ready at the very start of the session (same as `defaults.prepare`)."""
    defaults: Defaults = Defaults()
    """Values for every step that does not set its own."""
    suggest: Frequency | None = None
    """How often the program is meant to be done, as `spasmtimer new --course` writes it into
    a course: { per_day = 2, at = ["08:00", "18:00"] }."""
    steps: list[Step] = Field(min_length=1)
    """The steps, in order: each a stretch, a breathing drill, a rest, or an include."""
