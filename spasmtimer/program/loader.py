"""Read a TOML program file into a resolved `Program`, or say exactly what is wrong with it.

Every problem is reported as ``FILE:LINE:COL: key.path: message``: TOML syntax errors, pydantic's
validation errors (mapped back to the line of the offending key or table), unknown keys (with a
"did you mean"), missing or cyclic includes, and the session limits. All problems in a program
and in the files it includes are collected, so one ``check`` shows them all.

Here: reading each file and resolving includes and the defaults cascade. The wording of what is
wrong is in `spasmtimer.program.messages`; what only the resolved values show (schedules,
breaths, limits) in `spasmtimer.program.checks`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spasmtimer.base.files import FileRead, FileRefused, once, read_regular, real_path
from spasmtimer.base.locations import shown_path
from spasmtimer.base.text import as_written, close_names, printable
from spasmtimer.program.checks import check_breath, check_limits, check_schedules
from spasmtimer.program.figures.library import figure_files
from spasmtimer.program.figures.loader import parse_figure
from spasmtimer.program.figures.pose import MAX_FIGURE_BYTES, Figure
from spasmtimer.program.messages import (
    byte_position,
    meant_key,
    syntax_error,
    validation_problem,
)
from spasmtimer.program.model import (
    BreatheProgress,
    BreatheRamp,
    BreatheStep,
    Defaults,
    Frequency,
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
    Program,
    ResolvedStep,
    Rest,
    Stretch,
    StretchChanges,
    Suggestion,
)
from spasmtimer.program.timeline import with_first_length
from spasmtimer.program.tomlpos import KeyPath, Locations, Position, locate

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
    broken: frozenset[int] = frozenset()
    """Steps that did not validate, said already: in `model`, each is only a stand-in."""
    typos: dict[int, frozenset[str]] = field(default_factory=dict)
    """Steps whose only fault is keys that are not theirs, said already: `model` has each
    without them, so the rest of what is wrong with it is found in the same check."""

    @cached_property
    def locations(self) -> Locations:
        return locate(self.text)


def _figure_file(path: Path) -> tuple[str, Path, bytes | FileRefused]:
    """A figure file as a program shows it: its path as shown, where it leads, its bytes (or
    why it cannot be read). Looked at once within `files.looking_once`, as a library loads:
    its hundreds of programs show the same few figures."""
    shown = shown_path(path)
    try:
        raw: bytes | FileRefused = read_regular(path, MAX_FIGURE_BYTES, "figure file")
    except FileRefused as e:
        raw = e
    return shown, real_path(path), raw


_parsed_figures: dict[tuple[bytes, str, str], tuple[Figure | None, list[Problem]]] = {}
"""Each figure file's bytes, parsed once a process: a library of hundreds names the same few
figures, and parsing one took as long as the rest of a program's first load."""


_validated_includes: dict[str, ProgramFile] = {}
"""Each included file's text that validated, and its model, once a process: a library's
programs include the same few files (a warm-up, a breathing drill), each a parse and a
validation as long as a program's own."""


@dataclass(frozen=True)
class _Site:
    """Where a file includes another: said only with a problem in the included file, since
    finding the place scans the including file again."""

    file: _File
    where: KeyPath

    @property
    def at(self) -> Position:
        return self.file.locations.value(self.where)

    def __str__(self) -> str:
        return f"{self.file.shown}:{self.at.line}:{self.at.col}"


