"""Every broken program gets located, helpful messages; none raises anything but ProgramError.

Each ``data/broken/NAME.toml`` sits next to ``NAME.expected``: exactly what the loader must say.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from spasmtimer.program.loader import load_program
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.resolved import MAX_FILE_BYTES

BROKEN = Path(__file__).parents[1] / "data" / "broken"
CASES = sorted(p.stem for p in BROKEN.glob("*.expected"))
WARNED = Path(__file__).parents[1] / "data" / "warnings"
WARNED_CASES = sorted(p.stem for p in WARNED.glob("*.expected"))
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


@pytest.mark.parametrize("case", WARNED_CASES)
def test_programs_with_warnings_load_and_say_them(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each data/warnings/NAME.toml is valid, and NAME.expected is exactly its warnings.
    monkeypatch.chdir(WARNED)
    program = load_program(f"{case}.toml")
    expected = (WARNED / f"{case}.expected").read_text(encoding="utf-8")
    assert "".join(f"{w}\n" for w in program.warnings) == expected
    for warning in program.warnings:
        assert warning.severity == "warning"
        lines = Path(warning.file).read_text(encoding="utf-8").split("\n")
        assert 1 <= warning.line <= len(lines)
        assert 1 <= warning.col <= len(lines[warning.line - 1]) + 1


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


def test_a_problem_in_an_included_file_says_which_includes_brought_it_in(write) -> None:
    write("parts/x.toml", '[[steps]]\ntype = "rest"\nseconds = 5\n\n[[steps]]\ntype = "strech"\n')
    write("parts/y.toml", '# one more hop\n[[steps]]\ninclude = "x.toml"\n')
    parent = write("parent.toml", 'title = "P"\n\n[[steps]]\ninclude = "parts/y.toml"\n')
    with pytest.raises(ProgramError) as caught:
        load_program(parent, shown="parent.toml")
    [problem] = caught.value.problems
    # The offending place comes first, as always; the way there follows, nearest first.
    assert str(problem).startswith('parts/x.toml:6:8: steps[1].type: unknown step type "strech"')
    assert str(problem).endswith("(included from parts/y.toml:3:11, from parent.toml:4:11)")
    assert problem.included_from == ("parts/y.toml:3:11", "parent.toml:4:11")


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


@pytest.mark.parametrize(
    ("schedule", "cap", "message"),
    [
        # docs/programs.md: a schedule that can never move its value is an error, at its cap.
        (
            "progress = { hold = { by = 5, max = 19 } }",
            "19",
            "steps[0].progress.hold.max: must be above the `hold` it grows from, 20 (got 19): "
            "as written, `hold` could never grow",
        ),
        (
            "ramp = { hold = { by = -5, min = 25 } }",
            "25",
            "steps[0].ramp.hold.min: must be below the `hold` it shrinks from, 20 (got 25): "
            "as written, `hold` could never shrink",
        ),
        (
            "progress = { rest = { by = 1, max = 5 } }",
            "5 ",
            "steps[0].progress.rest.max: must be above the `rest` it grows from, 10, the default "
            "(got 5): as written, `rest` could never grow",
        ),
    ],
)
def test_a_cap_on_the_wrong_side_of_the_start_is_an_error(
    write, schedule: str, cap: str, message: str
) -> None:
    path = write("x.toml", f'[[steps]]\ntype = "stretch"\nhold = 20\nreps = 3\n{schedule}\n')
    with pytest.raises(ProgramError) as caught:
        load_program(path, shown="x.toml")
    assert str(caught.value) == f"x.toml:5:{schedule.index(cap) + 1}: {message}"


def test_a_ramp_is_checked_from_the_value_progress_gives_it(write) -> None:
    # progress first, then ramp: at level 0 the ramp starts from 20 and may grow to 30.
    base = '[[steps]]\ntype = "stretch"\nhold = 20\nreps = 3\n'
    fine = write("fine.toml", base + "progress = { hold = { by = 5, max = 30 } }\nramp = { hold = { by = 5, max = 30 } }\n")
    assert load_program(fine).warnings == ()
    past = write("past.toml", base + "progress = { hold = { by = 5, max = 35 } }\nramp = { hold = { by = 5, max = 30 } }\n")
    [warning] = load_program(past, shown="past.toml").warnings
    assert str(warning) == (
        "past.toml:6:33: warning: steps[0].ramp.hold.max: `progress` takes `hold` to 35, past "
        "this `max` (30): from level 3, every rep stops at 30"
    )
    # progress takes the hold down, away from a ramp that starts at its cap: the ramp moves.
    away = write("away.toml", base + "progress = { hold = { by = -5, min = 10 } }\nramp = { hold = { by = 5, max = 20 } }\n")
    assert load_program(away).warnings == ()


def test_a_breathing_rhythm_is_checked_against_the_shortest_hold(write) -> None:
    base = '[[steps]]\ntype = "stretch"\nhold = 12\nreps = 3\nbreath = "4-6"\n'
    assert load_program(write("fits.toml", base)).warnings == ()
    shrinking = write("shrinks.toml", base + "ramp = { hold = { by = -2, min = 4 } }\n")
    [warning] = load_program(shrinking).warnings
    assert "longer than the 8 s hold:" in warning.message  # the third rep
    later = write("later.toml", base + "progress = { hold = { by = -1, every = 2, min = 9 } }\n")
    [warning] = load_program(later).warnings
    assert "longer than the 9 s hold at level 6:" in warning.message


@pytest.mark.parametrize(
    ("text", "at", "said"),
    [
        ('name = "abc\nx = 1\n', "1:8", 'a string must close on the line it opens (use """ for text over several lines)'),
        ('name = "abc', "1:8", 'a string must close on the line it opens (use """'),
        ("x = 1\nname = 'abc\nx=1\n", "2:8", "a string must close on the line it opens (use \'\'\' for"),
        ('a = "it\'s"  # a "comment\nb = """abc\nx = 1\n', "2:5", 'the text opened here with """ is never closed'),
        ('tags = ["a", "b]\n', "1:14", "a string must close on the line it opens"),
        ('a = "x\\"y\n', "1:5", "a string must close on the line it opens"),
    ],
)
def test_an_unterminated_string_is_said_where_it_opens(write, text: str, at: str, said: str) -> None:
    # tomllib says "Illegal character '\\n'" where it gave up, or "at end of document".
    path = write("x.toml", text)
    with pytest.raises(ProgramError) as caught:
        load_program(path, shown="x.toml")
    assert str(caught.value).startswith(f"x.toml:{at}: TOML syntax: unterminated string: ")
    assert said in str(caught.value)


