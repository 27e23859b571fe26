"""Expand a resolved program, at a level, into the flat list of timed phases a session runs.

This is docs/programs.md, "The timeline", and nothing else: a pure
function of (program, level). The engine, the plain runner, ``plan`` and the app all read the
phases from here and never work them out themselves.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any, Literal

import msgspec
from msgspec.structs import asdict, replace

from spasmtimer.program.resolved import (
    MAX_PHASES,
    MAX_SESSION_SECONDS,
    Breathe,
    BreathPattern,
    Change,
    Program,
    ResolvedStep,
    Rest,
    Stretch,
)

PhaseKind = Literal["prepare", "hold", "switch", "rest", "inhale", "pause", "exhale", "pause_out"]

KIND_WORDS: dict[PhaseKind, str] = {
    "prepare": "get ready",
    "hold": "hold",
    "switch": "switch sides",
    "rest": "rest",
    "inhale": "breathe in",
    "pause": "hold the breath",
    "exhale": "breathe out",
    "pause_out": "hold, lungs empty",
}
"""What a person does during each kind of phase."""

PREPARE_NAME = "Get ready"
REST_NAME = "Rest"
"""The name of the rest between two steps (and between rounds)."""

# Values that must stay above zero: a scheduled value never rounds down to an empty phase.
_POSITIVE = frozenset({"hold", "inhale", "exhale"})
COUNTS = frozenset({"reps", "cycles"})
"""The scheduled values that are whole numbers rather than seconds."""


class LimitError(ValueError):
    """The expanded session breaks one of the format's limits (phases or total length)."""


class Phase(msgspec.Struct, frozen=True):
    """One timed stretch of a session: a hold, a switch, a rest, an inhale, ..."""

    kind: PhaseKind
    seconds: float
    name: str
    """The step's name (or "Get ready", or "Rest" between steps)."""
    side: str | None = None
    """For a hold, its side; for a switch, the side to switch to."""
    rep: int | None = None
    """1-based rep of a stretch's hold or switch."""
    cycle: int | None = None
    """1-based breathing cycle."""
    round: int = 1
    """1-based round of the whole step list."""
    rounds: int = 1
    """How many rounds the session has, for "round 2 of 3"."""
    step: int | None = None
    """0-based index of the step in the program; None for get-ready and rests between steps."""
    reps: int | None = None
    """How many reps the stretch has, for "rep 2 of 3"."""
    cycles: int | None = None
    """How many cycles the breathing drill has."""
    cue: str | None = None
    """The step's cue."""
    halfway: str | None = None
    """For a hold, what to say at its half."""
    breath: BreathPattern | None = None
    """For a hold, the breathing rhythm to keep during it."""
    figure: str | None = None
    """The figure that shows what to do: the step's, or during get-ready and the rest between
    two steps, the next step's (to get into position)."""
    mirrored: bool = False
    """The figure is shown mirrored: the phase is on a stretch's second side (or fourth...)."""

    def as_json(self, start: float) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "seconds": json_number(self.seconds),
            "start": json_number(start),
            "name": self.name,
            "side": self.side,
            "rep": self.rep,
            "cycle": self.cycle,
            "round": self.round,
            "rounds": self.rounds,
            "step": self.step,
            "reps": self.reps,
            "cycles": self.cycles,
            "cue": self.cue,
            "halfway": self.halfway,
            "breath": str(self.breath) if self.breath else None,
            "figure": self.figure,
        }


class Timeline(msgspec.Struct, frozen=True):
    """A program expanded at one level: every phase of the session, in order."""

    title: str
    level: int
    phases: tuple[Phase, ...]
    total_seconds: float

    def starts(self) -> list[float]:
        """When each phase starts, in seconds from the start of the session."""
        return [
            round(s, 3) for s in itertools.accumulate((p.seconds for p in self.phases), initial=0.0)
        ][:-1]

    def as_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "level": self.level,
            "total_seconds": json_number(self.total_seconds),
            "phases": [p.as_json(s) for p, s in zip(self.phases, self.starts(), strict=True)],
        }


def json_number(x: float) -> float | int:
    """Whole seconds as ints, so that JSON reads ``20`` rather than ``20.0``."""
    return int(x) if float(x).is_integer() else x


def _q(x: float) -> float:
    # Durations are kept to the millisecond; this also hides float noise such as 0.1 + 0.2.
    return round(x, 3)


