"""What is wrong with a program file, in the author's words: pydantic's validation errors
mapped back to the key or value in the file (with "did you mean"), and tomllib's syntax errors
placed where the author has to look (an unterminated string where it opens).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from spasmtimer.base.text import as_written, toml_key
from spasmtimer.program.model import (
    STEP_MODELS,
    STEP_TYPES,
    BreatheProgress,
    BreatheRamp,
    BreatheStep,
    ProgramFile,
    RestStep,
    StretchProgress,
    StretchRamp,
    StretchStep,
)
from spasmtimer.program.tomlpos import KeyPath, Locations, Position


def validation_problem(
    locations: Locations, data: dict[str, Any], error: Any
) -> tuple[Position, KeyPath, str]:
    """One of pydantic's errors in a file as the author is to read it: where it is, the key's
    path, and what is wrong, in words."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    path = _strip_tags(loc)
    if kind == "extra_forbidden":
        return locations.key(path), path, _unknown_key(loc)
    elif kind == "missing":
        parent = path[:-1]
        return locations.key(parent), path, f"missing `{path[-1]}`{_hint(path)}"
    elif kind == "union_tag_invalid":
        given = _get(data, (*path, "type"))
        close = difflib.get_close_matches(str(given), STEP_TYPES, n=1)
        suggestion = f' (did you mean "{close[0]}"?)' if close else ""
        return (
            locations.value((*path, "type")),
            (*path, "type"),
            f"unknown step type {as_written(given)}{suggestion}: use "
            '"stretch", "breathe" or "rest", or include = "file.toml"',
        )
    elif kind == "union_tag_not_found":
        given = _get(data, path)
        if isinstance(given, dict):
            message = 'a step needs type = "stretch", "breathe" or "rest", or include = "file.toml"'
            known = {str(k) for model in STEP_MODELS.values() for k in model.model_fields}
            for key in given:
                if key in known:  # `cue` is not a misspelt `include`
                    continue
                close = difflib.get_close_matches(str(key), ["type", "include"], n=1)
                if close:  # typ = "rest", includes = "x.toml"
                    return (
                        locations.key((*path, key)),
                        (*path, key),
                        f"unknown key `{toml_key(str(key))}` (did you mean `{close[0]}`?)",
                    )
            # The type line left out: say which kind the keys there are fit for.
            fits = [t for t in STEP_TYPES if set(given) <= set(STEP_MODELS[t].model_fields)]
            if len(fits) == 1:
                message += f' (its keys fit type = "{fits[0]}")'
        else:
            message = f"must be a table, such as a [[steps]] table (got {as_written(given)})"
        return locations.key(path), path, message
    else:
        return locations.value(path), path, _message(kind, error, loc)


def file_problem(
    locations: Locations, error: Any, root: type[BaseModel]
) -> tuple[Position, KeyPath, str]:
    """`validation_problem` for a file of another kind than a program (a figure, a course),
    whose model is ``root``."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    if kind == "extra_forbidden":
        return locations.key(loc), loc, _unknown_key(loc, root)
    if kind == "missing":
        return locations.key(loc[:-1]), loc, f"missing `{loc[-1]}` (required)"
    return locations.value(loc), loc, _message(kind, error, loc)


def _strip_tags(loc: tuple[str | int, ...]) -> KeyPath:
    """Drop the union tags pydantic puts after a step's index: steps.2.stretch.hold."""
    out: list[str | int] = []
    for k, part in enumerate(loc):
        if k >= 2 and isinstance(loc[k - 1], int) and loc[k - 2] == "steps" and part in STEP_MODELS:
            continue
        out.append(part)
    return tuple(out)


def _model_at(
    loc: tuple[str | int, ...], root: type[BaseModel] = ProgramFile
) -> type[BaseModel] | None:
    """The model that holds the keys at ``loc`` (a pydantic loc, tags included) in a file of
    ``root``."""
    model: type[BaseModel] | None = root
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


_BREATHING_IN_A_HOLD = (
    'to keep a breathing rhythm during each hold, use `breath`, e.g. breath = "5-1-3"'
)
COUNTERPARTS: dict[tuple[type[BaseModel], str], str] = {
    (BreatheStep, "hold"): (
        "to hold the breath here, use `pause` (after breathing in) or `pause_out` (after "
        "breathing out)"
    ),
    (BreatheStep, "seconds"): "a breathing drill lasts its `cycles` of `inhale` and `exhale`",
    (RestStep, "hold"): "a rest lasts `seconds`",
    (StretchStep, "seconds"): "a stretch holds for `hold`",
    **{(StretchStep, key): _BREATHING_IN_A_HOLD for key in ("inhale", "exhale", "pause")},
    (StretchStep, "pause_out"): _BREATHING_IN_A_HOLD,
}
"""What a key of another kind of step is said with in this one: a key that belongs
elsewhere is most often a person reaching for the same thing."""


def _unknown_key(loc: tuple[str | int, ...], root: type[BaseModel] = ProgramFile) -> str:
    key = str(loc[-1])
    model = _model_at(loc[:-1], root)
    allowed = list(model.model_fields) if model else []
    message = f"unknown key `{toml_key(key)}`"
    if model in (StretchRamp, BreatheRamp) and key in ("reps", "cycles"):
        return f"{message}: `{key}` can change with the level in `progress`, not within a session"
    owners = [t for t in STEP_TYPES if key in STEP_MODELS[t].model_fields]
    if model in (StretchStep, BreatheStep, RestStep) and owners:
        belongs = f"{message}: `{key}` belongs to {' and '.join(owners)} steps"
        counterpart = COUNTERPARTS.get((model, key))
        return f"{belongs}; {counterpart}" if counterpart else belongs
    meant = meant_key(key, allowed)
    if meant is not None:
        return f"{message} (did you mean `{meant}`?)"
    if model in (StretchProgress, BreatheProgress, StretchRamp, BreatheRamp):
        return f"{message}: the keys that can be scheduled here are {_listing(allowed)}"
    if allowed:
        return f"{message}: expected one of {_listing(allowed)}"
    return message


def meant_key(key: str, allowed: Sequence[str]) -> str | None:
    """The key of ``allowed`` an unknown ``key`` is taken for a typo of, if any."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


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


def byte_position(raw: bytes, offset: int) -> Position:
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


def syntax_error(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
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
