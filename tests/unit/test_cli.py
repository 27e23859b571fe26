"""The command line: check, plan, list, new, schema, --version, and their exit codes."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from spasmtimer.base.locations import bundled_programs_dir, user_programs_dir
from spasmtimer.cli import main

DATA = Path(__file__).parents[1] / "data"
BUNDLED = sorted(p.stem for p in bundled_programs_dir().glob("*.toml"))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        status = main(list(args))
    except SystemExit as e:  # argparse's usage errors, --version
        status = int(e.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_check_valid_files(capsys) -> None:
    status, out, err = run_cli(
        capsys,
        "check",
        str(DATA / "valid" / "spec-example.toml"),
        str(DATA / "valid" / "cascade.toml"),
    )
    assert status == 0, err
    assert out.count(": ok (") == 2


def test_check_reports_every_invalid_file_and_exits_1(capsys, monkeypatch) -> None:
    monkeypatch.chdir(DATA / "broken")
    status, out, err = run_cli(
        capsys,
        "check",
        "negative_hold.toml",
        str(DATA / "valid" / "cascade.toml"),
        "unknown_key_typo.toml",
    )
    assert status == 1
    assert "negative_hold.toml:6:8: steps[0].hold: must be greater than 0 (got -5)" in err
    assert (
        "unknown_key_typo.toml:5:1: steps[0].hodl: unknown key `hodl` (did you mean `hold`?)" in err
    )
    assert "cascade.toml: ok" in out
    assert "Traceback" not in err


def test_check_says_warnings_and_still_exits_0(capsys, monkeypatch) -> None:
    monkeypatch.chdir(DATA / "warnings")
    status, out, err = run_cli(capsys, "check", "unlikely.toml")
    assert status == 0
    assert out == "unlikely.toml: ok (16 phases, 4 min 6 s at level 0; 3 warnings)\n"
    assert err == (DATA / "warnings" / "unlikely.expected").read_text()
    status, out, err = run_cli(capsys, "plan", "unlikely.toml", "--json")
    assert status == 0
    assert json.loads(out)["title"] == "Legal, but almost surely not meant"
    assert err.count(": warning: ") == 3


def test_check_a_missing_file_exits_1(capsys) -> None:
    status, _, err = run_cli(capsys, "check", "no/such/program.toml")
    assert status == 1
    assert "no/such/program.toml: no such program file" in err


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["plan"],
        ["plan", "x", "--level", "-1"],
        ["plan", "x", "--level", "two"],
        ["frobnicate"],
        ["list", "--yaml"],
    ],
)
def test_usage_errors_exit_2(capsys, args: list[str]) -> None:
    status, _, err = run_cli(capsys, *args)
    assert status == 2
    assert "usage:" in err


def test_version(capsys) -> None:
    status, out, _ = run_cli(capsys, "--version")
    assert status == 0
    assert out.startswith("spasmtimer ")


def test_plan_json_follows_the_spec(capsys) -> None:
    status, out, _ = run_cli(capsys, "plan", str(DATA / "valid" / "spec-example.toml"), "--json")
    assert status == 0
    plan = json.loads(out)
    assert plan["title"] == "Lower back: first aid"
    assert plan["level"] == 0
    assert plan["total_seconds"] == 302
    assert len(plan["phases"]) == 44
    first_hold = next(p for p in plan["phases"] if p["kind"] == "hold")
    assert {k: first_hold[k] for k in ("kind", "seconds", "name", "side", "rep", "cycle")} == {
        "kind": "hold",
        "seconds": 20,
        "name": "Seated hamstring stretch",
        "side": "left leg",
        "rep": 1,
        "cycle": None,
    }
    inhale = plan["phases"][1]
    assert (inhale["kind"], inhale["cycle"], inhale["rep"], inhale["side"]) == (
        "inhale",
        1,
        None,
        None,
    )
    assert sum(p["seconds"] for p in plan["phases"]) == plan["total_seconds"]


def test_plan_json_at_a_level(capsys) -> None:
    _, out, _ = run_cli(
        capsys, "plan", str(DATA / "valid" / "spec-example.toml"), "--json", "--level", "4"
    )
    plan = json.loads(out)
    assert plan["level"] == 4
    assert {p["seconds"] for p in plan["phases"] if p["kind"] == "hold"} == {30}
    progression = plan["progression"]
    assert progression["cap_level"] == 8
    assert [row["level"] for row in progression["levels"]] == [0, 2, 4, 6, 8]
    cycles = [
        v["value"] for row in progression["levels"] for v in row["values"] if v["key"] == "cycles"
    ]
    assert cycles == [8, 9, 10, 11, 12]


def test_plan_text_shows_timeline_and_progression(capsys) -> None:
    status, out, _ = run_cli(capsys, "plan", str(DATA / "valid" / "spec-example.toml"))
    assert status == 0
    assert "Level 0 · 5 min 2 s · 44 phases" in out
    assert "   1:39  hold               20 s  2. Seated hamstring stretch · left leg, rep 1 of 3" in out
    assert "Progression: values by level, until every one reaches its cap at level 8." in out
    assert "→ marks your level, 0.\nLevels where nothing changes are left out.\n" in out
    table = out[out.index("Progression") :].splitlines()
    header = next(line for line in table if "level" in line and "session" in line)
    assert header.split() == ["level", "session", "1.cycles", "2.hold", "2.reps"]
    rows = [line.split() for line in table[table.index(header) + 1 :]]
    assert [r[0] for r in rows] == ["→", "2", "4", "6", "8"]
    assert rows[0][1] == "0"
    assert rows[-1][-4:] == ["12", "30", "s", "4"]


def plan_lines(capsys, program: str, *args: str) -> list[str]:
    status, out, err = run_cli(capsys, "plan", program, *args)
    assert status == 0, err
    return out.splitlines()


def test_plan_columns_stay_in_line_whatever_the_names_and_lengths(capsys, write) -> None:
    path = write(
        "long.toml",
        """
