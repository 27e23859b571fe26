"""Read a TOML program file into a resolved `Program`, or say exactly what is wrong with it.

Every problem is reported as ``FILE:LINE:COL: key.path: message``: TOML syntax errors, pydantic's
validation errors (mapped back to the line of the offending key or table), unknown keys (with a
"did you mean"), missing or cyclic includes, and the session limits. All problems in a program
and in the files it includes are collected, so one ``check`` shows them all.
"""

from __future__ import annotations

import difflib
import itertools
import math
import os
import re
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from spasmtimer.base.files import FileRead, FileRefused, read_regular, real_path
from spasmtimer.base.text import as_written, printable, toml_key
from spasmtimer.program.model import (
    STEP_MODELS,
    STEP_TYPES,
    BreatheProgress,
    BreatheRamp,
    BreatheStep,
    Defaults,
    IncludeStep,
    ProgramFile,
    RestStep,
    StretchProgress,
    StretchRamp,
    StretchStep,
)
from spasmtimer.program.problems import Problem, ProgramError, Severity, key_path
from spasmtimer.program.resolved import (
    BUILTIN_DEFAULTS,
    MAX_FILE_BYTES,
    MAX_INCLUDE_DEPTH,
    NO_BREATHE_CHANGES,
    NO_STRETCH_CHANGES,
    Breathe,
    BreatheChanges,
    Change,
    Program,
    ResolvedStep,
    Rest,
    Stretch,
    StretchChanges,
)
from spasmtimer.program.timeline import (
    LimitError,
    at_level,
    cap_level,
    change_levels,
    expand,
    expand_at_extremes,
    measure,
    scheduled_values,
)
from spasmtimer.program.tomlpos import KeyPath, Locations, Position, locate

LIMIT_SEARCH_SECONDS = 0.5
"""How long `check` measures the levels between the extremes of schedules that pull in
opposite directions (see `_failing_level`)."""

_STEP_NAMES = {"stretch": "Stretch", "breathe": "Breathing", "rest": "Rest"}
_REQUIRED = {
    "stretch": {"hold": "how long to hold each rep, e.g. hold = 20"},
    "breathe": {
        "inhale": "seconds to breathe in, e.g. inhale = 5",
        "exhale": "seconds to breathe out, e.g. exhale = 3",
    },
}