class _Report:
    """One file's problems, said through its loader (a `spasmtimer.program.checks.Report`)."""

    def __init__(self, loader: _Loader, file: _File) -> None:
        self.loader = loader
        self.file = file
        self.shown = file.shown

    @property
    def locations(self) -> Locations:
        return self.file.locations

    def problem(self, at: Position, path: KeyPath, message: str) -> None:
        self.loader.problem(self.shown, at, path, message)

    def warning(self, at: Position, path: KeyPath, message: str) -> None:
        self.loader.warning(self.shown, at, path, message)


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.files: dict[Path, _File | None] = {}
        self.included_from: dict[str, tuple[_Site, ...]] = {}
        """How each file being read was reached: the `include` sites, the nearest first. Set
        at each include, so a file included twice is placed by the include being resolved."""
        self.opened: list[tuple[Path, Path]] = []
        """Every path a file was asked for by, and the real path it led to, in order: a file
        included twice, by two names, is read once but reached by both."""
        self.raw: dict[Path, bytes] = {}
        """The bytes each real path read gave, exactly as they were parsed."""
        self.figures: dict[str, Figure | None] = {}
        """The figures the steps name, each loaded once (None: it has problems)."""
        self._figure_files: dict[str, Path] | None = None

    @property
    def figure_files(self) -> dict[str, Path]:
        """The figures there are, by name: listed once, when a step first names one."""
        if self._figure_files is None:
            self._figure_files = figure_files()
        return self._figure_files

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
            included_from=tuple(str(site) for site in self.included_from.get(shown, ())),
        )

    # -- reading one file
    def read(
        self, path: Path, shown: str, site: _Site | None
    ) -> _File | None:
        real = real_path(path)
        self.opened.append((path, real))
        if real in self.files:
            return self.files[real]
        self.files[real] = None
        text = self._text(path, real, shown, site)
        if text is None:
            return None
        if site is not None and text in _validated_includes:
            loaded = _File(path, shown, text, _validated_includes[text])
            self.files[real] = loaded
            return loaded
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            line, col, message = syntax_error(e, text)
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
            errors = e.errors(include_url=False)
            for error in errors:
                self.problem(shown, *validation_problem(locations, data, error))
            # What still validates is resolved too, for the problems only that shows (a cap
            # below its start, an include, a figure): one check says them all, not a pass
            # for each kind. The program itself is never made from it.
            rest = _checkable_rest(data, errors)
            if rest is None:
                return None
            loaded = _File(path, shown, text, *rest)
            self.files[real] = loaded
            return loaded
        loaded = _File(path, shown, text, model)
        self.files[real] = loaded
        if site is not None:
            _validated_includes[text] = model
        return loaded

    def _text(
        self, path: Path, real: Path, shown: str, site: _Site | None
    ) -> str | None:
        # A problem at a known place in the file is reported there; one with the file as a whole
        # where it was included, or at its first line.
        def fail(message: str, at: Position | None = None) -> None:
            if site is None or at is not None:
                self.problem(shown, at or Position(1, 1), (), message)
            else:
                self.problem(site.file.shown, site.at, site.where, f"{shown}: {message}")

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
            fail("is a binary file, not a TOML program", byte_position(raw, raw.index(b"\0")))
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            fail(
                f"is not UTF-8 text (byte 0x{raw[e.start]:02x}); save it as UTF-8",
                byte_position(raw, e.start),
            )
            return None

    # -- resolving steps
    def steps(
        self, file: _File, chain: tuple[Path, ...], defaults: tuple[Defaults, ...]
    ) -> list[ResolvedStep]:
        resolved: list[ResolvedStep] = []
        for index, step in enumerate(file.model.steps):
            if index in file.broken:
                continue
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
        target = file.path.parent / step.include
        shown = os.path.normpath(os.path.join(os.path.dirname(file.shown), step.include))
        real = real_path(target)
        if real in chain:
            names = [*(p.name for p in chain[chain.index(real) :]), target.name]
            at = file.locations.value(where)
            self.problem(file.shown, at, where, "include cycle: " + " -> ".join(names))
            return []
        if len(chain) > MAX_INCLUDE_DEPTH:
            self.problem(
                file.shown,
                file.locations.value(where),
                where,
                f"includes may nest at most {MAX_INCLUDE_DEPTH} deep, and this one would be deeper",
            )
            return []
        site = _Site(file, where)
        self.included_from[shown] = (site, *self.included_from.get(file.shown, ()))
        included = self.read(target, shown, site)
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
        typos = file.typos.get(index, frozenset())
        keys = list(type(step).model_fields)
        for key in missing:
            if any(meant_key(typo, keys) == key for typo in typos):
                continue  # said already, as the typo of it ("hodl": did you mean `hold`?)
            self.problem(
                file.shown,
                file.locations.key(("steps", index)),
                ("steps", index),
                f"missing `{key}`: {_REQUIRED[step.type][key]}",
            )
        if missing:
            return None
        name = step.name or _STEP_NAMES[step.type]
        if step.figure is not None:
            self._figure(file, index, step.figure)
        if isinstance(step, RestStep):
            return Rest(name, step.seconds, step.cue, file.path, figure=step.figure)
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
                figure=step.figure,
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
                figure=step.figure,
            )
        check_schedules(_Report(self, file), index, resolved, origin)
        if isinstance(resolved, Stretch) and resolved.breath is not None:
            check_breath(_Report(self, file), index, resolved)
        return resolved

    # -- the figures the steps name
    def _figure(self, file: _File, index: int, name: str) -> None:
        """Load the figure ``name`` once, for the program to carry; a name there is no figure of
        is a problem at the step's `figure`, a figure whose file has problems is its problems."""
        if name in self.figures:
            return
        where: KeyPath = ("steps", index, "figure")
        path = self.figure_files.get(name)
        if path is None:
            close = close_names(name, list(self.figure_files))
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            self.problem(
                file.shown,
                file.locations.value(where),
                where,
                f"no figure is called {as_written(name)}{hint}: `spasmtimer figure --list` "
                "lists them",
            )
            return
        shown, real, raw = once(("figure file", path), lambda: _figure_file(path))
        if isinstance(raw, FileRefused):
            self.figures[name] = None
            self.problems.append(Problem(shown, 1, 1, "", str(raw)))
            return
        # Kept with the program's own files: the cache trusts the program only while the
        # figure's file is as it was.
        self.raw[real] = raw
        self.opened.append((path, real))
        key = (raw, name, shown)
        if key not in _parsed_figures:
            _parsed_figures[key] = parse_figure(raw, name, shown)
        figure, problems = _parsed_figures[key]
        self.figures[name] = figure
        self.problems.extend(problems)