[[steps]]
type = "breathe"
name = "Box breathing, with a name far longer than any column"
inhale = 4
pause = 4
exhale = 4
pause_out = 4
[[steps]]
type = "stretch"
name = "Hold"
hold = "1m40s"
""",
    )
    lines = plan_lines(capsys, str(path))
    start = lines.index("  start  phase                  length  step")
    timeline = lines[start : lines.index("", start)]
    # "hold, lungs empty" and "1 min 40 s" are the widest cells: the lines before them are
    # padded to them, so every step's name starts in the same column.
    assert "   0:17  hold, lungs empty         4 s  1. Box breathing, with a name far longer" in timeline[5]
    assert timeline[-1] == "   0:31  hold               1 min 40 s  2. Hold"
    assert len({line.rindex("  ") for line in timeline}) == 1, timeline


def test_plan_marks_a_level_where_nothing_changes_and_one_past_the_cap(capsys) -> None:
    name = str(DATA / "valid" / "spec-example.toml")  # values change at levels 2, 4, 6, 8
    lines = plan_lines(capsys, name, "--level", "3")
    table = lines[lines.index("→ marks your level, 3.") :]
    assert table[1] == "Levels where nothing changes are left out."
    assert table[4:] == [
        "     level     session  1.cycles  2.hold  2.reps",
        "         0   5 min 2 s         8    20 s       3",
        "         2  5 min 44 s         9    25 s       3",
        "  →      3  5 min 44 s         9    25 s       3",
        "         4  7 min 41 s        10    30 s       4",
        "         6  7 min 53 s        11    30 s       4",
        "         8   8 min 5 s        12    30 s       4",
    ]
    lines = plan_lines(capsys, name, "--level", "12")
    assert "→ marks the cap level: your level, 12, is past it and plays like it." in lines
    assert [line for line in lines if line.startswith("  → ")] == [
        "  →      8   8 min 5 s        12    30 s       4"
    ]


def test_plan_of_progress_capped_from_the_start_says_so(capsys, write) -> None:
    path = write(
        "capped.toml",
        '[[steps]]\ntype = "stretch"\nhold = 20\nprogress = { hold = { by = 5, max = 20 } }\n',
    )
    status, out, err = run_cli(capsys, "plan", str(path))
    assert status == 0
    assert "Every `progress` value starts at its cap: the program is the same at every level." in out
    assert "at level 0" not in out.split("Progression")[-1]
    assert ": warning: steps[0].progress.hold.max: is already the `hold` it grows from" in err


def test_plan_without_progress_says_so(capsys) -> None:
    _, out, _ = run_cli(capsys, "plan", str(DATA / "broken" / "helpers" / "deep5.toml"))
    assert "No `progress` in this program" in out


def test_plan_by_bundled_name(capsys) -> None:
    status, out, _ = run_cli(capsys, "plan", "seated-hamstring", "--json")
    assert status == 0
    assert json.loads(out)["title"] == "Seated hamstring stretch"


def test_plan_unknown_name_suggests(capsys) -> None:
    status, _, err = run_cli(capsys, "plan", "seated-hamstrings")
    assert status == 1
    assert "did you mean seated-hamstring" in err


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("seated", "seated-hamstring"),  # the start of a name
        ("hamstring", "seated-hamstring"),  # a part of one
        ("Desk", "desk-break"),
        ("breathing-5-1-4", "breathing-5-1-3"),  # spelt alike
    ],
)
def test_run_of_a_name_close_to_one_suggests_it(capsys, typed: str, meant: str) -> None:
    status, _, err = run_cli(capsys, "run", typed, "--plain")
    assert status == 1
    assert f"{typed}: no program by that name; did you mean {meant}" in err


def test_plan_of_an_invalid_program_exits_1(capsys) -> None:
    status, out, err = run_cli(
        capsys, "plan", str(DATA / "broken" / "negative_hold.toml"), "--json"
    )
    assert (status, out) == (1, "")
    assert "must be greater than 0" in err


def test_a_program_too_long_at_a_middle_level_is_invalid(capsys, write) -> None:
    # 5 h at level 0 and 1 h at the cap (level 10), but 27 reps of 15 min at level 1.
    path = write(
        "p.toml",
        """
