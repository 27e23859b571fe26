"""The resolved program: what the loader makes of the files once includes and defaults are worked
out, as frozen records (`msgspec.Struct`) in which every value is concrete.

Kept apart from `spasmtimer.program.model`, which describes what a file may say with pydantic: this
module needs nothing but the standard library and msgspec, so everything downstream of the
loader — the timeline, the engine, the app, and a program read back from the cache
(`program_cache`) — runs without importing pydantic (some 150 ms, with its models).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import ClassVar, Literal

import msgspec

from spasmtimer.program.figures.pose import Figure
from spasmtimer.program.problems import Problem

MAX_PHASE_SECONDS = 3600
"""One phase may last at most an hour."""
MAX_SESSION_SECONDS = 6 * 3600
"""A whole session may last at most six hours."""
MAX_PHASES = 10_000
"""A session may have at most this many phases."""
MAX_INCLUDE_DEPTH = 4
"""How deeply includes may nest (a file that includes a file ... four times)."""
MIN_BREATH_PART = 0.5
"""The shortest part of a `breath` rhythm, in seconds: each part is a cue of its own."""
MAX_FILE_BYTES = 1024 * 1024
"""Larger program files are refused: the largest valid program (10,000 phases) fits in far
less."""

BUILTIN_DEFAULTS: Mapping[str, float] = {
    "prepare": 5,
    "switch": 5,
    "rest": 10,
    "rest_after": 10,
    "reps": 1,
    "cycles": 1,
    "pause": 0,
    "pause_out": 0,
    "rounds": 1,
}
"""Values used when neither a step nor any ``[defaults]`` table gives one (docs/programs.md,
"The keys")."""


# --- breathing ----------------------------------------------------------------------------

BreathPart = Literal["inhale", "pause", "exhale", "pause_out"]


class BreathPattern(msgspec.Struct, frozen=True):
    """A breathing rhythm kept during a hold: ``"5-1-3"`` is in 5, pause 1, out 3."""

    inhale: float
    pause: float
    exhale: float
    pause_out: float

    def parts(self) -> tuple[tuple[BreathPart, float], ...]:
        return (
            ("inhale", self.inhale),
            ("pause", self.pause),
            ("exhale", self.exhale),
            ("pause_out", self.pause_out),
        )

    @property
    def cycle_seconds(self) -> float:
        return self.inhale + self.pause + self.exhale + self.pause_out

    def starts(self) -> tuple[tuple[float, BreathPart, float], ...]:
        """Each part that lasts, with its offset in the cycle: (offset, part, seconds)."""
        out, offset = [], 0.0
        for part, seconds in self.parts():
            if seconds > 0:
                out.append((offset, part, seconds))
                offset += seconds
        return tuple(out)

    def cue_count(self, hold: float) -> int:
        """How many breaths are cued in a hold of ``hold`` seconds (see `cue_offsets`)."""
        cycle = self.cycle_seconds
        return sum(
            max(0, math.ceil((hold - _CUE_EPSILON - offset) / cycle))
            for offset, _, _ in self.starts()
        )

    def cue_offsets(
        self, hold: float, after: float = -math.inf, until: float = math.inf
    ) -> list[tuple[float, BreathPart]]:
        """The breaths cued in a hold of ``hold`` seconds, as (offset into the hold, part),
        only those with ``after < offset <= until``: in order, and without walking the hold
        from its start, so that a window of an hour-long hold costs what the window holds."""
        cycle = self.cycle_seconds
        end = min(until, hold - _CUE_EPSILON)
        first = max(0, math.floor(after / cycle)) if after > 0 else 0
        found = []
        k = first
        while k * cycle <= end:
            for offset, part, _ in self.starts():
                at = k * cycle + offset
                if after < at <= end and at < hold - _CUE_EPSILON:
                    found.append((at, part))
            k += 1
        return found

    def __str__(self) -> str:
        numbers = [self.inhale, self.pause, self.exhale, self.pause_out]
        if self.pause_out == 0:
            numbers.pop()
            if self.pause == 0:
                numbers.pop(1)
        return "-".join(f"{n:g}" for n in numbers)


_CUE_EPSILON = 1e-9
"""A breath starting this close to the end of its hold is not cued: the hold is over."""


# --- schedules ----------------------------------------------------------------------------


class Change(msgspec.Struct, frozen=True):
    """A validated schedule (`spasmtimer.program.model.Schedule`): how a value changes,
    ``base + by * floor(i / every)``, clamped to ``max`` (or ``min``).

    In ``ramp``, ``i`` is the 0-based rep or cycle within the session; in ``progress`` it is the
    program's level. The loader only makes one whose cap is on the side it moves to.
    """

    by: float
    every: int = 1
    max: float | None = None
    min: float | None = None

    @property
    def cap(self) -> float:
        """The bound the value stops at."""
        bound = self.max if self.by > 0 else self.min
        assert bound is not None  # guaranteed by the validation
        return bound

    def value(self, base: float, i: int) -> float:
        """The scheduled value at index ``i`` (rep, cycle or level) from ``base``."""
        raw = base + self.by * (i // self.every)
        return min(raw, self.cap) if self.by > 0 else max(raw, self.cap)

    def steps_to_cap(self, base: float) -> int:
        """The smallest ``i`` from which the value stays at its cap (0 if it starts there)."""
        distance = (self.cap - base) / self.by
        if distance <= 0:
            return 0
        return math.ceil(distance - 1e-9) * self.every


class _Changes:
    """Iterates as a pydantic model does, ``(key, change or None)`` for each key in order, so
    that code walks a step's ``ramp`` or ``progress`` the same way whatever it schedules."""

    __slots__ = ()
    KEYS: ClassVar[tuple[str, ...]] = ()

    def __iter__(self) -> Iterator[tuple[str, Change | None]]:
        for key in self.KEYS:
            yield key, getattr(self, key)