STAND_IN: dict[str, Any] = {"type": "rest", "seconds": 1}
"""In place of a step that does not validate, so that every other step keeps its index."""


def _checkable_rest(
    data: dict[str, Any], errors: list[Any]
) -> tuple[ProgramFile, frozenset[int], dict[int, frozenset[str]]] | None:
    """What of a file that failed validation (``errors``) can still be resolved and checked:
    its model with each step that did not validate stood in for by a rest, a step whose only
    fault is keys that are not its own without them, and a top-level key that is wrong left
    out; the steps stood in for; the keys left out of each step. None when what is wrong
    would change every step (its `[defaults]`, or the list of steps itself)."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        return None
    broken: set[int] = set()
    typos: dict[int, set[str]] = {}
    wrong: set[str] = set()
    for error in errors:
        loc = error["loc"]
        if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
            if error["type"] == "extra_forbidden" and len(loc) == 4:  # steps, n, type, key
                typos.setdefault(loc[1], set()).add(str(loc[3]))
            else:
                broken.add(loc[1])
        elif loc and loc[0] not in ("steps", "defaults"):
            wrong.add(str(loc[0]))
        else:
            return None
    kept = []
    for index, step in enumerate(steps):
        if index in broken or not isinstance(step, dict):
            kept.append(STAND_IN)
        else:
            kept.append({k: v for k, v in step.items() if k not in typos.get(index, ())})
    rest = {key: value for key, value in data.items() if key not in wrong} | {"steps": kept}
    try:
        model = ProgramFile.model_validate(rest)
    except ValidationError:
        return None
    fixed = {index: frozenset(keys) for index, keys in typos.items() if index not in broken}
    return model, frozenset(broken), fixed


def _stretch_changes(model: StretchRamp | StretchProgress | None) -> StretchChanges:
    """A stretch's validated ``ramp`` or ``progress`` as the resolved program keeps it (shared
    when empty, as most are: one per step is measurable at 10,000 steps)."""
    found = {key: s.resolved() for key, s in model or () if s is not None}
    return StretchChanges(**found) if found else NO_STRETCH_CHANGES


def _breathe_changes(model: BreatheRamp | BreatheProgress | None) -> BreatheChanges:
    """A breathing drill's ``ramp`` or ``progress``, as `_stretch_changes`."""
    found = {key: s.resolved() for key, s in model or () if s is not None}
    return BreatheChanges(**found) if found else NO_BREATHE_CHANGES


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


def _suggestion(table: Frequency | None) -> Suggestion | None:
    if table is None:
        return None
    return Suggestion(
        per_day=table.per_day,
        per_week=table.per_week,
        at=tuple(f"{t:%H:%M}" for t in table.at),
        days=tuple(table.days),
    )


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
        title=model.title or printable(path.stem),  # `printable` makes a name's bytes text
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
        figures=tuple(f for f in loader.figures.values() if f is not None),
        suggest=_suggestion(model.suggest),
    )
    check_limits(program, _Report(loader, root))
    program = with_first_length(program)
    reads = tuple(FileRead(str(p), str(real), loader.raw[real]) for p, real in loader.opened)
    return program, reads
