"""The exported JSON Schema lets editors accept valid programs and flag the common mistakes.

What taplo itself says with it is in `tests/system/test_taplo.py`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spasmtimer.program.schema import program_schema
from tests.schema_cases import MISTAKES, VALID


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = program_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_programs_pass(validator: Any, path: Path) -> None:
    assert list(validator.iter_errors(tomllib.loads(path.read_text()))) == []


@pytest.mark.parametrize("text", MISTAKES.values(), ids=list(MISTAKES))
def test_mistakes_are_flagged(validator: Any, text: str) -> None:
    assert list(validator.iter_errors(tomllib.loads(text)))


def test_every_field_is_described() -> None:
    schema = program_schema()
    for name, model in schema["$defs"].items():
        for field, spec in model.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    for field, spec in schema["properties"].items():
        assert spec.get("description"), field


def test_every_key_of_a_step_is_described_where_editors_look_for_it() -> None:
    # taplo completes and describes a step's keys from the `properties` beside its `if`s.
    items = program_schema()["properties"]["steps"]["items"]
    keys = {"type", "include", "name", "hold", "reps", "sides", "inhale", "cycles", "seconds"}
    assert keys <= set(items["properties"])
    assert all(spec.get("description") for spec in items["properties"].values())
    assert items["properties"]["type"]["enum"] == ["stretch", "breathe", "rest"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[[steps]]\ntype = "stretch"\nhodl = 20\n', "20 is not one of ['(not a key of a stretch step: check its spelling)']"),
        ('[[steps]]\ntype = "strech"\nhold = 20\n', "'strech' is not one of ['stretch', 'breathe', 'rest']"),
        ('[[steps]]\ntyp = "rest"\nseconds = 5\n', "'rest' is not one of ['(not a key of any step: check its spelling)']"),
        ('[[steps]]\ntype = "stretch"\nhold = 5\nprogress = { hold = { by = 5, min = 1 } }\n', "1 is not one of ['(not a key of this schedule: check its spelling)']"),
        ('[[steps]]\ntype = "stretch"\nhold = 5\nprogress = { hold = { by = -5 } }\n', "'min' is a required property"),
    ],
)
def test_a_step_is_checked_as_the_kind_its_type_names(validator: Any, text: str, said: str) -> None:
    # Not "is not valid under any of the given schemas": the kind is chosen first.
    messages = [e.message for e in validator.iter_errors(tomllib.loads(text))]
    assert said in messages
    assert not any("valid under" in m for m in messages), messages