def _scheduled(base: float, schedule: Change | None, i: int, key: str) -> float:
    if schedule is None:
        return base
    value = _q(schedule.value(base, i))
    return max(value, 0.001) if key in _POSITIVE else value


def at_level(step: ResolvedStep, level: int) -> ResolvedStep:
    """The step with its ``progress`` schedules applied at ``level``."""
    if isinstance(step, Rest):
        return step
    changes: dict[str, float | int] = {}
    for key, schedule in step.progress:
        if schedule is not None:
            value = _scheduled(getattr(step, key), schedule, level, key)
            changes[key] = int(value) if key in COUNTS else value
    return replace(step, **changes) if changes else step


class _Builder:
    """Collects phases, counting toward the limits as it goes."""

    def __init__(self, rounds: int = 1) -> None:
        self.rounds = rounds
        """How many rounds the session has: every phase says so."""
        self.phases: list[Phase] = []
        self.count = 0
        """Phases so far, each breath cued within a hold counted as one more."""
        self.breaths = 0
        self.total = 0.0

    def add(self, phase: Phase) -> None:
        if phase.seconds <= 0:
            return
        self.phases.append(phase)
        self.tally(1, phase.seconds, _breath_cues(phase))

    def tally(self, count: int, seconds: float, breaths: int = 0) -> None:
        self.count += count + breaths
        self.breaths += breaths
        self.total += seconds
        if self.count > MAX_PHASES:
            counting = " (counting each breath cued in a hold)" if self.breaths else ""
            raise LimitError(f"the session has more than {MAX_PHASES:,} phases{counting}")
        if self.total > MAX_SESSION_SECONDS + 1e-6:
            raise LimitError("the session lasts more than 6 hours")


def _breath_cues(phase: Phase) -> int:
    if phase.kind == "hold" and phase.breath is not None:
        return phase.breath.cue_count(phase.seconds)
    return 0


def _stretch(b: _Builder, s: Stretch, index: int, rnd: int) -> None:
    sides: tuple[str | None, ...] = s.sides or (None,)
    step = partial(
        Phase,
        name=s.name,
        round=rnd,
        rounds=b.rounds,
        step=index,
        reps=s.reps,
        cue=s.cue,
        figure=s.figure,
    )
    for r in range(s.reps):
        hold = _scheduled(s.hold, s.ramp.hold, r, "hold")
        switch = _scheduled(s.switch, s.ramp.switch, r, "switch")
        for n, side in enumerate(sides):
            mirrored = n % 2 == 1  # the figure as drawn for the first side, mirrored for the next
            if n:
                b.add(step(kind="switch", seconds=switch, side=side, rep=r + 1, mirrored=mirrored))
            b.add(
                step(
                    kind="hold",
                    seconds=hold,
                    side=side,
                    rep=r + 1,
                    halfway=s.halfway,
                    breath=s.breath,
                    mirrored=mirrored,
                )
            )
        if r < s.reps - 1:
            b.add(step(kind="rest", seconds=_scheduled(s.rest, s.ramp.rest, r, "rest")))


_BREATH_KINDS: tuple[PhaseKind, ...] = ("inhale", "pause", "exhale", "pause_out")


def _breathe(b: _Builder, s: Breathe, index: int, rnd: int) -> None:
    step = partial(
        Phase,
        name=s.name,
        round=rnd,
        rounds=b.rounds,
        step=index,
        cycles=s.cycles,
        cue=s.cue,
        figure=s.figure,
    )
    for c in range(s.cycles):
        for kind in _BREATH_KINDS:
            seconds = _scheduled(getattr(s, kind), getattr(s.ramp, kind), c, kind)
            b.add(step(kind=kind, seconds=seconds, cycle=c + 1))


def _session(
    program: Program, steps: list[ResolvedStep]
) -> Iterator[tuple[int, int, ResolvedStep, float]]:
    """The steps of a session in order, round after round: (round, index, step, the rest
    before it), the rest being 0 where none is due."""
    previous: ResolvedStep | None = None
    for rnd in range(1, program.rounds + 1):
        for index, step in enumerate(steps):
            rest = 0.0
            if not (previous is None or isinstance(previous, Rest) or isinstance(step, Rest)):
                rest = previous.rest_after
            yield rnd, index, step, rest
            previous = step