def test_a_file_many_programs_include_is_read_as_each_includes_it(
    write, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An included file that validated is parsed and validated once a process, however many
    programs include it; what is wrong with it is still said of the program that includes
    it, and a change to it is read."""
    import tomllib

    parsed: list[str] = []
    real_loads = tomllib.loads

    def counted(text: str) -> dict[str, object]:
        parsed.append(text)
        return real_loads(text)

    monkeypatch.setattr(tomllib, "loads", counted)
    unique = f"# {tmp_path.name}\n"  # no other test's file: the memory lasts the process
    write("part.toml", unique + '[[steps]]\ntype = "rest"\nseconds = 5\nfigure = "nowhere"\n')
    parents = [
        write(f"p{n}.toml", f'title = "P{n}"\n[[steps]]\ninclude = "part.toml"\n') for n in range(3)
    ]
    for n, parent in enumerate(parents):
        with pytest.raises(ProgramError) as caught:
            load_program(parent, shown=f"p{n}.toml")
        [problem] = caught.value.problems
        assert problem.file == "part.toml" and "nowhere" in problem.message
        assert problem.included_from == (f"p{n}.toml:3:11",)
    assert len(parsed) == 3 + 1  # each parent, and the part once

    write("part.toml", unique + '[[steps]]\ntype = "rest"\nseconds = 8\n')
    program = load_program(parents[0], shown="p0.toml")
    assert [step.seconds for step in program.steps] == [8]  # type: ignore[union-attr]
    assert len(parsed) == 4 + 2