class StretchChanges(msgspec.Struct, _Changes, frozen=True):
    """A stretch's ``ramp`` (rep to rep: hold, rest, switch) or ``progress`` (level to level:
    reps as well)."""

    hold: Change | None = None
    reps: Change | None = None
    rest: Change | None = None
    switch: Change | None = None
    KEYS: ClassVar[tuple[str, ...]] = ("hold", "reps", "rest", "switch")


class BreatheChanges(msgspec.Struct, _Changes, frozen=True):
    """A breathing drill's ``ramp`` (cycle to cycle) or ``progress`` (level to level: cycles
    as well)."""

    inhale: Change | None = None
    pause: Change | None = None
    exhale: Change | None = None
    pause_out: Change | None = None
    cycles: Change | None = None
    KEYS: ClassVar[tuple[str, ...]] = ("inhale", "pause", "exhale", "pause_out", "cycles")


NO_STRETCH_CHANGES = StretchChanges()
NO_BREATHE_CHANGES = BreatheChanges()


# --- steps and the program ----------------------------------------------------------------


class Stretch(msgspec.Struct, frozen=True):
    """A stretch step, every default filled in and every duration in seconds."""

    name: str
    hold: float
    reps: int
    sides: tuple[str, ...] | None
    switch: float
    rest: float
    rest_after: float
    cue: str | None
    halfway: str | None
    breath: BreathPattern | None
    ramp: StretchChanges
    progress: StretchChanges
    source: Path
    figure: str | None = None


class Breathe(msgspec.Struct, frozen=True):
    """A breathing step, its pattern resolved, every duration in seconds."""

    name: str
    inhale: float
    pause: float
    exhale: float
    pause_out: float
    cycles: int
    rest_after: float
    cue: str | None
    ramp: BreatheChanges
    progress: BreatheChanges
    source: Path
    figure: str | None = None


class Rest(msgspec.Struct, frozen=True):
    """A rest step between others, in seconds."""

    name: str
    seconds: float
    cue: str | None
    source: Path
    figure: str | None = None


ResolvedStep = Stretch | Breathe | Rest


class Suggestion(msgspec.Struct, frozen=True):
    """How often a program is meant to be done (its ``suggest``), as the file wrote it: what
    `spasmtimer new --course` writes into a course's item."""

    per_day: int | None = None
    per_week: int | None = None
    at: tuple[str, ...] = ()
    days: tuple[str, ...] = ()


class Program(msgspec.Struct, frozen=True):
    """A program with its includes inlined and every value resolved."""

    title: str
    summary: str | None
    tags: tuple[str, ...]
    caution: str | None
    rounds: int
    prepare: float
    steps: tuple[ResolvedStep, ...]
    path: Path
    files: tuple[Path, ...] = ()
    """Every file the program was read from: the program itself, then its includes."""
    warnings: tuple[Problem, ...] = ()
    """What is legal but almost surely not meant, located: `check` and `plan` say it."""
    suggest: Suggestion | None = None
    figures: tuple[Figure, ...] = ()
    """The figures its steps name, loaded with it (so that a program from the cache needs no
    figure file read)."""
    first_length: float | None = None
    """Its length in seconds at level 0, measured as it is loaded and kept with it: most of
    a library of hundreds is never run, and is listed at level 0 without measuring each."""

    def figure(self, name: str | None) -> Figure | None:
        """The figure called ``name`` that the program's steps name, if any."""
        return next((f for f in self.figures if f.name == name), None)