prepare = 0
[[steps]]
type = "stretch"
hold = 600
reps = 30
rest = 0
progress = { hold = { by = 300, max = 3600 }, reps = { by = -3, min = 1 } }
""",
    )
    status, _, err = run_cli(capsys, "check", str(path))
    assert status == 1
    assert "steps: too long: at level 1, the session lasts more than 6 hours" in err
    status, out, err = run_cli(capsys, "plan", str(path), "--level", "0")
    assert (status, out) == (1, "")


def test_levels_past_the_cap_plan_like_the_cap(capsys) -> None:
    name = str(DATA / "valid" / "spec-example.toml")
    at_cap = json.loads(run_cli(capsys, "plan", name, "--json", "--level", "8")[1])
    far = json.loads(run_cli(capsys, "plan", name, "--json", "--level", "1000000")[1])
    assert far["level"] == 1000000
    assert far["phases"] == at_cap["phases"]


def test_list_json_has_bundled_and_user_programs(capsys) -> None:
    user = user_programs_dir()
    user.mkdir(parents=True)
    (user / "mine.toml").write_text(
        'title = "Mine"\ntags = ["x"]\n[[steps]]\ntype = "rest"\nseconds = 30\n'
    )
    (user / "broken.toml").write_text("title = ")
    status, out, _ = run_cli(capsys, "list", "--json")
    assert status == 0
    items = {i["name"]: i for i in json.loads(out)}
    assert set(BUNDLED) <= set(items)
    for name in BUNDLED:
        assert items[name]["source"] == "bundled"
        assert items[name]["total_seconds"] > 0
        assert items[name]["tags"]
    mine = items["mine"]
    assert (mine["title"], mine["source"], mine["tags"], mine["total_seconds"]) == (
        "Mine",
        "user",
        ["x"],
        35,
    )
    assert Path(mine["path"]) == user / "mine.toml"
    assert items["broken"]["error"].startswith("~/")
    assert items["broken"]["total_seconds"] is None


def test_a_user_program_shadows_a_bundled_one(capsys) -> None:
    user = user_programs_dir()
    user.mkdir(parents=True)
    (user / "desk-break.toml").write_text(
        'title = "My desk break"\n[[steps]]\ntype = "rest"\nseconds = 3\n'
    )
    _, out, _ = run_cli(capsys, "list", "--json")
    desk = [i for i in json.loads(out) if i["name"] == "desk-break"]
    assert [(d["title"], d["source"], d["replaces_bundled"]) for d in desk] == [
        ("My desk break", "user", True)
    ]
    (user / "mine.toml").write_text('[[steps]]\ntype = "rest"\nseconds = 3\n')
    _, out, _ = run_cli(capsys, "list")
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert lines["desk-break"].endswith("My desk break  (yours, in place of the bundled one)")
    assert lines["mine"].endswith("  (yours)")
    assert "yours" not in lines["spasm-first-aid"]
    _, out, _ = run_cli(capsys, "plan", "desk-break", "--json")
    assert json.loads(out)["title"] == "My desk break"


def test_list_text(capsys) -> None:
    status, out, _ = run_cli(capsys, "list")
    assert status == 0
    assert len(out.splitlines()) == len(BUNDLED)
    assert "Spasm first aid" in out


def test_new_writes_a_valid_commented_program_and_never_overwrites(capsys, tmp_path) -> None:
    target = tmp_path / "mine.toml"
    status, _out, _ = run_cli(capsys, "new", str(target))
    assert status == 0
    text = target.read_text()
    assert text.startswith("# A spasmtimer program.")
    assert text.count("[[steps]]") == 3
    tomllib.loads(text)
    assert run_cli(capsys, "check", str(target))[0] == 0
    target.write_text("mine, edited")
    status, _, err = run_cli(capsys, "new", str(target))
    assert status == 1
    assert "already exists" in err
    assert target.read_text() == "mine, edited"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.toml"]  # no temporary file left


def test_new_adds_the_toml_suffix(capsys, tmp_path) -> None:
    assert run_cli(capsys, "new", str(tmp_path / "drill"))[0] == 0
    assert (tmp_path / "drill.toml").is_file()


def test_new_on_a_fresh_install_makes_the_programs_folder(capsys) -> None:
    # Nothing of ~/.config/spasmtimer exists yet; "~" as the shell would leave it, quoted.
    assert not user_programs_dir().exists()
    status, out, err = run_cli(capsys, "new", "~/.config/spasmtimer/programs/evening.toml")
    assert (status, err) == (0, "")
    path = user_programs_dir() / "evening.toml"
    assert tomllib.loads(path.read_text())["title"] == "Evening"
    assert "(and made the folder" in out
    assert out.rstrip().endswith("&& spasmtimer run evening")  # found by name from there
    status, out, _ = run_cli(capsys, "list")
    assert "evening" in out and "Evening" in out


def test_new_into_the_usual_programs_folder_goes_where_the_library_looks(
    capsys, tmp_path, monkeypatch
) -> None:
    """Issue: with XDG_CONFIG_HOME set, the README's `new ~/.config/spasmtimer/programs/…`
    wrote a program `list` never showed, and the starter's comment said it would appear."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    status, out, err = run_cli(capsys, "new", "~/.config/spasmtimer/programs/evening.toml")
    assert (status, err) == (0, "")
    path = tmp_path / "elsewhere" / "spasmtimer" / "programs" / "evening.toml"
    assert user_programs_dir() / "evening.toml" == path
    assert path.is_file() and not (Path.home() / ".config" / "spasmtimer").exists()
    assert out.splitlines()[0] == (
        f"Your programs are in {path.parent}/, not in ~/.config/spasmtimer/programs/, since "
        "XDG_CONFIG_HOME is set: the program is written there, for the library to find."
    )
    assert out.rstrip().endswith("&& spasmtimer run evening")
    # the starter's comment names the folder the library looks in
    assert f"Programs saved in\n# {path.parent}/ appear in the library" in path.read_text()
    assert "evening" in run_cli(capsys, "list")[1]


