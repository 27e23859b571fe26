"""The JSON Schema of the program format, for editors' TOML tooling (taplo, Even Better TOML).

pydantic writes the schema from the models in `spasmtimer.program.model`; this module reshapes the
parts an editor would otherwise report badly. A validator that meets a ``oneOf`` or ``anyOf``
that fails can only say that nothing in it matched ("… is not valid under any of the schemas
listed in the 'oneOf' keyword"), once for every line of the step. So a step's kind is chosen
with ``if``/``then`` on its ``type`` (or on ``include``), as the loader chooses it, and the
editor then reports against that one kind: ``20 is not one of ["(not a key of a stretch step:
check its spelling)"]`` at the misspelled key's line (see `_unknown_keys_at_their_lines`),
``"strech" is not one of ["stretch", …]``.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import textwrap
import typing
from typing import Any

from pydantic import BaseModel

from spasmtimer.program.messages import COUNTERPARTS
from spasmtimer.program.model import STEP_MODELS, STEP_TYPES, ProgramFile

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

TABLE_WORDS = {
    "ProgramFile": "a program",
    "Defaults": "[defaults]",
    "StretchStep": "a stretch step",
    "BreatheStep": "a breathing step",
    "RestStep": "a rest step",
    "IncludeStep": "an include step",
    "StretchRamp": "a stretch's `ramp`",
    "BreatheRamp": "a breathing drill's `ramp`",
    "StretchProgress": "a stretch's `progress`",
    "BreatheProgress": "a breathing drill's `progress`",
    "Schedule": "this schedule",
    "Step": "any step",
}
"""What each table is called where a key it does not have is said."""

_KIND_WORDS = {
    "stretch": "In a stretch",
    "breathe": "In a breathing drill",
    "rest": "In a rest",
    "include": "In an include",
}


def _without_nulls(node: Any) -> Any:
    """Drop the ``null`` alternatives pydantic writes for optional fields: TOML has no null."""
    if isinstance(node, list):
        return [_without_nulls(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _without_nulls(v) for k, v in node.items() if not (k == "default" and v is None)}
    options = out.get("anyOf")
    if isinstance(options, list):
        options = [o for o in options if o != {"type": "null"}]
        if len(options) == 1:
            del out["anyOf"]
            out = {**options[0], **out}
        else:
            out["anyOf"] = options
    return out


def _is_object(extra: dict[str, Any]) -> dict[str, Any]:
    # `required` and `properties` hold for anything that is not a table: without "type", a
    # step that is a number would match every condition and be reported once per kind.
    return {"type": "object", **extra}


def _step_items(defs: dict[str, Any]) -> dict[str, Any]:
    """A step: its kind chosen by ``type`` (or by ``include`` without one), as
    `spasmtimer.program.model._step_tag` chooses it; each kind's own keys are checked in its
    ``then``.

    The keys of every kind are also listed (with descriptions only, so that nothing is checked
    twice): taplo completes and describes keys from ``properties``, never from a ``then``.
    """
    ref = {kind: f"#/$defs/{model.__name__}" for kind, model in STEP_MODELS.items()}
    kinds = list(STEP_TYPES)
    branches: list[dict[str, Any]] = [
        {
            "if": _is_object({"required": ["type"], "properties": {"type": {"const": kind}}}),
            "then": {"$ref": ref[kind]},
        }
        for kind in STEP_TYPES
    ]
    described: dict[str, dict[str, str]] = {}
    for kind, model in STEP_MODELS.items():
        for key, spec in defs[model.__name__]["properties"].items():
            if key != "type":
                described.setdefault(key, {})[kind] = spec["description"]
    branches += [
        {
            "if": _is_object({"required": ["include"], "not": {"required": ["type"]}}),
            "then": {"$ref": ref["include"]},
        },
        # Neither: the step needs a type, and a key no step has is named (`typ`, `includes`).
        # A step of a kind is its kind's to check: a key unknown to it is said once, there.
        {
            "if": _is_object(
                {
                    "not": {
                        "anyOf": [
                            {"required": ["include"]},
                            {"required": ["type"], "properties": {"type": {"enum": kinds}}},
                        ]
                    }
                }
            ),
            "then": {
                "required": ["type"],
                "properties": dict.fromkeys(["type", *described], True),
                "additionalProperties": False,
            },
        },
    ]
    properties: dict[str, Any] = {
        "type": {
            "description": 'The kind of step: "stretch", "breathe" or "rest". Leave it out '
            "for a step that is an `include`.",
            "enum": list(STEP_TYPES),
        }
    }
    for key, by_kind in described.items():
        texts = set(by_kind.values())
        if len(texts) == 1:
            properties[key] = {"description": texts.pop()}
        else:
            lines = [f"{_KIND_WORDS[kind]}: {text}" for kind, text in by_kind.items()]
            properties[key] = {"description": "\n\n".join(lines)}
    return {
        "type": "object",
        "description": "A stretch, a breathing drill or a rest (chosen by `type`), or an "
        "`include` of another file's steps.",
        "properties": properties,
        "allOf": branches,
    }


def _unknown_keys_at_their_lines(node: Any, table: str) -> None:
    """Each ``additionalProperties: false`` made a schema that every key the table does not
    have fails on its own value.

    taplo (and so an editor using it) reports an error of a table at every key and value the
    table holds: one misspelled key of a step was a dozen copies of "Additional properties
    are not allowed". An error of a key's value is reported at that value alone, so the one
    wrong line is the one flagged: ``20 is not one of ["(not a key of a stretch step: check
    its spelling)"]`` at ``hodl = 20``."""
    if isinstance(node, list):
        for item in node:
            _unknown_keys_at_their_lines(item, table)
        return
    if not isinstance(node, dict):
        return
    if node.get("additionalProperties") is False:
        words = TABLE_WORDS.get(table, "this table")
        node["additionalProperties"] = _said(f"not a key of {words}: check its spelling")
    for key, value in node.items():
        if key != "additionalProperties":
            _unknown_keys_at_their_lines(value, table)