def _add_step(b: _Builder, step: ResolvedStep, index: int, rnd: int) -> None:
    if isinstance(step, Stretch):
        _stretch(b, step, index, rnd)
    elif isinstance(step, Breathe):
        _breathe(b, step, index, rnd)
    else:
        b.add(
            Phase(
                "rest",
                step.seconds,
                step.name,
                round=rnd,
                rounds=b.rounds,
                step=index,
                cue=step.cue,
                figure=step.figure,
            )
        )


def expand(program: Program, level: int = 0, held: Sequence[tuple[int, int]] = ()) -> Timeline:
    """The phases of one session of ``program`` at ``level``; a step ``held`` (its place from
    0, and a level) runs at that level, if it is lower.

    Raises `LimitError` if the session would break the format's limits at that level.
    """
    holds = dict(held)
    steps = [
        at_level(step, min(level, holds.get(index, level)))
        for index, step in enumerate(program.steps)
    ]
    return _expand(program, steps, level)


def _expand(program: Program, steps: list[ResolvedStep], level: int) -> Timeline:
    b = _Builder(program.rounds)
    # Getting ready, and resting between steps: the next step's figure, to get into position.
    first = steps[0].figure if steps else None
    b.add(Phase("prepare", program.prepare, PREPARE_NAME, rounds=program.rounds, figure=first))
    for rnd, index, step, rest in _session(program, steps):
        b.add(Phase("rest", rest, REST_NAME, round=rnd, rounds=program.rounds, figure=step.figure))
        _add_step(b, step, index, rnd)
    return Timeline(program.title, level, tuple(b.phases), _q(b.total))


# --- checking the limits at every level ---------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _measure_step(step: ResolvedStep) -> tuple[int, float, int]:
    """How many phases, seconds and breath cues one step adds to a session, as `_add_step`
    would make them (a phase of no time left out), without making them; raises `LimitError`
    if the step alone breaks a limit."""
    b = _Builder()

    def add(seconds: float, breath: BreathPattern | None = None) -> None:
        if seconds > 0:
            b.tally(1, seconds, breath.cue_count(seconds) if breath is not None else 0)

    if isinstance(step, Stretch):
        for r in range(step.reps):
            hold = _scheduled(step.hold, step.ramp.hold, r, "hold")
            switch = _scheduled(step.switch, step.ramp.switch, r, "switch")
            for n in range(len(step.sides or (None,))):
                if n:
                    add(switch)
                add(hold, step.breath)
            if r < step.reps - 1:
                add(_scheduled(step.rest, step.ramp.rest, r, "rest"))
    elif isinstance(step, Breathe):
        for c in range(step.cycles):
            for kind in _BREATH_KINDS:
                add(_scheduled(getattr(step, kind), getattr(step.ramp, kind), c, kind))
    else:
        add(step.seconds)
    return b.count - b.breaths, b.total, b.breaths


def measure(program: Program, level: int, held: Sequence[tuple[int, int]] = ()) -> float:
    """Raise `LimitError` if a session at ``level`` (with steps ``held``) breaks the limits, as
    `expand` would, but without making its phases: each step's share is remembered, and from
    one level to the next only the steps whose values change are measured again. Returns its
    length in seconds, as `expand` gives it (`Timeline.total_seconds`): all a library's list
    needs."""
    holds = dict(held)
    steps = [
        at_level(step, min(level, holds.get(index, level)))
        for index, step in enumerate(program.steps)
    ]
    return _measured(program, steps)


def _measured(program: Program, steps: list[ResolvedStep]) -> float:
    b = _Builder()
    b.tally(1 if program.prepare > 0 else 0, program.prepare)
    for _, _, step, rest in _session(program, steps):
        b.tally(1 if rest > 0 else 0, rest)
        b.tally(*_measure_step(step))
    return _q(b.total)


def with_first_length(program: Program) -> Program:
    """``program`` with its length at level 0 kept (`Program.first_length`), when it runs
    at level 0 at all."""
    try:
        return replace(program, first_length=measure(program, 0))
    except LimitError:
        return program


def length_at(program: Program, level: int, held: Sequence[tuple[int, int]] = ()) -> float:
    """`measure`, from the length the program keeps when it can: raises `LimitError` as it."""
    # At level 0 no step can be held lower; with no progression every level is level 0's.
    if program.first_length is not None and (level == 0 or cap_level(program) == 0):
        return program.first_length
    return measure(program, level, held)


