"""What an editor using taplo (VS Code's Even Better TOML) says with the exported schema.

taplo is run as it is on the command line (`taplo check`), with the schema of `spasmtimer
schema`: over the valid and bundled programs, which it must accept, and over every broken
program in `tests/data/broken`, where each thing it says must name the key or the value that is
wrong — never "… is not valid under any of the schemas listed in the 'oneOf' keyword".
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from spasmtimer.program.schema import program_schema
from tests.schema_cases import BROKEN, MISTAKES, VALID

TAPLO = shutil.which("taplo") or shutil.which("taplo", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(
    TAPLO is None, reason="taplo is not installed (pip install '.[test]')"
)

BEYOND_A_SCHEMA = {
    # What only `check` can know, so taplo rightly accepts these files.
    "include_broken": "what an included file holds",
    "include_chain": "what an included file holds",
    "include_cycle": "where includes lead",
    "include_missing": "whether an included file exists",
    "include_too_deep": "where includes lead",
    "include_twice_unresolved": "what an included file holds",
    "missing_required": "values that [defaults] may give",
    "phase_too_long": '"1h30m" has the form of a duration; its length is for `check`',
    "progress_both_ways": "the session's length at every level",
    "progress_too_long": "the session's length at every level",
    "session_too_long": "the session's length",
    "too_many_phases": "the session's phases",
    "cap_below_base": "the value a schedule starts from, which [defaults] may give",
}
SYNTAX = {
    # Not TOML at all: taplo's own parser says so, before any schema.
    "binary",
    "not_utf8",
    "syntax_duplicate_key",
    "syntax_unquoted_text",
    "syntax_unterminated_string",
}
# How taplo's parser (not the schema) words what it finds.
PARSER_MESSAGES = ("invalid TOML", "conflicting keys")
DIAGNOSTIC = re.compile(r"^error: (?P<message>.*)\n\s*┌─ .*:(?P<line>\d+):(?P<col>\d+)$", re.M)


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "program.schema.json"
    path.write_text(json.dumps(program_schema()))
    return path


def taplo_check(path: Path, schema: Path) -> tuple[int, list[tuple[str, int, int]]]:
    """taplo's exit status, and each (message, line, col) it reports, once."""
    assert TAPLO
    result = subprocess.run(
        [TAPLO, "check", "--schema", schema.as_uri(), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=path.parent,
    )
    found = {
        (m["message"], int(m["line"]), int(m["col"])) for m in DIAGNOSTIC.finditer(result.stderr)
    }
    return result.returncode, sorted(found)


def leaves(node: Any) -> list[Any]:
    """Every value in a TOML document: tables' values, arrays and their elements."""
    if isinstance(node, dict):
        return [v for value in node.values() for v in [value, *leaves(value)]]
    if isinstance(node, list):
        return [v for value in node for v in [value, *leaves(value)]]
    return []


def names_the_key_or_value(message: str, document: dict[str, Any], keys: set[str]) -> bool:
    """Does ``message`` say which key or value is wrong?

    Keys: '"hold" is a required property' names one the format has. Values: every other
    message starts with the value it is about, as JSON (``-5 is less than …``, ``"strech" is
    not one of …``, and a key the table does not have, at its own value: ``20 is not one of
    ["(not a key of a stretch step: …)"]``), which must be a value the file holds.
    """
    unexpected = re.fullmatch(r"Additional properties are not allowed \((.*) (?:was|were) unexpected\)", message)
    if unexpected:
        named = re.findall(r"'([^']*)'", unexpected[1])
        return bool(named) and all(n in json.dumps(document) for n in named)
    required = re.fullmatch(r'"([^"]+)" is a required property', message)
    if required:
        return required[1] in keys
    decoder = json.JSONDecoder()
    try:
        value, _ = decoder.raw_decode(message)
    except ValueError:
        return False
    # true is not 1, though Python says so.
    return any(
        value == leaf and isinstance(value, bool) == isinstance(leaf, bool)
        for leaf in leaves(document)
    )


def schema_keys(node: Any) -> set[str]:
    """Every key the schema knows."""
    found: set[str] = set()
    if isinstance(node, dict):
        found |= set(node.get("properties", {}))
        for value in node.values():
            found |= schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= schema_keys(value)
    return found


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_accepts_valid_and_bundled_programs(schema_file: Path, path: Path) -> None:
    status, said = taplo_check(path, schema_file)
    assert (status, said) == (0, [])


@pytest.mark.parametrize("text", MISTAKES.values(), ids=list(MISTAKES))
def test_flags_common_mistakes(schema_file: Path, tmp_path: Path, text: str) -> None:
    path = tmp_path / "program.toml"
    path.write_text(text)
    status, said = taplo_check(path, schema_file)
    assert status != 0 and said


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_programs_get_messages_that_name_what_is_wrong(
    schema_file: Path, path: Path
) -> None:
    status, said = taplo_check(path, schema_file)
    if path.stem in SYNTAX:
        assert status != 0
        assert all(message in PARSER_MESSAGES for message, _, _ in said), said
        return
    if path.stem in BEYOND_A_SCHEMA:
        assert (status, said) == (0, [])
        return
    assert status != 0 and said, "taplo should flag this program"
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    keys = schema_keys(program_schema())
    for message, line, col in said:
        assert "oneOf" not in message and "anyOf" not in message, message
        assert "not valid under any" not in message, message
        assert names_the_key_or_value(message, document, keys), f"{line}:{col}: {message}"


def test_the_fixture_lists_name_real_fixtures() -> None:
    stems = {p.stem for p in BROKEN}
    assert set(BEYOND_A_SCHEMA) <= stems
    assert stems >= SYNTAX


def test_a_step_with_the_schema_line_is_checked_as_in_an_editor(
    schema_file: Path, tmp_path: Path
) -> None:
    # The `#:schema` line, relative to the program, as the README tells authors to write it.
    shutil.copy(schema_file, tmp_path / "program.schema.json")
    path = tmp_path / "evening.toml"
    path.write_text(
        '#:schema ./program.schema.json\n[[steps]]\ntype = "stretch"\nhold = 20\nhodl = 5\n'
    )
    assert TAPLO
    result = subprocess.run(
        [TAPLO, "check", str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode != 0
    # Once, at the misspelled key's line (issue: it was said at every key of the step).
    said = DIAGNOSTIC.findall(result.stderr)
    assert said == [('5 is not one of ["(not a key of a stretch step: check its spelling)"]', "5", "8")]


def test_a_key_of_another_kind_of_step_says_what_does_the_same_here(
    schema_file: Path, tmp_path: Path
) -> None:
    path = tmp_path / "breathing.toml"
    path.write_text('[[steps]]\ntype = "breathe"\ninhale = 4\nhold = 2\nexhale = 4\n')
    _, said = taplo_check(path, schema_file)
    assert said == [
        (
            '2 is not one of ["(`hold` is a key of stretch steps; to hold the breath here, use '
            '`pause` (after breathing in) or `pause_out` (after breathing out))"]',
            4,
            8,
        )
    ]


def test_the_schema_line_the_starter_suggests_finds_the_schema(
    schema_file: Path, tmp_path: Path
) -> None:
    # Followed to the letter: the schema where the header says to save it, and the new program in
    # the programs folder with the header's `#:schema` line first.
    from spasmtimer.program.starter import header, write_starter

    config = tmp_path / "spasmtimer"
    (config / "programs").mkdir(parents=True)
    shutil.copy(schema_file, config / "program.schema.json")
    assert "~/.config/spasmtimer/program.schema.json" in header()  # the tests' XDG_CONFIG_HOME
    lines = header().splitlines()
    (line,) = [s.removeprefix("#   ") for s in lines if s.startswith("#   #:schema ")]
    program = config / "programs" / "evening.toml"
    write_starter(program, "Evening")
    program.write_text(f"{line}\n" + program.read_text())
    assert TAPLO

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TAPLO, "check", str(program)], capture_output=True, text=True, timeout=60, cwd=tmp_path
        )

    assert check().returncode == 0, check().stderr
    program.write_text(program.read_text().replace("hold =", "hodl =", 1))
    result = check()
    assert result.returncode != 0
    assert "not a key of a stretch step" in result.stderr
