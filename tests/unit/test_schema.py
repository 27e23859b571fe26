"""The exported JSON Schema lets editors accept valid programs and flag the common mistakes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spasmtimer.locations import bundled_programs_dir
from spasmtimer.schema import program_schema

DATA = Path(__file__).parents[1] / "data"
VALID = [*sorted(bundled_programs_dir().glob("*.toml")), *sorted((DATA / "valid").rglob("*.toml"))]
TAPLO = shutil.which("taplo") or shutil.which("taplo", path=str(Path(sys.executable).parent))

MISTAKES = {
    "typo": '[[steps]]\ntype = "stretch"\nhodl = 20\n',
    "unknown step type": '[[steps]]\ntype = "strech"\nhold = 20\n',
    "negative duration": '[[steps]]\ntype = "stretch"\nhold = -5\n',
    "negative duration string": '[[steps]]\ntype = "rest"\nseconds = "-5s"\n',
    "zero count": '[[steps]]\ntype = "breathe"\ninhale = 3\nexhale = 3\ncycles = 0\n',
    "unknown top-level key": 'titel = "x"\n[[steps]]\ntype = "rest"\nseconds = 5\n',
    "schedule without cap": '[[steps]]\ntype = "stretch"\nhold = 5\nprogress = { hold = { by = 5 } }\n',
    "reps in ramp": '[[steps]]\ntype = "stretch"\nhold = 5\nramp = { reps = { by = 1, max = 3 } }\n',
    "no steps": 'title = "x"\n',
}


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


@pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (pip install '.[test]')")
class TestTaplo:
    """What an editor using taplo (Even Better TOML) shows with the `#:schema` line."""

    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        import json

        (tmp_path / "program.schema.json").write_text(json.dumps(program_schema()))
        return tmp_path

    def check(self, folder: Path, text: str) -> subprocess.CompletedProcess[str]:
        path = folder / "program.toml"
        path.write_text("#:schema ./program.schema.json\n" + text)
        assert TAPLO
        return subprocess.run(
            [TAPLO, "check", str(path)], capture_output=True, text=True, timeout=60, cwd=folder
        )

    @pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
    def test_accepts_valid_programs(self, folder: Path, path: Path) -> None:
        result = self.check(folder, path.read_text())
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize("text", MISTAKES.values(), ids=list(MISTAKES))
    def test_flags_mistakes(self, folder: Path, text: str) -> None:
        result = self.check(folder, text)
        assert result.returncode != 0
        assert "error" in result.stderr
