"""Programs, files and histories made by someone else: none of them can act on the terminal,
hang a command, or get a traceback out of it.

docs/guarantees.md and docs/history.md: "Text is text", "Files that are not what they seem", "The history survives
faults". Every command runs in-process through `main`, which is what the console script runs.
"""

from __future__ import annotations

import io
import json
import os
import re
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spasmtimer.base.locations import history_file, settings_file, user_programs_dir
from spasmtimer.base.text import CONTROL
from spasmtimer.cli import main
from spasmtimer.history.store import History
from spasmtimer.session.settings import load_settings

ESCAPES = {
    "osc title": "\x1b]0;pwned\x07",
    "osc 52 clipboard": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "csi clear": "\x1b[2J\x1b[H",
    "c1 csi": "\x9b31mred",
    "c1 osc": "\x9d0;pwned\x9c",
    "nul": "a\x00b",
    "del": "a\x7fb",
    "carriage return": "fake\rline",
}
MARKUP = [
    "[/]",
    "Hold [x2] gently",
    "[@click=app.screenshot('/tmp/x')]click me[/]",
    "[b]bold[/b] [red]red",
    "[link=https://example.com]link[/link]",
]
TEXT_FIELDS = ["title", "summary", "caution", "tags", "name", "cue", "halfway", "sides"]

LOCATED = re.compile(r"^.+:\d+:\d+: ")


def program(**fields: Any) -> dict[str, Any]:
    """A valid program with one stretch; ``fields`` go to the top or to the step."""
    top = {k: v for k, v in fields.items() if k in ("title", "summary", "caution", "tags")}
    step = {k: v for k, v in fields.items() if k not in top}
    return {"prepare": 0, **top, "steps": [{"type": "stretch", "hold": 1, **step}]}


def with_text(field: str, text: str) -> dict[str, Any]:
    value: Any = [text] if field == "tags" else [text, "right"] if field == "sides" else text
    return program(**{field: value})


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """One command, as its own process would run it: fresh caches, stdin at its end."""
    saved, sys.stdin = sys.stdin, io.StringIO()
    started = time.monotonic()
    try:
        status = main(list(args))
    finally:
        sys.stdin = saved
    assert time.monotonic() - started < 2, f"{args} took too long"
    out, err = capsys.readouterr()
    return status, out, err


def assert_clean(*outputs: str) -> None:
    """No control character a terminal could act on (tab and newline are text)."""
    for output in outputs:
        found = CONTROL.search(output)
        assert found is None, f"{found.group()!r} in {output!r}"
        assert "Traceback" not in output


# --- text is text -------------------------------------------------------------------------


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("name", list(ESCAPES))
def test_a_control_character_in_any_text_is_a_located_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, name: str
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(with_text(field, ESCAPES[name])))
    for command in (["check"], ["plan"], ["run", "--plain"]):
        status, out, err = run_cli(capsys, *command, str(path))
        assert status == 1, (command, out, err)
        assert_clean(out, err)
        [line] = err.splitlines()
        assert LOCATED.match(line), line
        where = line.split(": ")[1]
        assert where.split("[")[0] == field or where.endswith(f".{field}"), line
        assert "control character" in line


@pytest.mark.parametrize("text", MARKUP)
def test_brackets_are_text_exactly_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(program(title=text, name=text, cue=text)))
    status, out, err = run_cli(capsys, "plan", str(path))
    assert status == 0, err
    assert out.splitlines()[0] == text
    assert f"1. {text}" in out
    status, out, err = run_cli(capsys, "run", "--plain", str(path))
    assert status == 0, err
    assert f"{text}: hold, 1 s. {text}" in out


def test_a_quoted_key_with_escapes_is_echoed_escaped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[[steps]]\ntype = "rest"\nseconds = 5\n"\\u001b]0;pwned\\u0007" = 1\n')
    status, _, err = run_cli(capsys, "check", str(path))
    assert status == 1
    assert_clean(err)
    assert 'steps[0]."\\u001b]0;pwned\\u0007": unknown key `"\\u001b]0;pwned\\u0007"`' in err