def test_new_elsewhere_says_the_library_will_not_show_it(capsys, tmp_path) -> None:
    status, out, _ = run_cli(capsys, "new", str(tmp_path / "drill.toml"))
    assert status == 0
    assert out.splitlines()[-1] == (
        "The library (list, the app) shows the programs in ~/.config/spasmtimer/programs/; "
        "this one runs by its path."
    )
    assert "Programs saved in\n# ~/.config/spasmtimer/programs/ appear" in (
        tmp_path / "drill.toml"
    ).read_text()


def test_new_takes_a_title_or_makes_one_from_the_name(capsys, tmp_path) -> None:
    target = tmp_path / "evening-unwind.toml"
    assert run_cli(capsys, "new", str(target))[0] == 0
    assert tomllib.loads(target.read_text())["title"] == "Evening unwind"
    quoted = tmp_path / "q.toml"
    title = 'Physio\'s "evening" drill \\ 2'
    assert run_cli(capsys, "new", str(quoted), "--title", title)[0] == 0
    assert tomllib.loads(quoted.read_text())["title"] == title
    assert run_cli(capsys, "check", str(quoted))[0] == 0


@pytest.mark.parametrize("title", ["", "   ", "bad\x1b[31m"])
def test_new_refuses_a_title_that_is_not_plain_text(capsys, tmp_path, title: str) -> None:
    status, _, err = run_cli(capsys, "new", str(tmp_path / "x.toml"), "--title", title)
    assert status == 1
    assert "--title must be plain text" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("", "give the new program's file name, such as my-stretches.toml"),
        ("  ", "give the new program's file name, such as my-stretches.toml"),
        ("bad\x1b[31m", "'bad\\x1b[31m': a program's file name must be plain text, on one line"),
        ("two\nlines", "'two\\nlines': a program's file name must be plain text, on one line"),
    ],
)
def test_new_says_what_is_wrong_with_a_name(
    capsys, tmp_path, monkeypatch, name: str, said: str
) -> None:
    monkeypatch.chdir(tmp_path)
    status, _, err = run_cli(capsys, "new", name)
    assert (status, err) == (1, f"spasmtimer: {said}\n")
    assert list(tmp_path.iterdir()) == []