@dataclass
class _File:
    """One program file, read and validated."""

    path: Path
    shown: str
    text: str
    model: ProgramFile

    @cached_property
    def locations(self) -> Locations:
        return locate(self.text)


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.files: dict[Path, _File | None] = {}
        self.included_from: dict[str, tuple[str, ...]] = {}
        """How each file being read was reached: the `include` sites, the nearest first. Set
        at each include, so a file included twice is placed by the include being resolved."""
        self.opened: list[tuple[Path, Path]] = []
        """Every path a file was asked for by, and the real path it led to, in order: a file
        included twice, by two names, is read once but reached by both."""
        self.raw: dict[Path, bytes] = {}
        """The bytes each real path read gave, exactly as they were parsed."""

    def problem(self, shown: str, at: Position, path: KeyPath, message: str) -> None:
        self.problems.append(self._located(shown, at, path, message, "error"))

    def warning(self, shown: str, at: Position, path: KeyPath, message: str) -> None:
        self.warnings.append(self._located(shown, at, path, message, "warning"))

    def _located(
        self, shown: str, at: Position, path: KeyPath, message: str, severity: Severity
    ) -> Problem:
        return Problem(
            shown,
            at.line,
            at.col,
            key_path(path),
            message,
            severity=severity,
            included_from=self.included_from.get(shown, ()),
        )

    # -- reading one file
    def read(
        self, path: Path, shown: str, site: tuple[str, Position, KeyPath] | None
    ) -> _File | None:
        real = real_path(path)
        self.opened.append((path, real))
        if real in self.files:
            return self.files[real]
        self.files[real] = None
        text = self._text(path, real, shown, site)
        if text is None:
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            line, col, message = _syntax_error(e, text)
            self.problem(shown, Position(line, col), (), message)
            return None
        except (RecursionError, ValueError) as e:
            # tomllib gives up on arrays or tables nested hundreds deep, and on integers of
            # thousands of digits, with errors that carry no position.
            reason = "tables or arrays nested too deeply" if isinstance(e, RecursionError) else e
            self.problem(shown, Position(1, 1), (), f"cannot be read as TOML: {reason}")
            return None
        if not data:
            self.problem(
                shown,
                Position(1, 1),
                (),
                "has no program in it: add a title and at least one [[steps]] table",
            )
            return None
        try:
            model = ProgramFile.model_validate(data)
        except ValidationError as e:
            locations = locate(text)
            for error in e.errors(include_url=False):
                self._validation_problem(shown, locations, data, error)
            return None
        loaded = _File(path, shown, text, model)
        self.files[real] = loaded
        return loaded

    def _text(
        self, path: Path, real: Path, shown: str, site: tuple[str, Position, KeyPath] | None
    ) -> str | None:
        # A problem at a known place in the file is reported there; one with the file as a whole
        # where it was included, or at its first line.
        def fail(message: str, at: Position | None = None) -> None:
            if site is None or at is not None:
                self.problem(shown, at or Position(1, 1), (), message)
            else:
                self.problem(site[0], site[1], site[2], f"{shown}: {message}")

        try:
            raw = read_regular(path, MAX_FILE_BYTES, "program file")
        except FileRefused as e:
            fail(str(e))
            return None
        self.raw[real] = raw
        if not raw.strip():
            fail("is empty: a program needs at least one [[steps]] table")
            return None
        raw = raw.removeprefix(b"\xef\xbb\xbf")
        if b"\0" in raw:
            fail("is a binary file, not a TOML program", _byte_position(raw, raw.index(b"\0")))
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            fail(
                f"is not UTF-8 text (byte 0x{raw[e.start]:02x}); save it as UTF-8",
                _byte_position(raw, e.start),
            )
            return None

    def _validation_problem(
        self, shown: str, locations: Locations, data: dict[str, Any], error: Any
    ) -> None:
        loc: tuple[str | int, ...] = tuple(error["loc"])
        kind: str = error["type"]
        path = _strip_tags(loc)
        if kind == "extra_forbidden":
            self.problem(shown, locations.key(path), path, _unknown_key(loc))
        elif kind == "missing":
            parent = path[:-1]
            self.problem(shown, locations.key(parent), path, f"missing `{path[-1]}`{_hint(path)}")
        elif kind == "union_tag_invalid":
            given = _get(data, (*path, "type"))
            close = difflib.get_close_matches(str(given), STEP_TYPES, n=1)
            suggestion = f' (did you mean "{close[0]}"?)' if close else ""
            self.problem(
                shown,
                locations.value((*path, "type")),
                (*path, "type"),
                f"unknown step type {as_written(given)}{suggestion}: use "
                '"stretch", "breathe" or "rest", or include = "file.toml"',
            )
        elif kind == "union_tag_not_found":
            given = _get(data, path)
            if isinstance(given, dict):
                message = (
                    'a step needs type = "stretch", "breathe" or "rest", or include = "file.toml"'
                )
                known = {str(k) for model in STEP_MODELS.values() for k in model.model_fields}
                for key in given:
                    if key in known:  # `cue` is not a misspelt `include`
                        continue
                    close = difflib.get_close_matches(str(key), ["type", "include"], n=1)
                    if close:  # typ = "rest", includes = "x.toml"
                        self.problem(
                            shown,
                            locations.key((*path, key)),
                            (*path, key),
                            f"unknown key `{toml_key(str(key))}` (did you mean `{close[0]}`?)",
                        )
                        return
                # The type line left out: say which kind the keys there are fit for.
                fits = [t for t in STEP_TYPES if set(given) <= set(STEP_MODELS[t].model_fields)]
                if len(fits) == 1:
                    message += f' (its keys fit type = "{fits[0]}")'
            else:
                message = f"must be a table, such as a [[steps]] table (got {as_written(given)})"
            self.problem(shown, locations.key(path), path, message)
        else:
            self.problem(shown, locations.value(path), path, _message(kind, error, loc))

    # -- resolving steps
    def steps(
        self, file: _File, chain: tuple[Path, ...], defaults: tuple[Defaults, ...]
    ) -> list[ResolvedStep]:
        resolved: list[ResolvedStep] = []
        for index, step in enumerate(file.model.steps):
            if isinstance(step, IncludeStep):
                resolved.extend(self._include(file, index, step, chain, defaults))
                continue
            made = self._resolve(file, index, step, defaults)
            if made is not None:
                resolved.append(made)
        return resolved

    def _include(
        self,
        file: _File,
        index: int,
        step: IncludeStep,
        chain: tuple[Path, ...],
        defaults: tuple[Defaults, ...],
    ) -> list[ResolvedStep]:
        where: KeyPath = ("steps", index, "include")
        at = file.locations.value(where)
        target = file.path.parent / step.include
        shown = os.path.normpath(os.path.join(os.path.dirname(file.shown), step.include))
        real = real_path(target)
        if real in chain:
            names = [*(p.name for p in chain[chain.index(real) :]), target.name]
            self.problem(file.shown, at, where, "include cycle: " + " -> ".join(names))
            return []
        if len(chain) > MAX_INCLUDE_DEPTH:
            self.problem(
                file.shown,
                at,
                where,
                f"includes may nest at most {MAX_INCLUDE_DEPTH} deep, and this one would be deeper",
            )
            return []
        site = f"{file.shown}:{at.line}:{at.col}"
        self.included_from[shown] = (site, *self.included_from.get(file.shown, ()))
        included = self.read(target, shown, (file.shown, at, where))
        if included is None:
            return []
        return self.steps(included, (*chain, real), (included.model.defaults, *defaults))

    def _resolve(
        self,
        file: _File,
        index: int,
        step: StretchStep | BreatheStep | RestStep,
        defaults: tuple[Defaults, ...],
    ) -> ResolvedStep | None:
        def pick(key: str) -> Any:
            value = getattr(step, key, None)
            if value is not None:
                return value
            for table in defaults:
                value = getattr(table, key, None)
                if value is not None:
                    return value
            return BUILTIN_DEFAULTS.get(key)

        def origin(key: str) -> str:
            """Where the value of ``key`` comes from, when the step does not say it."""
            if getattr(step, key, None) is not None:
                return ""
            for n, table in enumerate(defaults):
                if getattr(table, key, None) is not None:
                    return " from [defaults]" if n == 0 else " from an including file's [defaults]"
            return ", the default"

        missing = [key for key in _REQUIRED.get(step.type, {}) if pick(key) is None]
        for key in missing:
            self.problem(
                file.shown,
                file.locations.key(("steps", index)),
                ("steps", index),
                f"missing `{key}`: {_REQUIRED[step.type][key]}",
            )
        if missing:
            return None
        name = step.name or _STEP_NAMES[step.type]
        if isinstance(step, RestStep):
            return Rest(name, step.seconds, step.cue, file.path)
        resolved: Stretch | Breathe
        if isinstance(step, StretchStep):
            resolved = Stretch(
                name=name,
                hold=pick("hold"),
                reps=pick("reps"),
                sides=step.sides,
                switch=pick("switch"),
                rest=pick("rest"),
                rest_after=pick("rest_after"),
                cue=step.cue,
                halfway=step.halfway,
                breath=step.breath,
                ramp=_stretch_changes(step.ramp),
                progress=_stretch_changes(step.progress),
                source=file.path,
            )
        else:
            resolved = Breathe(
                name=name,
                inhale=pick("inhale"),
                pause=pick("pause"),
                exhale=pick("exhale"),
                pause_out=pick("pause_out"),
                cycles=pick("cycles"),
                rest_after=pick("rest_after"),
                cue=step.cue,
                ramp=_breathe_changes(step.ramp),
                progress=_breathe_changes(step.progress),
                source=file.path,
            )
        self._check_schedules(file, index, resolved, origin)
        if isinstance(resolved, Stretch) and resolved.breath is not None:
            self._check_breath(file, index, resolved)
        return resolved

    # -- what only the resolved values show
    def _check_schedules(
        self, file: _File, index: int, step: Stretch | Breathe, origin: Callable[[str], str]
    ) -> None:
        """A schedule must be able to move its value: its cap on the far side of the value it
        starts from (SPEC 4), which the defaults may give. One that starts at its cap, or a
        ramp that `progress` carries past its cap, is legal but does nothing: a warning."""
        for kind in ("progress", "ramp"):
            for key, schedule in getattr(step, kind):
                if schedule is None:
                    continue
                base = getattr(step, key)
                bound = "max" if schedule.by > 0 else "min"
                where: KeyPath = ("steps", index, kind, key, bound)
                at = file.locations.value(where)
                gap = (schedule.cap - base) * (1 if schedule.by > 0 else -1)
                moves = "grows" if schedule.by > 0 else "shrinks"
                if gap < -_SAME:
                    side = "above" if schedule.by > 0 else "below"
                    self.problem(
                        file.shown,
                        at,
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
                        self.warning(
                            file.shown,
                            at,
                            where,
                            f"`progress` takes `{key}` to {as_written(reached)}, "
                            f"past this `{bound}` ({as_written(schedule.cap)}): from level "
                            f"{level}, every {unit} stops at {as_written(schedule.cap)}",
                        )
                        continue
                    if gap <= _SAME and _progress_moves_away(step, key, schedule):
                        continue  # the ramp moves at the levels where progress has moved
                if gap <= _SAME:
                    self.warning(
                        file.shown,
                        at,
                        where,
                        f"is already the `{key}` it {moves} from, "
                        f"{as_written(base)}{origin(key)}: this `{kind}` never changes it",
                    )

    def _check_breath(self, file: _File, index: int, step: Stretch) -> None:
        """A breathing rhythm longer than the hold it rides on ends every hold mid-breath."""
        assert step.breath is not None
        hold, level = _shortest_hold(step)
        breath = step.breath.cycle_seconds
        if breath <= hold + _SAME:
            return
        where: KeyPath = ("steps", index, "breath")
        at_level = f" at level {level}" if level else ""
        self.warning(
            file.shown,
            file.locations.value(where),
            where,
            f"one breath of {as_written(str(step.breath))} takes {as_written(breath)} s, "
            f"longer than the {as_written(hold)} s hold{at_level}: the hold ends before the "
            "breath does",
        )


_SAME = 1e-9
"""Values closer than this are the same value (durations are kept to the millisecond)."""


def _stretch_changes(model: StretchRamp | StretchProgress | None) -> StretchChanges:
    """A stretch's validated ``ramp`` or ``progress`` as the resolved program keeps it (shared
    when empty, as most are: one per step is measurable at 10,000 steps)."""
    found = {key: s.resolved() for key, s in model or () if s is not None}
    return StretchChanges(**found) if found else NO_STRETCH_CHANGES


def _breathe_changes(model: BreatheRamp | BreatheProgress | None) -> BreatheChanges:
    """A breathing drill's ``ramp`` or ``progress``, as `_stretch_changes`."""
    found = {key: s.resolved() for key, s in model or () if s is not None}
    return BreatheChanges(**found) if found else NO_BREATHE_CHANGES


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


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def load_program(
    path: Path | str, *, shown: str | None = None, default_prepare: float | None = None
) -> Program:
    """Load, validate and resolve the program at ``path``.

    ``shown`` is how to name the file in messages (default: the path as given);
    ``default_prepare`` replaces the built-in get-ready time for programs that set none (the
    user's setting). Raises `ProgramError` listing every problem; never returns a program that
    cannot be run at level 0.
    """
    return read_program(path, shown=shown, default_prepare=default_prepare)[0]


def read_program(
    path: Path | str, *, shown: str | None = None, default_prepare: float | None = None
) -> tuple[Program, tuple[FileRead, ...]]:
    """`load_program`, and every file it was read from, with the bytes that were parsed: what
    `program_cache` checks the files against before it trusts a program it kept."""
    path = Path(path)
    loader = _Loader()
    root = loader.read(path, shown or str(path), None)
    if root is None:
        raise ProgramError(loader.problems)
    steps = loader.steps(root, (real_path(path),), (root.model.defaults,))
    if loader.problems:
        raise ProgramError(loader.problems)
    model = root.model
    program = Program(
        title=model.title or printable(path.stem),
        summary=model.summary,
        tags=tuple(model.tags),
        caution=model.caution,
        rounds=_first(model.rounds, model.defaults.rounds, BUILTIN_DEFAULTS["rounds"]),
        prepare=_first(
            model.prepare, model.defaults.prepare, default_prepare, BUILTIN_DEFAULTS["prepare"]
        ),
        steps=tuple(steps),
        path=path,
        files=tuple(p for p in loader.files),
        # An included file's warnings are found once per include of it: say each once.
        warnings=tuple(sorted(set(loader.warnings))),
    )
    _check_limits(program, root)
    reads = tuple(FileRead(str(p), str(real), loader.raw[real]) for p, real in loader.opened)
    return program, reads


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
        expand_at_extremes(program)
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


def _check_limits(program: Program, root: _File) -> None:
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


# --- turning pydantic errors into messages ------------------------------------------------


def _strip_tags(loc: tuple[str | int, ...]) -> KeyPath:
    """Drop the union tags pydantic puts after a step's index: steps.2.stretch.hold."""
    out: list[str | int] = []
    for k, part in enumerate(loc):
        if k >= 2 and isinstance(loc[k - 1], int) and loc[k - 2] == "steps" and part in STEP_MODELS:
            continue
        out.append(part)
    return tuple(out)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model that holds the keys at ``loc`` (a pydantic loc, tags included)."""
    model: type[BaseModel] | None = ProgramFile
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        if model is ProgramFile and part == "steps":
            model = _StepUnion
            continue
        if model is _StepUnion:
            model = STEP_MODELS.get(part)
            continue
        info = model.model_fields.get(part)
        model = _inner_model(info.annotation) if info else None
    return model


class _StepUnion(BaseModel):
    """Marks the place in a path where a step's own model is chosen by its tag."""


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _inner_model(origin) if origin is not None and origin is not annotation else None


def _unknown_key(loc: tuple[str | int, ...]) -> str:
    key = str(loc[-1])
    model = _model_at(loc[:-1])
    allowed = list(model.model_fields) if model else []
    message = f"unknown key `{toml_key(key)}`"
    if model in (StretchRamp, BreatheRamp) and key in ("reps", "cycles"):
        return f"{message}: `{key}` can change with the level in `progress`, not within a session"
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"{message} (did you mean `{close[0]}`?)"
    if model in (StretchStep, BreatheStep, RestStep):
        owners = [t for t in STEP_TYPES if key in STEP_MODELS[t].model_fields]
        if owners:
            return f"{message}: `{key}` belongs to {' and '.join(owners)} steps"
    if model in (StretchProgress, BreatheProgress, StretchRamp, BreatheRamp):
        return f"{message}: the keys that can be scheduled here are {_listing(allowed)}"
    if allowed:
        return f"{message}: expected one of {_listing(allowed)}"
    return message


def _listing(keys: Sequence[str]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def _hint(path: KeyPath) -> str:
    if path == ("steps",):
        return ": a program needs at least one [[steps]] table"
    if path[-1:] == ("seconds",):
        return ": how long to rest, e.g. seconds = 30"
    if path[-1:] == ("include",):
        return ': the file to include, e.g. include = "breathing.toml"'
    return " (required)"


_GENERIC = {
    "dict_type": "must be a table (got {got})",
    "model_type": "must be a table (got {got})",
    "model_attributes_type": "must be a table (got {got})",
    "list_type": 'must be an array, such as ["a", "b"] (got {got})',
    "too_short": "must not be empty",
    "literal_error": "must be {expected} (got {got})",
    "string_type": "must be text in quotes (got {got})",
}


def _message(kind: str, error: Any, loc: tuple[str | int, ...]) -> str:
    ctx = error.get("ctx") or {}
    if kind == "too_short" and loc == ("steps",):
        return "a program needs at least one step"
    if kind in _GENERIC:
        got = as_written(error.get("input"))
        return _GENERIC[kind].format(got=got, expected=ctx.get("expected", ""))
    if "ctx" in error and kind not in ("value_error", "assertion_error"):
        # Our own PydanticCustomError messages are already written for the user.
        return str(error["msg"])
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _byte_position(raw: bytes, offset: int) -> Position:
    line = raw.count(b"\n", 0, offset) + 1
    line_start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return Position(line, col)


_SYNTAX_HINTS = {
    "invalid value": 'invalid value (text needs quotes: name = "Child\'s pose")',
    "cannot overwrite a value": "this key is already set above; each key may appear only once",
}
_AT_RE = re.compile(
    r"^(?P<msg>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)


# What tomllib says when a string runs on past its line, or to the end of the file.
_STRING_RUNS_ON = frozenset(
    [
        "illegal character '\\n'",  # a one-line "string" meets the end of its line,
        "unterminated string",  # or the end of the file
        'expected "\'"',  # a one-line 'literal string'
        "expected \"'''\"",  # a '''multi-line literal'''
    ]
)


def _syntax_error(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
    raw = str(error.args[0]) if error.args else str(error)
    match = _AT_RE.match(raw)
    message = match["msg"] if match else raw
    if match and match["line"]:
        line, col = int(match["line"]), int(match["col"])
    else:
        lines = text.split("\n")  # as tomllib counts lines: splitlines() also breaks at \x85
        line, col = len(lines), len(lines[-1]) + 1
    if message.lower() in _STRING_RUNS_ON:
        unclosed = _unclosed_string(text)
        if unclosed is not None and (unclosed[0].line, unclosed[0].col) <= (line, col):
            at, quotes = unclosed
            return at.line, at.col, f"TOML syntax: {_unterminated(quotes)}"
    message = message[:1].lower() + message[1:]
    message = _SYNTAX_HINTS.get(message.lower(), message)
    return line, col, f"TOML syntax: {message}"


def _unterminated(quotes: str) -> str:
    if len(quotes) == 3:
        return f"unterminated string: the text opened here with {quotes} is never closed"
    several = '"""' if quotes == '"' else "'''"
    return (
        "unterminated string: a string must close on the line it opens "
        f"(use {several} for text over several lines)"
    )


def _unclosed_string(text: str) -> tuple[Position, str] | None:
    """Where the first string that is never closed opens, and its quotes: a one-line string
    that meets the end of its line, or a multi-line one that meets the end of the file.

    tomllib reports such a string where it gave up ("illegal character '\\n'", or the end of
    the document); the author needs where it began. Only used on text tomllib refused.
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quotes = c * 3 if text.startswith(c * 3, i) else c
            start, i = i, i + len(quotes)
            while i < n and not text.startswith(quotes, i):
                if len(quotes) == 1 and text[i] == "\n":
                    break
                i += 2 if c == '"' and text[i] == "\\" else 1
            if not text.startswith(quotes, i):
                line = text.count("\n", 0, start) + 1
                return Position(line, start - (text.rfind("\n", 0, start) + 1) + 1), quotes
            i += len(quotes)
        else:
            i += 1
    return None
