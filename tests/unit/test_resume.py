"""Taking up a session stopped early: what may be offered, and that it goes on where it got
to, as the same session in the history, its time adding up."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spasmtimer.cli.plain import PlainRunner
from spasmtimer.history.recording import HistoryWriter, SessionRecorder
from spasmtimer.history.records import content_hash
from spasmtimer.history.service import find_resumable, resumption
from spasmtimer.history.store import History
from spasmtimer.program.loader import load_program
from spasmtimer.program.resolved import Program
from spasmtimer.program.timeline import expand
from spasmtimer.session.engine import Session, Status
from tests.support import FakeClock

PROGRAM = """title = "Desk break"
prepare = 5
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = 20
sides = "both"
switch = 5
reps = 2
rest = 10
progress = { hold = { by = 5, max = 40 } }
"""
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Wall:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def program(tmp_path: Path) -> Program:
    path = tmp_path / "desk-break.toml"
    path.write_text(PROGRAM)
    return load_program(path)


def run_and_stop(
    history: History,
    program: Program,
    clock: FakeClock,
    wall: Wall,
    *,
    seconds: float,
    pain_before: int | None = 6,
) -> None:
    """A session at level 1, stopped (a dropped connection, say) ``seconds`` in."""
    writer = HistoryWriter(history.path, warn=print)
    timeline = expand(program, 1)
    session = Session(timeline, clock)
    recorder = SessionRecorder(
        history, writer, program="desk-break", title="Desk break", path="/d", timeline=timeline
    )
    session.start()
    recorder.started(session, pain_before=pain_before)
    clock.advance(seconds)
    wall.now += timedelta(seconds=seconds)
    session.stop()
    recorder.sync(session)
    writer.close(5)


def test_a_stopped_session_goes_on_where_it_got_to_in_the_same_row(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=32.27)  # 2.27 s into the switch
    wall.now += timedelta(hours=2)
    stopped = find_resumable(history, "desk-break", program)
    assert stopped is not None
    assert stopped.position == stopped.done_seconds == pytest.approx(32.27)
    assert stopped.level == 1

    timeline = expand(program, stopped.level)
    session = Session(timeline, clock)
    out = io.StringIO()
    writer = HistoryWriter(history.path, warn=print)
    recorder = SessionRecorder(
        history,
        writer,
        program="desk-break",
        title="Desk break",
        path="/d",
        timeline=timeline,
        resuming=stopped,
    )
    runner = PlainRunner(
        session,
        title="Desk break",
        resume=resumption(stopped),
        stdin=io.StringIO("3\n"),
        stdout=out,
        stderr=io.StringIO(),
        sleep=clock.advance,
        recorder=recorder,
    )
    outcome = runner.run()
    writer.close(5)
    # docs/history.md, "Resuming": a get-ready (the program's 5 s), then on at the stopped
    # second: 2.73 s left of the 5 s switch, said as its count shows it
    assert out.getvalue().splitlines()[:3] == [
        "0:32  Get ready, 5 s, to go on where it stopped. Next: Knee to chest.",
        "0:32  Knee to chest: switch to right, 3 s.",
        "0:35  Knee to chest, right, rep 1 of 2: hold, 25 s.",
    ]
    assert (outcome.pain_before, outcome.pain_after) == (6, 3)  # the first rating is kept
    [row] = history.sessions()  # one session, not two
    planned = timeline.total_seconds
    assert (row.status, row.position) == ("completed", planned)
    assert row.done_seconds == pytest.approx(planned)  # 32 before, the rest now
    assert row.counted
    kinds = [kind for kind, *_ in history.events(row.id)]
    assert kinds == ["start", "stop", "resume"]


def test_a_pain_before_is_recorded_the_moment_it_is_typed(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    """docs/history.md, "Resuming": a session cut off just after has it, with no sync."""
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    writer = HistoryWriter(history.path, warn=print)
    timeline = expand(program, 0)
    session = Session(timeline, clock)
    recorder = SessionRecorder(
        history, writer, program="desk-break", title="Desk break", path="/d", timeline=timeline
    )
    session.start()
    recorder.started(session, pain_before=None)
    clock.advance(0.2)
    recorder.rated_before(session, 7)
    assert writer.flush(5)
    [row] = history.sessions()
    assert (row.status, row.pain_before) == ("running", 7)
    kept = recorder.keep(final=True)  # and a session kept aside has it too
    assert b'"pain_before":7' in kept.read_bytes()
    writer.close(5)


def test_a_plain_run_taken_up_again_asks_the_pain_not_given_before(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=32, pain_before=None)
    stopped = find_resumable(history, "desk-break", program)
    assert stopped is not None and stopped.pain_before is None
    timeline = expand(program, stopped.level)
    writer = HistoryWriter(history.path, warn=print)
    recorder = SessionRecorder(
        history, writer, program="desk-break", title="Desk break", path="/d",
        timeline=timeline, resuming=stopped,
    )  # fmt: skip
    runner = PlainRunner(
        Session(timeline, clock),
        title="Desk break",
        resume=resumption(stopped),
        stdin=io.StringIO("4\n2\n"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        sleep=clock.advance,
        recorder=recorder,
    )
    outcome = runner.run()
    writer.close(5)
    assert (outcome.pain_before, outcome.pain_after) == (4, 2)
    [row] = history.sessions()
    assert (row.pain_before, row.pain_after) == (4, 2)


def test_ratings_given_before_a_stop_are_kept_when_none_are_given_after(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=32)
    [row] = history.sessions()
    history.rate(row.id, 6, 3, "felt ok")  # the summary of the first run
    stopped = find_resumable(history, "desk-break", program)
    assert stopped is not None
    writer = HistoryWriter(history.path, warn=print)
    timeline = expand(program, stopped.level)
    recorder = SessionRecorder(
        history, writer, program="desk-break", title="Desk break", path="/d",
        timeline=timeline, resuming=stopped,
    )  # fmt: skip
    session = Session(timeline, clock)
    session.start(at=stopped.position, done_before=stopped.done_seconds)
    recorder.started(session, stopped.pain_before)
    clock.advance(10)
    session.stop()
    recorder.sync(session)
    recorder.rated(6, None, None)  # Esc at its summary, or --plain with no answer
    writer.close(5)
    [row] = history.sessions()
    assert (row.pain_before, row.pain_after, row.notes) == (6, 3, "felt ok")


def test_what_is_not_offered(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=32)
    wall.now += timedelta(hours=11, minutes=59)
    assert find_resumable(history, "desk-break", program) is not None
    wall.now += timedelta(minutes=2)  # more than 12 hours since it stopped
    assert find_resumable(history, "desk-break", program) is None
    wall.now -= timedelta(hours=6)
    changed = load_program(_changed(tmp_path))  # the holds are longer now
    assert content_hash(expand(changed, 1)) != history.sessions()[0].content_hash
    assert find_resumable(history, "desk-break", changed) is None
    assert find_resumable(history, "another-program", program) is None


def test_a_finished_session_or_one_stopped_at_once_is_not_offered(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=0)
    assert find_resumable(history, "desk-break", program) is None
    run_and_stop(history, program, clock, wall, seconds=10_000)  # past its end: completed
    assert history.sessions()[-1].status == "completed"
    assert find_resumable(history, "desk-break", program) is None


def test_only_the_latest_session_is_offered(
    tmp_path: Path, program: Program, clock: FakeClock, wall: Wall
) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=wall)
    run_and_stop(history, program, clock, wall, seconds=32)
    run_and_stop(history, program, clock, wall, seconds=10_000)  # then one done in full
    assert find_resumable(history, "desk-break", program) is None


def test_the_engine_counts_what_was_done_before(clock: FakeClock, program: Program) -> None:
    session = Session(expand(program, 0), clock)
    session.start(at=40, done_before=38)
    state = session.state_at()
    assert (state.status, state.elapsed, state.done_seconds) == (Status.RUNNING, 40, 38)
    assert [e.kind for e in session.events] == ["resume"]
    # nothing from before the stop is given again: a get-ready first, of the program's 5 s
    assert [c.text for c in session.due_cues()] == ["Get ready"]
    clock.advance(5)
    assert session.done_seconds() == pytest.approx(38)  # getting ready is not done
    clock.advance(5)
    assert session.done_seconds() == pytest.approx(43)


def _changed(folder: Path) -> Path:
    path = folder / "changed.toml"
    path.write_text(PROGRAM.replace("hold = 20", "hold = 25"))
    return path