def test_new_where_a_folder_cannot_be_made_fails_cleanly(capsys, tmp_path) -> None:
    (tmp_path / "file").write_text("not a folder")
    status, _, err = run_cli(capsys, "new", str(tmp_path / "file" / "x.toml"))
    assert status == 1
    assert "cannot be written" in err


def test_schema_is_json(capsys) -> None:
    status, out, _ = run_cli(capsys, "schema")
    assert status == 0
    schema = json.loads(out)
    assert schema["title"] == "spasmtimer program"
    assert schema["properties"]["steps"]["description"]


def test_run_of_a_missing_or_invalid_program_exits_1(capsys) -> None:
    assert run_cli(capsys, "run", "no-such-program", "--plain")[0] == 1
    status, _, err = run_cli(capsys, "run", str(DATA / "broken" / "negative_hold.toml"), "--plain")
    assert status == 1
    assert "must be greater than 0" in err


def test_a_level_beyond_any_use_is_a_usage_error(capsys) -> None:
    status, _, err = run_cli(capsys, "plan", "desk-break", "--level", "99999999999999999999")
    assert status == 2
    assert "must be from 0 to 1,000,000" in err


def test_check_a_folder_and_new_into_a_folder(capsys, tmp_path) -> None:
    status, _, err = run_cli(capsys, "check", str(tmp_path))
    assert (status, "is a folder, not a program file" in err) == (1, True)
    status, _, err = run_cli(capsys, "new", str(tmp_path))
    assert (status, "is a folder" in err) == (1, True)
    assert list(tmp_path.iterdir()) == []




def test_an_unexpected_error_is_one_line_and_a_wrapped_ctrl_c_is_a_ctrl_c(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spasmtimer.cli import entry as cli
    from spasmtimer.cli.commands import list as list_command

    def broken(args: object, context: object) -> int:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(list_command, "run", broken)
    assert cli.main(["list"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "spasmtimer: internal error: ZeroDivisionError: a bug (please report it; "
        "SPASMTIMER_DEBUG=1 shows the traceback)\n"
    )

    def interrupted_import(args: object, context: object) -> int:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as e:
            raise RuntimeError("Error calling __set_name__") from e

    monkeypatch.setattr(list_command, "run", interrupted_import)
    assert cli.main(["list"]) == 130
    monkeypatch.setenv("SPASMTIMER_DEBUG", "1")
    monkeypatch.setattr(list_command, "run", broken)
    with pytest.raises(ZeroDivisionError):
        cli.main(["list"])


def test_every_command_is_listed_so_that_it_can_be_built_alone(capsys) -> None:
    import argparse

    from spasmtimer.cli.commands import COMMANDS
    from spasmtimer.cli.parser import build_parser

    def commands_of(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return dict(action.choices)

    every = commands_of(build_parser())
    assert tuple(every) == COMMANDS
    for name in COMMANDS:
        alone = commands_of(build_parser(only=name))
        assert list(alone) == [name]
        assert alone[name].format_help() == every[name].format_help()
    status, out, _ = run_cli(capsys, "--help")
    assert status == 0
    assert all(f"    {name}" in out for name in COMMANDS)
