"""What only a program's resolved values show: a schedule that can never move its value, a
breathing rhythm longer than its hold, a session past the limits at some level. Errors stop the
program from loading; warnings are said by `check` and `plan`.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Protocol

from spasmtimer.base.text import as_written
from spasmtimer.program.problems import Problem, ProgramError
from spasmtimer.program.resolved import Breathe, Change, Program, Stretch
from spasmtimer.program.timeline import (
    LimitError,
    at_level,
    cap_level,
    change_levels,
    expand,
    measure,
    measure_at_extremes,
    scheduled_values,
)
from spasmtimer.program.tomlpos import KeyPath, Locations, Position

LIMIT_SEARCH_SECONDS = 0.5
"""How long `check` measures the levels between the extremes of schedules that pull in
opposite directions (see `_failing_level`)."""


class Report(Protocol):
    """Where the problems of one file are said: the file's name and the places in it."""

    shown: str

    @property
    def locations(self) -> Locations: ...

    def problem(self, at: Position, path: KeyPath, message: str) -> None: ...

    def warning(self, at: Position, path: KeyPath, message: str) -> None: ...


def check_schedules(
    report: Report, index: int, step: Stretch | Breathe, origin: Callable[[str], str]
) -> None:
    """A schedule must be able to move its value: its cap on the far side of the value it
    starts from, which the defaults may give (docs/programs.md, "Getting harder"). One that
    starts at its cap, or a ramp that `progress` carries past its cap, is legal but does
    nothing: a warning. Where a key is written is looked up only for a problem: finding it
    scans the file again, most of a valid program's first load."""
    for kind in ("progress", "ramp"):
        for key, schedule in getattr(step, kind):
            if schedule is None:
                continue
            base = getattr(step, key)
            bound = "max" if schedule.by > 0 else "min"
            where: KeyPath = ("steps", index, kind, key, bound)
            gap = (schedule.cap - base) * (1 if schedule.by > 0 else -1)
            moves = "grows" if schedule.by > 0 else "shrinks"
            if gap < -_SAME:
                side = "above" if schedule.by > 0 else "below"
                report.problem(
                    report.locations.value(where),
                    where,
                    f"must be {side} the `{key}` it {moves} from, "
                    f"{as_written(base)}{origin(key)} (got {as_written(schedule.cap)}): "
                    f"as written, `{key}` could never "
                    f"{'grow' if schedule.by > 0 else 'shrink'}",
                )
                continue
            if kind == "ramp":
                carried = _carried_past(step, key, schedule)
                if carried is not None:
                    level, reached = carried
                    unit = "rep" if isinstance(step, Stretch) else "cycle"
                    report.warning(
                        report.locations.value(where),
                        where,
                        f"`progress` takes `{key}` to {as_written(reached)}, "
                        f"past this `{bound}` ({as_written(schedule.cap)}): from level "
                        f"{level}, every {unit} stops at {as_written(schedule.cap)}",
                    )
                    continue
                if gap <= _SAME and _progress_moves_away(step, key, schedule):
                    continue  # the ramp moves at the levels where progress has moved
            if gap <= _SAME:
                report.warning(
                    report.locations.value(where),
                    where,
                    f"is already the `{key}` it {moves} from, "
                    f"{as_written(base)}{origin(key)}: this `{kind}` never changes it",
                )


def check_breath(report: Report, index: int, step: Stretch) -> None:
    """A breathing rhythm longer than the hold it rides on ends every hold mid-breath."""
    assert step.breath is not None
    hold, level = _shortest_hold(step)
    breath = step.breath.cycle_seconds
    if breath <= hold + _SAME:
        return
    where: KeyPath = ("steps", index, "breath")
    at_level = f" at level {level}" if level else ""
    report.warning(
        report.locations.value(where),
        where,
        f"one breath of {as_written(str(step.breath))} takes {as_written(breath)} s, "
        f"longer than the {as_written(hold)} s hold{at_level}: the hold ends before the "
        "breath does",
    )


_SAME = 1e-9
"""Values closer than this are the same value (durations are kept to the millisecond)."""


def _carried_past(step: Stretch | Breathe, key: str, ramp: Change) -> tuple[int, float] | None:
    """When `progress` moves ``key`` past the cap of its ``ramp``: the first level where it
    does, and how far progress takes it. Every rep or cycle then has the ramp's cap."""
    progress: Change | None = getattr(step.progress, key, None)
    if progress is None or (progress.by > 0) != (ramp.by > 0):
        return None
    base = getattr(step, key)
    direction = 1 if ramp.by > 0 else -1
    reached = progress.value(base, progress.steps_to_cap(base))
    if (reached - ramp.cap) * direction <= _SAME:
        return None
    k = max(0, math.floor((ramp.cap - base) / progress.by + _SAME))
    while (progress.value(base, k * progress.every) - ramp.cap) * direction <= _SAME:
        k += 1
    return k * progress.every, reached


def _progress_moves_away(step: Stretch | Breathe, key: str, ramp: Change) -> bool:
    progress: Change | None = getattr(step.progress, key, None)
    return progress is not None and (progress.by > 0) != (ramp.by > 0)


def _shortest_hold(step: Stretch) -> tuple[float, int]:
    """The shortest hold a stretch has, and the first level with it. Every value moves one
    way with the level and with the rep, so it is at level 0 or at the step's cap level, in
    its first rep or its last."""
    levels = [0] + [
        schedule.steps_to_cap(getattr(step, key))
        for key, schedule in step.progress
        if schedule is not None
    ]
    found: list[tuple[float, int]] = []
    for level in sorted(set(levels)):
        at = at_level(step, level)
        assert isinstance(at, Stretch)
        ramp = at.ramp.hold
        reps = (0, at.reps - 1)
        found += [(ramp.value(at.hold, r) if ramp else at.hold, level) for r in reps]
    return min(found, key=lambda f: (round(f[0], 3), f[1]))


def _failing_level(program: Program) -> int | None:
    """A level at which a session of ``program`` breaks the limits, or None.

    A session only grows as any progressed value grows. So if a session with every value at its
    own largest keeps the limits, every level does (most programs stop there). Otherwise the
    first level, the cap level and each value's own cap level are checked; when values move in
    opposite directions (longer holds, fewer reps) the session can peak in between, so the
    levels where something changes are then measured in order for as long as
    `LIMIT_SEARCH_SECONDS` allows. A level beyond that is still checked when a session is
    about to run at it.
    """
    try:
        measure_at_extremes(program)
        return None
    except LimitError:
        pass
    values = scheduled_values(program)
    deadline = time.monotonic() + LIMIT_SEARCH_SECONDS
    peaks = [0, cap_level(program), *sorted({v.cap_level for v in values})]
    opposing = len({v.schedule.by > 0 for v in values}) > 1
    between = change_levels(program) if opposing else iter(())
    for n, level in enumerate(dict.fromkeys(itertools.chain(peaks, between))):
        if n >= 2 and time.monotonic() > deadline:
            return None
        try:
            measure(program, level)
        except LimitError:
            return level
    return None


def check_limits(program: Program, root: Report) -> None:
    """Refuse a program whose session breaks the limits at a level it could run at."""
    level = _failing_level(program)
    if level is None:
        return
    top = cap_level(program)
    try:
        expand(program, level)
    except LimitError as e:
        if level == 0:
            when = ""
        elif level == top:
            when = f" at level {level}, where its progress reaches every cap,"
        else:
            when = f" at level {level},"
        at = root.locations.key(("steps",))
        message = f"too long:{when} {e} (see the limits in the README)"
        raise ProgramError([Problem(root.shown, at.line, at.col, "steps", message)]) from None