def test_file_names_with_escapes_are_shown_safely(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    hostile = folder / "\x1b]0;pwned\x07.toml"
    hostile.write_text('[[steps]]\ntype = "rest"\nseconds = 5\n')
    (folder / "\x9b2J broken.toml").write_text("not toml at all [")
    for command in (["list"], ["list", "--json"], ["check", str(hostile)], ["plan", str(hostile)]):
        status, out, err = run_cli(capsys, *command)
        assert status in (0, 1)
        assert_clean(out, err)
    _, out, _ = run_cli(capsys, "list")
    assert "␛]0;pwned␇" in out  # there, and visible


def test_a_file_name_that_is_not_utf8_is_shown_escaped_and_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A program from an archive made on another system: "\\xfcbung.toml" (ü in Latin-1).
    `list`, `run` and the history stopped with UnicodeEncodeError."""
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    (folder / os.fsdecode(b"\xfcbung.toml")).write_text(
        'prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n'
    )
    (folder / os.fsdecode(b"caf\xe9 broken.toml")).write_text("not toml [")
    status, out, err = run_cli(capsys, "list")
    assert (status, err) == (0, "")
    assert "\\xfcbung" in out and "caf\\xe9 broken" in out
    status, out, _ = run_cli(capsys, "list", "--json")
    names = [entry["name"] for entry in json.loads(out)]
    assert status == 0 and "\\xfcbung" in names
    status, out, err = run_cli(capsys, "run", "\\xfcbung", "--plain")
    assert status == 0, err
    assert_clean(out, err)
    status, out, _ = run_cli(capsys, "history", "--json")
    [session] = json.loads(out)
    assert (status, session["program"], session["completed"]) == (0, "\\xfcbung", True)
    assert session["path"].endswith("\\xfcbung.toml")
    status, out, _ = run_cli(capsys, "plan", "\\xfcbung", "--json")
    assert status == 0 and json.loads(out)["name"] == "\\xfcbung"


# --- the history --------------------------------------------------------------------------


def hostile_history() -> Path:
    """A history whose rows hold escapes, markup and formulas, as another program could
    write them."""
    path = history_file()
    History.open(path).close()
    db = sqlite3.connect(path)
    row = (
        "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
        "updated_at, ended_at, status, planned_seconds, done_seconds, pain_before, pain_after, "
        "notes, host, pid) VALUES (?, ?, '/x', 'h', 0, ?, ?, ?, 'completed', 60, 60, 3, 2, ?, "
        "?, 1)"
    )
    when = "2026-11-20T08:00:00.000+00:00"
    for name, text in ESCAPES.items():
        db.execute(row, (f"p-{name}", text, when, when, when, text, socket.gethostname()))
    db.execute(row, ("formula", "=HYPERLINK(\"http://x\",\"y\")", when, when, when, "=1+1",
                     socket.gethostname()))
    db.execute(row, ("markup", "[/]", when, when, when, "[@click=app.quit]x[/]",
                     socket.gethostname()))
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize(
    ("when", "zone"),
    [
        ("9999-12-31T23:59:59.999+00:00", "Asia/Tokyo"),
        ("0001-01-01T00:00:00.000+00:00", "America/New_York"),
        ("2026-11-20T08:00:00.000", "UTC"),  # no zone at all
    ],
)
def test_a_row_at_the_edge_of_time_is_left_out_not_fatal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, when: str, zone: str
) -> None:
    """Shown in local time, a year-9999 time east of UTC (or year 1 west of it) ended
    `history` and `status` with OverflowError, every time."""
    History.open(history_file()).close()
    db = sqlite3.connect(history_file())
    db.execute(
        "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
        "updated_at, ended_at, status, planned_seconds, done_seconds, host, pid) "
        "VALUES ('p', 'P', '/x', 'h', 0, ?, ?, ?, 'completed', 60, 60, 'h', 1)",
        (when, when, when),
    )
    db.commit()
    db.close()
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for command in (["history"], ["status"], ["history", "--csv"]):
            status, _, err = run_cli(capsys, *command)
            assert status == 0, err
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("form", [[], ["--json"], ["--csv"]])
def test_history_rows_reach_no_terminal_as_escapes(
    capsys: pytest.CaptureFixture[str], form: list[str]
) -> None:
    hostile_history()
    status, out, err = run_cli(capsys, "history", *form)
    assert status == 0
    assert_clean(out, err)
    assert "Traceback" not in err


def test_the_csv_export_never_hands_a_spreadsheet_a_formula(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import csv
    import io

    hostile_history()
    _, out, _ = run_cli(capsys, "history", "--csv")
    rows = {r["program"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["formula"]["title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows["formula"]["notes"] == "'=1+1"
    assert rows["markup"]["notes"] == "[@click=app.quit]x[/]"
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("started_at", "yesterday-ish"),
        ("ended_at", "2026-13-45T99:00:00"),
        ("level", "three"),
        ("done_seconds", "lots"),
        ("pain_before", 99),
    ],
)
def test_a_row_that_cannot_be_read_is_skipped_with_a_warning(
    capsys: pytest.CaptureFixture[str], column: str, value: object
) -> None:
    path = history_file()
    history = History.open(path)
    for n in range(2):
        sid = history.begin(
            program="desk-break",
            title="Desk break",
            path="/x",
            content_hash="h",
            level=n,
            planned_seconds=60,
            started_at=history.now(),
            pain_before=None,
        )
        history.end(sid, completed=True, ended_at=history.now(), done_seconds=60)
    history.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA ignore_check_constraints = ON")  # another program need not keep them
    db.execute(f"UPDATE sessions SET {column} = ? WHERE uid = ?", (value, sid))
    db.commit()
    db.close()
    for command in (["history"], ["history", "--json"], ["plan", "desk-break"], ["list"]):
        status, out, err = run_cli(capsys, *command)
        assert status == 0, err
        assert f"session {sid} cannot be read" in err, command
        assert "Traceback" not in err
    _, out, _ = run_cli(capsys, "plan", "desk-break", "--json")
    assert '"level": 1' in out  # from the row that could be read
    assert not list(path.parent.glob("*unreadable*"))  # nothing moved aside


def test_a_locked_history_is_left_where_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    path = history_file()
    History.open(path).close()
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another program, writing for a long while
    try:
        for command in (["list"], ["plan", "desk-break"], ["history"]):
            status, _, err = run_cli(capsys, *command)
            assert status == 0, err
            assert "moved" not in err and "damaged" not in err
    finally:
        holder.rollback()
        holder.close()
    assert not list(path.parent.glob("*unreadable*"))


# --- files that are not what they seem ----------------------------------------------------

Maker = Callable[[Path], None]
"""Makes something that is not a program file at the path it is given."""


def fifo(path: Path) -> None:
    os.mkfifo(path)


def link_loop(path: Path) -> None:
    other = path.with_name(path.name + ".other")
    path.symlink_to(other)
    other.symlink_to(path)


def to_stdin(path: Path) -> None:
    path.symlink_to("/dev/stdin")


def to_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def a_folder(path: Path) -> None:
    path.mkdir()


def huge(path: Path) -> None:
    path.write_text("# " + "x" * (2 * 1024 * 1024) + "\n")


def binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 64)


NOT_FILES: dict[str, tuple[Maker, str]] = {
    "fifo": (fifo, "is a FIFO (a named pipe), not a program file"),
    "link loop": (link_loop, "is a link that leads round in a loop"),
    "/dev/stdin": (to_stdin, "not a program file"),
    "/dev/zero": (to_zero, "is a device, not a program file"),
    "folder": (a_folder, "is a folder, not a program file"),
    "huge": (huge, "is too large for a program file"),
    "binary": (binary, "is a binary file"),
}


@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_an_include_that_is_not_a_program_file_is_a_located_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    make, message = NOT_FILES[kind]
    target = tmp_path / "target.toml"
    make(target)
    parent = tmp_path / "parent.toml"
    parent.write_text(f'[[steps]]\ninclude = "{target.name}"\n')
    for command in (["check"], ["plan"], ["run", "--plain"]):
        status, out, err = run_cli(capsys, *command, str(parent))
        assert status == 1, (command, err)
        assert_clean(out, err)
        assert LOCATED.match(err) and message in err, err


@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_such_a_file_among_the_users_programs_never_stops_list(
    capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    NOT_FILES[kind][0](folder / "odd.toml")
    status, out, err = run_cli(capsys, "list")
    assert status == 0, err
    assert "desk-break" in out
    assert_clean(out, err)


def test_an_include_path_with_a_nul_byte_is_a_located_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    parent = tmp_path / "parent.toml"
    parent.write_text('[[steps]]\ninclude = "a\\u0000b.toml"\n')
    status, _, err = run_cli(capsys, "check", str(parent))
    assert status == 1
    assert err.startswith(f"{parent}:2:11: steps[0].include: must be plain text")


@pytest.mark.parametrize("kind", ["fifo", "link loop", "/dev/zero", "folder", "huge", "binary"])
def test_a_settings_file_that_is_not_one_never_stops_a_command(
    capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    settings_file().parent.mkdir(parents=True)
    NOT_FILES[kind][0](settings_file())
    started = time.monotonic()
    loaded = load_settings()
    assert time.monotonic() - started < 1
    assert loaded.problems and "using the default settings" in loaded.problems[0]
    status, out, err = run_cli(capsys, "list")
    assert status == 0 and "desk-break" in out
    assert_clean(err)


@pytest.mark.parametrize(
    "value",
    [
        "1e308",
        "1e-300",
        "-0.0",
        "nan",
        "inf",
        "-inf",
        "99999999999999999999999999999999999999",
        '"99999h"',
        '"0.0000001s"',
        '"1m70s"',
        "[[[[[[[[[[1]]]]]]]]]]",
        '"' + "9" * 5000 + 's"',
    ],
)
def test_huge_and_tiny_values_are_errors_or_fine_never_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str
) -> None:
    path = tmp_path / "p.toml"
    reps = 1 if value.startswith(("[", '"')) else value
    path.write_text(f'[[steps]]\ntype = "stretch"\nhold = {value}\nreps = {reps}\n')
    status, out, err = run_cli(capsys, "check", str(path))
    assert status in (0, 1)
    assert_clean(out, err)
    if status == 1:
        assert all(LOCATED.match(line) for line in err.splitlines()), err


# --- the fuzzer ---------------------------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.sampled_from([*ESCAPES.values(), *MARKUP]),
    st.text(max_size=20),
)
ANY_VALUE = st.recursive(
    st.one_of(
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        HOSTILE_TEXT,
        st.sampled_from(["20s", "1m30s", "both", "5-1-3", "0.001-0.001", "stretch", "breathe"]),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HOSTILE_TEXT, inner, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "type", "name", "hold", "reps", "sides", "switch", "rest", "rest_after", "cue",
        "halfway", "breath", "ramp", "progress", "inhale", "pause", "exhale", "pause_out",
        "cycles", "seconds", "include",
    ]
)
STEP = st.dictionaries(KEYS | HOSTILE_TEXT, ANY_VALUE, max_size=8).map(
    lambda step: {"type": "stretch", **step} if "include" not in step else step
)
PROGRAM = st.fixed_dictionaries(
    {"steps": st.lists(STEP, max_size=4)},
    optional={
        "title": ANY_VALUE,
        "rounds": ANY_VALUE,
        "defaults": st.dictionaries(KEYS, ANY_VALUE, max_size=4),
        "tags": ANY_VALUE,
    },
)


def toml_of(document: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):
        return None  # not a TOML document (a NaN as a key, a None): nothing to test


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(PROGRAM)
def test_whatever_a_program_holds_commands_answer_quickly_and_cleanly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, document: dict[str, Any]
) -> None:
    text = toml_of(document)
    if text is None:
        return
    path = tmp_path / "fuzzed.toml"
    path.write_text(text)
    for command in (["check"], ["plan"], ["plan", "--json"]):
        status, out, err = run_cli(capsys, *command, str(path))
        assert status in (0, 1), (command, err)
        assert_clean(out, err)
        if status == 1:
            lines = err.splitlines()
            assert lines and all(LOCATED.match(line) for line in lines), err


# --- histories of a shape this version does not know, in folders it cannot use -----------


def test_a_sessions_table_missing_a_column_is_read_and_sessions_still_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Another program dropped `notes`: history, list and run ended in "internal error:
    OperationalError", and run refused to time at all (issue 23)."""
    program = tmp_path / "q.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    assert run_cli(capsys, "run", str(program), "--plain")[0] == 0
    db = sqlite3.connect(history_file())
    db.execute("ALTER TABLE sessions DROP COLUMN notes")
    db.commit()
    db.close()
    for command in (["history"], ["history", "--json"], ["list"], ["status", str(program)]):
        status, _, err = run_cli(capsys, *command)
        assert status == 0, (command, err)
        assert "internal error" not in err and "Traceback" not in err
    status, out, _ = run_cli(capsys, "history", "--json")
    assert [s["notes"] for s in json.loads(out)] == [None]  # read as empty
    status, out, err = run_cli(capsys, "run", str(program), "--plain")
    assert status == 0 and "Rest: rest" in out
    assert "has no notes" in err and "kept in" in err  # recorded beside it
    assert len(list(history_file().parent.glob("*.unsaved-*.json"))) == 1


def test_a_data_folder_that_cannot_be_looked_into_still_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user's data folder (``sudo -E``, a shared XDG_DATA_HOME): run ended with a
    PermissionError traceback where it looked for the safety notice's record (issue 23). Root
    can look into any folder, so its refusal is played here."""
    data = history_file().parent
    real_stat = Path.stat

    def refused(self: Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if self.is_relative_to(data) and self != data:
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(Path, "stat", refused)
    program = tmp_path / "q.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    status, out, err = run_cli(capsys, "run", str(program), "--plain")
    assert status == 0, err
    assert "Rest: rest" in out and "Traceback" not in err
