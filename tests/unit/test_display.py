"""The session screen's text, worked out without Textual, and the words shared by every report."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from spasmtimer.program.loader import load_program
from spasmtimer.program.timeline import Phase, PhaseKind, expand
from spasmtimer.session.display import (
    Finished,
    SessionOutline,
    SessionView,
    done_text,
    measured_text,
    next_level_text,
    pain_text,
    phase_sentence,
    session_view,
    time_left_text,
    value_text,
)
from spasmtimer.session.engine import Session
from spasmtimer.session.levels import Level
from tests.support import FakeClock

SHORT = Path(__file__).parents[1] / "data" / "app" / "short.toml"


def test_values_are_counts_or_times() -> None:
    assert value_text("reps", 3) == "3"
    assert value_text("cycles", 12.0) == "12"
    assert value_text("hold", 90) == "1 min 30 s"
    assert value_text("exhale", 4.5) == "4.5 s"


def test_pain_reads_before_arrow_after() -> None:
    assert pain_text(4, 2) == "4 → 2"
    assert pain_text(None, 2) == "– → 2"
    assert pain_text(4, None) == "4 → –"
    assert pain_text(None, None) == ""


def test_time_left_counts_whole_minutes_rounded_down() -> None:
    """Issue: 4:17 showed "5 min left" and 1:04 "2 min left"."""
    assert time_left_text(59.9) == "under a minute left"
    assert time_left_text(60) == "1 min left"
    assert time_left_text(64) == "1 min left"
    assert time_left_text(257) == "4 min left"
    assert time_left_text(299.9) == "4 min left"
    assert time_left_text(300) == "5 min left"


def test_times_done_are_whole_seconds_rounded_down_as_everywhere() -> None:
    assert measured_text(47.4) == "47 s"
    assert measured_text(413.9) == "6 min 53 s"
    assert measured_text(256.9999999) == "4 min 17 s"  # a whole session, give or take a float
    assert done_text(47.4, 257) == "47 s done of 4 min 17 s"
    assert done_text(2.4, 115) == "2 s done of 1 min 55 s"


def summary(
    *,
    finished: bool = True,
    done: float = 60,
    cap: int | None = None,
    before: int | None = None,
    after: int | None = None,
) -> str:
    return next_level_text(
        Finished(level=2, finished=finished, done=done, planned=60),
        cap=cap,
        current=Level(1, eased_from=2, idle_days=9),
        pain_before=before,
        pain_after=after,
    )


def test_the_summary_says_what_a_session_means_for_the_next() -> None:
    assert summary() == "Next time: level 3."
    assert summary(before=3, after=4) == "Next time: level 3."
    assert summary(before=3, after=5) == "Pain 5 after 3 before: next time stays at level 2."
    assert summary(cap=2) == "Next time: level 2 again, the top of this program."


def test_the_summary_says_plainly_when_a_session_does_not_count() -> None:
    still = "Next time is still level 1, eased from 2 after 9 days."
    assert summary(finished=False) == f"Stopped early, so it does not count toward your level. {still}"
    assert summary(done=2.4) == (
        f"It does not count toward your level: 4% of it was done, and a session counts from 75%. {still}"
    )
    assert summary(done=44.4).startswith("It does not count toward your level: 74% of it was done")
    assert summary(done=45.6) == "Next time: level 3."


# --- the outline of a session's steps -----------------------------------------------------

KINDS: list[PhaseKind] = ["prepare", "hold", "switch", "rest", "inhale", "exhale"]


@st.composite
def phase_lists(draw: st.DrawFn) -> list[Phase]:
    """Any phases: steps in runs, interrupted by phases of no step, over rounds."""
    phases = []
    for _ in range(draw(st.integers(0, 40))):
        step = draw(st.one_of(st.none(), st.integers(0, 3)))
        phases.append(
            Phase(
                draw(st.sampled_from(KINDS)),
                1.0,
                "x",
                step=step,
                round=draw(st.integers(1, 2)),
            )
        )
    return phases


def outline_by_definition(phases: list[Phase]) -> list[tuple[int, float, int] | None]:
    """The rule as stated: a step is a run of consecutive phases of one step in one round;
    a phase's share done is the holds and inhales before it in its run."""
    runs: list[list[int]] = []
    for i, p in enumerate(phases):
        if p.step is None:
            continue
        q = phases[i - 1] if i else None
        if q is None or (q.step, q.round) != (p.step, p.round):
            runs.append([])
        runs[-1].append(i)
    places: list[tuple[int, float, int] | None] = [None] * len(phases)
    for number, run in enumerate(runs, start=1):
        anchors = [i for i in run if phases[i].kind in ("hold", "inhale")]
        for i in run:
            started = len([a for a in anchors if a <= i])
            done = max(0, started - 1) / len(anchors) if anchors else 0.0
            places[i] = (number, done, run[-1])
    return places


