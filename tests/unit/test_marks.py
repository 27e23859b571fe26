"""A step marked as having hurt or been too hard: kept with the session, held at its level
after two sessions in a row, let go after one without the mark; said by `plan`, the preview
and the report; asked in the summary and by --plain."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.cli import main
from spasmtimer.cli.plain import ask_marks
from spasmtimer.history.store import History
from spasmtimer.program.loader import load_program
from spasmtimer.program.timeline import expand
from spasmtimer.session.levels import CountedSession, holds
from tests.history_support import Past, record

START = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
PROGRAM = """title = "Two stretches"
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = 10
progress = { hold = { by = 5, every = 1, max = 60 } }
[[steps]]
type = "stretch"
name = "Pelvic tilt"
hold = 10
progress = { hold = { by = 5, every = 1, max = 60 } }
"""


def counted(level: int, *marks: int) -> CountedSession:
    return CountedSession(level, None, None, START, marks)


@pytest.mark.parametrize(
    ("newest_first", "held"),
    [
        ([], ()),
        ([counted(3, 1)], ()),  # marked once: not held
        ([counted(4, 1), counted(3, 1)], ((1, 4),)),  # twice in a row: held where it was
        ([counted(5, 1), counted(4, 1), counted(3, 1)], ((1, 4),)),  # still: at the run's 2nd
        ([counted(5), counted(4, 1), counted(3, 1)], ()),  # a session without it lets it go
        ([counted(5, 1), counted(4), counted(3, 1)], ()),  # not in a row
        ([counted(6, 0, 1), counted(5, 0), counted(4, 1)], ((0, 6),)),  # each step on its own
    ],
)
def test_a_step_is_held_after_two_marks_in_a_row_until_one_without(
    newest_first: list[CountedSession], held: tuple[tuple[int, int], ...]
) -> None:
    assert holds(newest_first) == held


def test_a_held_step_runs_at_its_level_and_the_others_go_on(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(PROGRAM)
    program = load_program(path)
    [knee, tilt, *_] = [p for p in expand(program, 6, [(1, 4)]).phases if p.kind == "hold"]
    assert (knee.seconds, tilt.seconds) == (40, 30)
    # A hold never raises a step past the program's level.
    [_, tilt, *_] = [p for p in expand(program, 2, [(1, 4)]).phases if p.kind == "hold"]
    assert tilt.seconds == 20


def test_marks_are_kept_and_plan_says_which_step_is_held(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.toml"
    path.write_text(PROGRAM)
    history = History.open(history_file())
    at = [START + timedelta(days=n) for n in range(3)]
    record(
        history,
        Past("two", 0, at[0], marks=(1,), done=20, planned=20),
        Past("two", 1, at[1], marks=(1,), done=20, planned=20),
    )
    [first, second] = history.sessions("two")
    assert (first.marks, second.marks) == ((1,), (1,))
    assert history.current_level("two", None, at[2]).held == ((1, 1),)
    history.close()
    assert main(["plan", str(path)]) == 0
    plan = capsys.readouterr().out
    assert "Step 2, Pelvic tilt, is held at level 1: you marked it as hurting" in plan
    assert main(["plan", str(path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["held"] == [{"step": 2, "level": 1}]
    holds_seconds = [p["seconds"] for p in document["phases"] if p["kind"] == "hold"]
    assert holds_seconds == [20, 15]  # level 2 for the knee; the tilt held at 1
    # A third session without the mark lets it go.
    history = History.open(history_file())
    record(history, Past("two", 2, at[2], done=20, planned=20))
    assert history.current_level("two", None, at[2] + timedelta(hours=1)).held == ()
    history.close()


def test_history_json_gives_the_marks(capsys: pytest.CaptureFixture[str]) -> None:
    history = History.open(history_file())
    record(history, Past("desk-break", 0, START, marks=(0, 2)))
    history.close()
    assert main(["history", "--json"]) == 0
    [session] = json.loads(capsys.readouterr().out)
    assert session["marks"] == [0, 2]


def test_a_marks_column_that_is_not_step_numbers_leaves_its_row_out() -> None:
    history = History.open(history_file())
    [sid] = record(history, Past("desk-break", 0, START))
    with history.connection:
        history.connection.execute("UPDATE sessions SET marks = 'x,1' WHERE uid = ?", (sid,))
    assert history.sessions() == []
    assert any("cannot be read" in w for w in history.warnings)
    history.close()


@pytest.mark.parametrize(
    ("typed", "marks", "still_open"),
    [
        ("\n", (), True),
        ("2\n", (1,), True),
        ("3, 1 3\n", (0, 2), True),
        ("4\n", (), True),  # no such step: said, and nothing taken from a pipe
        ("", (), False),
    ],
)
def test_plain_asks_which_steps_hurt(
    typed: str, marks: tuple[int, ...], still_open: bool
) -> None:
    said = io.StringIO()
    assert ask_marks(["A", "B", "C"], io.StringIO(typed), said) == (marks, still_open)
    if typed == "4\n":
        assert "Give step numbers from 1 to 3" in said.getvalue()


def test_the_librarys_levels_hold_marked_steps_without_reading_again(tmp_path: Path) -> None:
    """The library asks every level from one read, on a connection closed before it shows
    them (`StoredHistory.levels`): a program whose steps were marked gives its held steps from
    that read, as `current_level` does, rather than reading again (which failed, closed, and
    took the app down as the library opened)."""
    from spasmtimer.history.service import StoredHistory

    now = START + timedelta(days=2)
    history = History.open(tmp_path / "history.sqlite3", now=lambda: now)
    record(
        history,
        Past("two", 0, START, marks=(1,), done=20, planned=20),
        Past("two", 1, START + timedelta(days=1), marks=(1,), done=20, planned=20),
        Past("other", 3, START, done=20, planned=20),
    )
    level_of = StoredHistory(history, print).levels()  # its own reader: closed on return
    for program in ("two", "other", "never-run"):
        assert level_of(program, None) == history.current_level(program, None, now)
    assert level_of("two", None).held == ((1, 1),)
    history.close()