def at_extremes(step: ResolvedStep) -> ResolvedStep:
    """The step with every ``progress`` value at the largest it takes at any level."""
    if isinstance(step, Rest):
        return step
    changes: dict[str, float | int] = {}
    for key, schedule in step.progress:
        if schedule is not None:
            base = getattr(step, key)
            top = _scheduled(base, schedule, schedule.steps_to_cap(base), key)
            value = max(base, top)
            changes[key] = int(value) if key in COUNTS else value
    return replace(step, **changes) if changes else step


def measure_at_extremes(program: Program) -> None:
    """Raise `LimitError` unless a session with every progressed value at its largest keeps
    the limits. A session only grows as any value grows, so if this one keeps them, every
    level does."""
    _measured(program, [at_extremes(step) for step in program.steps])


# --- progression across levels ------------------------------------------------------------


class Scheduled(msgspec.Struct, frozen=True):
    """One value that ``progress`` changes: a step's key."""

    step: int
    name: str
    key: str
    base: float
    schedule: Change

    def at(self, level: int) -> float:
        value = _scheduled(self.base, self.schedule, level, self.key)
        return int(value) if self.key in COUNTS else value

    @property
    def cap_level(self) -> int:
        return self.schedule.steps_to_cap(self.base)


def scheduled_values(program: Program) -> list[Scheduled]:
    """Every value of the program that changes with the level, in step order."""
    found = []
    for index, step in enumerate(program.steps):
        if isinstance(step, Rest):
            continue
        for key, schedule in step.progress:
            if schedule is not None:
                found.append(Scheduled(index, step.name, key, getattr(step, key), schedule))
    return found


def cap_level(program: Program) -> int:
    """The first level at which every ``progress`` value has reached its cap."""
    return max((s.cap_level for s in scheduled_values(program)), default=0)


def change_levels(program: Program) -> Iterator[int]:
    """Level 0, then every level at which some progressed value changes, up to the cap level."""
    runs = [range(0, s.cap_level + 1, s.schedule.every) for s in scheduled_values(program)]
    last = None
    for level in heapq.merge(range(1), *runs):
        if level != last:
            yield level
            last = level


PROGRESSION_ROWS = 60
"""At most this many levels are listed in a progression table."""


class ProgressedValue(msgspec.Struct, frozen=True):
    """One scheduled value at one level."""

    step: int
    """1-based, as the person counts steps."""
    name: str
    key: str
    value: float | int


class ProgressionRow(msgspec.Struct, frozen=True):
    """One level of a `Progression`: the values its schedules take there."""

    level: int
    total_seconds: float | None
    """The session's length at this level; None where it would break the limits."""
    values: tuple[ProgressedValue, ...]


class Progression(msgspec.Struct, frozen=True):
    """Each progressed value by level, at the levels where one changes, until all are capped."""

    cap_level: int
    rows: tuple[ProgressionRow, ...]

    @property
    def complete(self) -> bool:
        """Whether the rows reach the cap level (a long progression is cut short)."""
        return not self.rows or self.rows[-1].level == self.cap_level

    def as_json(self) -> dict[str, Any]:
        return {
            "cap_level": self.cap_level,
            "levels": [
                {
                    "level": row.level,
                    "total_seconds": None
                    if row.total_seconds is None
                    else json_number(row.total_seconds),
                    "values": [{**asdict(v), "value": json_number(v.value)} for v in row.values],
                }
                for row in self.rows
            ],
            "complete": self.complete,
        }


def progression(program: Program, limit: int = PROGRESSION_ROWS) -> Progression:
    """The progression of ``program``: its first ``limit`` levels where a value changes."""
    values = scheduled_values(program)
    rows = [
        progression_row(program, level, values)
        for level in itertools.islice(change_levels(program), limit)
    ]
    return Progression(cap_level(program), tuple(rows))


def progression_row(
    program: Program, level: int, values: list[Scheduled] | None = None
) -> ProgressionRow:
    """Each progressed value of ``program`` at ``level``, and the session's length there."""
    if values is None:
        values = scheduled_values(program)
    try:
        total: float | None = expand(program, level).total_seconds
    except LimitError:
        total = None  # this level breaks the limits: plan says so rather than fail
    values_at = tuple(ProgressedValue(v.step + 1, v.name, v.key, v.at(level)) for v in values)
    return ProgressionRow(level, total, values_at)