def _said(words: str) -> dict[str, Any]:
    """A schema no value passes, whose failure says ``words``: the only thing a validator
    says of an ``enum`` is the values it allows."""
    return {"enum": [f"({words})"]}


def _keys_of_other_kinds(defs: dict[str, Any]) -> None:
    """A key of another kind of step says so in this one, with what does the same here
    (`messages.COUNTERPARTS`, as `check` says it): `hold` in a breathing step points to
    `pause` and `pause_out`."""
    for kind, model in STEP_MODELS.items():
        if kind not in STEP_TYPES:
            continue
        properties = defs[model.__name__]["properties"]
        for other in STEP_TYPES:
            for key in STEP_MODELS[other].model_fields:
                if key in properties:
                    continue
                owners = [t for t in STEP_TYPES if key in STEP_MODELS[t].model_fields]
                counterpart = COUNTERPARTS.get((model, key))
                words = f"`{key}` is a key of {' and '.join(owners)} steps"
                said = _said(f"{words}; {counterpart}" if counterpart else words)
                properties[key] = {"description": f"Not here: {words}.", **said}


def figure_schema() -> dict[str, Any]:
    """The JSON Schema of a figure file (docs/figures.md)."""
    from spasmtimer.program.figures.model import FigureFile

    return model_schema(FigureFile)


def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of a file format's pydantic model, as editors take it."""
    return {"$schema": SCHEMA_DIALECT, **_without_nulls(_described_schema(model))}


def program_schema() -> dict[str, Any]:
    schema: dict[str, Any] = _without_nulls(_described_schema(ProgramFile))
    steps = schema["properties"]["steps"]
    steps["items"] = _step_items(schema["$defs"])
    _keys_of_other_kinds(schema["$defs"])
    for name, table in schema["$defs"].items():
        _unknown_keys_at_their_lines(table, name)
    _unknown_keys_at_their_lines(steps["items"], "Step")
    top = {key: value for key, value in schema.items() if key not in ("$defs", "properties")}
    _unknown_keys_at_their_lines(top, "ProgramFile")
    return {"$schema": SCHEMA_DIALECT, **schema, **top}


# --- descriptions -------------------------------------------------------------------------


def _described_schema(root: type[BaseModel]) -> dict[str, Any]:
    """``root``'s JSON Schema, each key described by its field's docstring.

    Read here, from the models' source, as the schema is written, rather than by pydantic as
    each model class is made (``use_attribute_docstrings``): that read every model's source
    on every start, a fifth of the time a program's loader took to import."""
    schema = root.model_json_schema()
    models = {model.__name__: model for model in _models_under(root)}
    tables = [(root.__name__, schema), *schema.get("$defs", {}).items()]
    for name, table in tables:
        if name not in models:
            continue
        docs = attribute_docstrings(models[name])
        for key, spec in table.get("properties", {}).items():
            if key in docs and "description" not in spec:
                spec["description"] = docs[key]
    return schema


def _models_under(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every model its fields hold, however deep."""
    found: list[type[BaseModel]] = []
    waiting: list[Any] = [root]
    while waiting:
        kind = waiting.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if kind in found:
                continue
            found.append(kind)
            waiting.extend(field.annotation for field in kind.model_fields.values())
        else:
            waiting.extend(typing.get_args(kind))
    return found


def attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring (the string that follows its line in the class), from the
    class's source and its bases'; a subclass's over its base's."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError):  # no source to read (a frozen build): no descriptions
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field, after in itertools.pairwise(body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[field.target.id] = inspect.cleandoc(after.value.value)
    return docs
