"""Every broken program gets located, helpful messages; none raises anything but ProgramError.

Each ``data/broken/NAME.toml`` sits next to ``NAME.expected``: exactly what the loader must say.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from spasmtimer.loader import MAX_FILE_BYTES, load_program
from spasmtimer.problems import ProgramError

BROKEN = Path(__file__).parents[1] / "data" / "broken"
CASES = sorted(p.stem for p in BROKEN.glob("*.expected"))
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.+)$")


@pytest.fixture
def in_broken(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(BROKEN)
    return BROKEN


@pytest.mark.parametrize("case", CASES)
def test_broken_program_messages(case: str, in_broken: Path) -> None:
    with pytest.raises(ProgramError) as caught:
        load_program(f"{case}.toml")
    expected = (in_broken / f"{case}.expected").read_text(encoding="utf-8")
    assert str(caught.value) + "\n" == expected


@pytest.mark.parametrize("case", CASES)
def test_every_message_names_a_real_line_and_column(case: str, in_broken: Path) -> None:
    with pytest.raises(ProgramError) as caught:
        load_program(f"{case}.toml")
    for problem in caught.value.problems:
        match = LINE.match(str(problem))
        assert match, str(problem)
        lines = Path(problem.file).read_bytes().split(b"\n")
        assert 1 <= problem.line <= len(lines)
        assert 1 <= problem.col <= len(lines[problem.line - 1]) + 1


def test_the_spec_example_error_form(write) -> None:
    path = write("x.toml", '[[steps]]\ntype = "stretch"\nhold = -5\n')
    with pytest.raises(
        ProgramError, match=r"x\.toml:3:8: steps\[0\]\.hold: must be greater than 0 \(got -5\)"
    ):
        load_program(path, shown="x.toml")


def test_a_huge_file_is_refused_without_reading_it_all(write) -> None:
    path = write("huge.toml", "# padding\n" * (MAX_FILE_BYTES // 5))
    with pytest.raises(ProgramError, match=r"huge\.toml:1:1: is too large for a program"):
        load_program(path, shown="huge.toml")


def test_a_folder_and_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProgramError, match="is a folder"):
        load_program(tmp_path)
    with pytest.raises(ProgramError, match="no such file"):
        load_program(tmp_path / "nope.toml")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_an_unreadable_file(write) -> None:
    path = write("secret.toml", '[[steps]]\ntype = "rest"\nseconds = 5\n')
    path.chmod(0)
    with pytest.raises(ProgramError, match="cannot be read"):
        load_program(path)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbftitle = "BOM"\n[[steps]]\ntype = "rest"\nseconds = 5\n')
    assert load_program(path).title == "BOM"


def test_problems_in_several_files_are_all_reported(write) -> None:
    write("part.toml", '[[steps]]\ntype = "rest"\nseconds = 0\n')
    main = write(
        "main.toml",
        '[[steps]]\ninclude = "part.toml"\n\n[[steps]]\ninclude = "gone.toml"\n',
    )
    with pytest.raises(ProgramError) as caught:
        load_program(main)
    messages = [p.message for p in caught.value.problems]
    assert "must be greater than 0 (got 0)" in messages
    assert any("gone.toml: no such file" in m for m in messages)


def test_a_file_included_twice_is_reported_once(write) -> None:
    write("part.toml", '[[steps]]\ntype = "rest"\nseconds = -1\n')
    main = write(
        "main.toml", '[[steps]]\ninclude = "part.toml"\n[[steps]]\ninclude = "part.toml"\n'
    )
    with pytest.raises(ProgramError) as caught:
        load_program(main)
    assert len(caught.value.problems) == 1


def test_four_nested_includes_are_allowed(write) -> None:
    for depth in range(1, 4 + 1):
        write(
            f"d{depth}.toml",
            f'[[steps]]\ninclude = "d{depth + 1}.toml"\n'
            if depth < 4
            else '[[steps]]\ntype = "rest"\nseconds = 5\n',
        )
    main = write("main.toml", '[[steps]]\ninclude = "d1.toml"\n')
    assert len(load_program(main).steps) == 1


def test_tables_nested_hundreds_deep_are_refused_cleanly(write) -> None:
    path = write("deep.toml", "a = " + "[" * 600 + "]" * 600 + "\n")
    with pytest.raises(
        ProgramError,
        match=r"deep\.toml:1:1: cannot be read as TOML: tables or arrays nested too deeply",
    ):
        load_program(path, shown="deep.toml")
    path = write("deep-inline.toml", "x = " + "{a = " * 600 + "1" + "}" * 600 + "\n")
    with pytest.raises(ProgramError, match="nested too deeply"):
        load_program(path)


def test_an_integer_of_thousands_of_digits_is_refused_cleanly(write) -> None:
    path = write("long.toml", '[[steps]]\ntype = "rest"\nseconds = ' + "9" * 5000 + "\n")
    with pytest.raises(ProgramError, match=r"long\.toml:1:1: cannot be read as TOML"):
        load_program(path, shown="long.toml")


def test_a_syntax_error_at_the_end_counts_lines_as_toml_does(write) -> None:
    # U+0085 is a line break to str.splitlines(), but not to TOML.
    path = write("nel.toml", 'title = "a\u0085b"\n[[steps]]\ntype = "rest"\nseconds = 5\nrep')
    with pytest.raises(ProgramError, match=r"nel\.toml:5:4: TOML syntax"):
        load_program(path, shown="nel.toml")