@given(phase_lists())
def test_the_outline_follows_its_definition(phases: list[Phase]) -> None:
    outline = SessionOutline(phases)
    got = [None if p is None else (p.number, p.done, p.end) for p in outline.places]
    assert got == outline_by_definition(phases)
    assert outline.step_count == len({p.number for p in outline.places if p})


# --- the view -----------------------------------------------------------------------------


def test_the_view_of_a_session_at_chosen_instants(clock: FakeClock) -> None:
    session = Session(expand(load_program(SHORT), 0), clock)
    outline = SessionOutline(session.phases)
    session.start()

    def view() -> SessionView:
        state = session.state_at()
        return session_view(
            session, outline, state, title="Short", level=Level(0), pain_before=None
        )

    ready = view()
    assert (ready.header, ready.step, ready.word, ready.countdown) == (
        "Short · level 0",
        "Get ready",
        "GET READY",
        "0:05",
    )
    assert ready.pain == "Pain now? Press 0–10 (optional)"
    assert ready.next == "Next: Knee to chest — hold, left, rep 1 of 2, 15 s"
    clock.advance(5 + 8)
    hold = view()
    assert (hold.header, hold.detail, hold.countdown) == (
        "Short · level 0 · step 1 of 2",
        "left, rep 1 of 2",
        "0:07",
    )
    assert hold.cue == "Halfway — Breathe out and relax your shoulders."
    assert (hold.step_label, hold.step_done, hold.pain) == ("rep 1 of 2", 0.0, "")
    session.pause()
    paused = view()
    assert paused.paused and paused.word == "PAUSED — space to resume"


def test_during_breathing_next_is_the_next_breath_then_what_follows(clock: FakeClock) -> None:
    """Issue: during a breathing drill "Next:" named what follows the drill."""
    session = Session(expand(load_program(SHORT), 0), clock)
    outline = SessionOutline(session.phases)
    session.start()

    def next_at(seconds: float) -> str:
        state = session.state_at(session.started_at + seconds if session.started_at else 0)
        return session_view(
            session, outline, state, title="Short", level=Level(0), pain_before=None
        ).next

    assert next_at(85 + 1) == "Next: Slow breathing — breathe in, cycle 1 of 2, 4 s"  # the rest
    assert next_at(95 + 1) == "Next: hold the breath, 1 s"
    assert next_at(99.5) == "Next: breathe out, 5 s"
    assert next_at(100 + 1) == "Next: breathe in, cycle 2 of 2, 4 s"
    assert next_at(110 + 1) == "Last one — nearly done"


# --- rounds -------------------------------------------------------------------------------

ROUNDS = """title = "Rounds"
rounds = 2
prepare = 1
[[steps]]
type = "stretch"
name = "Knee"
hold = 2
sides = "both"
switch = 1
[[steps]]
type = "rest"
seconds = 1
"""


def test_every_phase_of_a_program_with_rounds_says_its_round(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "rounds.toml"
    path.write_text(ROUNDS)
    timeline = expand(load_program(path), 0)
    lines = [phase_sentence(timeline.phases, i, p.seconds) for i, p in enumerate(timeline.phases)]
    assert lines == [
        "Get ready, round 1 of 2, 1 s. Next: Knee.",
        "Knee, left, round 1 of 2: hold, 2 s.",
        "Knee, round 1 of 2: switch to right, 1 s.",
        "Knee, right, round 1 of 2: hold, 2 s.",
        "Rest, round 1 of 2: rest, 1 s.",
        "Knee, left, round 2 of 2: hold, 2 s.",
        "Knee, round 2 of 2: switch to right, 1 s.",
        "Knee, right, round 2 of 2: hold, 2 s.",
        "Rest, round 2 of 2: rest, 1 s.",
    ]
    session = Session(timeline, clock)
    outline = SessionOutline(session.phases)
    session.start()
    clock.advance(7.5)
    view = session_view(
        session, outline, session.state_at(), title="R", level=Level(0), pain_before=None
    )
    assert view.detail == "left, round 2 of 2"
    clock.advance(2)
    view = session_view(
        session, outline, session.state_at(), title="R", level=Level(0), pain_before=None
    )
    assert (view.word, view.detail) == ("SWITCH TO RIGHT", "round 2 of 2")


def test_one_round_is_not_mentioned(tmp_path: Path) -> None:
    path = tmp_path / "once.toml"
    path.write_text(ROUNDS.replace("rounds = 2", "rounds = 1"))
    timeline = expand(load_program(path), 0)
    assert "round" not in " ".join(
        phase_sentence(timeline.phases, i, p.seconds) for i, p in enumerate(timeline.phases)
    )
