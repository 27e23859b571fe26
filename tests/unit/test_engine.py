"""The session engine, driven through every operation and edge by a fake clock."""

from __future__ import annotations

import pytest

from spasmtimer.program.model import parse_breath
from spasmtimer.program.timeline import Phase, Timeline
from spasmtimer.session.engine import Session, Status, breath_at
from tests.support import FakeClock


def timeline(*phases: Phase) -> Timeline:
    return Timeline("test", 0, phases, sum(p.seconds for p in phases))


def hold(seconds: float, **kw: object) -> Phase:
    return Phase("hold", seconds, "Stretch", step=0, **kw)  # type: ignore[arg-type]


def rest(seconds: float) -> Phase:
    return Phase("rest", seconds, "Rest")


THREE = timeline(Phase("prepare", 5, "Get ready"), hold(15, halfway="Breathe out"), rest(10))


@pytest.fixture
def session(clock: FakeClock) -> Session:
    s = Session(THREE, clock)
    s.start()
    return s


# --- time done -----------------------------------------------------------------------------


def test_done_time_is_the_time_spent_in_phases(session: Session, clock: FakeClock) -> None:
    clock.advance(7)
    session.pause()
    clock.advance(100)  # paused: not done
    session.resume()
    clock.advance(3)
    assert session.done_seconds() == pytest.approx(10)
    assert session.state_at().done_seconds == pytest.approx(10)


def test_skipping_through_is_not_done(session: Session, clock: FakeClock) -> None:
    for _ in range(3):
        clock.advance(0.2)
        session.skip()
    state = session.state_at()
    assert state.status is Status.FINISHED and state.elapsed == 30  # reached its end ...
    assert session.done_seconds() == pytest.approx(0.6)  # ... having done 0.6 s of it
    clock.advance(50)
    assert session.done_seconds() == pytest.approx(0.6)  # and it stays so once over


def test_time_cut_is_not_done_and_time_added_then_held_is(
    session: Session, clock: FakeClock
) -> None:
    clock.advance(6)  # 1 s into the 15 s hold
    session.adjust(+5)  # 20 s
    clock.advance(19)  # holds all of it
    session.adjust(-5)  # the rest: 10 s cut to 5
    clock.advance(5)
    assert session.state_at().status is Status.FINISHED
    assert session.done_seconds() == pytest.approx(5 + 20 + 5)


def test_time_gone_back_over_is_done_again(session: Session, clock: FakeClock) -> None:
    clock.advance(12)  # 7 s into the hold
    session.back()  # the hold again from its start
    clock.advance(15 + 10)
    assert session.state_at().status is Status.FINISHED
    assert session.done_seconds() == pytest.approx(12 + 25)


def test_a_stopped_session_is_done_up_to_its_stop(session: Session, clock: FakeClock) -> None:
    clock.advance(8)
    session.stop()
    clock.advance(60)
    assert session.done_seconds() == pytest.approx(8)


def test_ready_until_started(clock: FakeClock) -> None:
    s = Session(THREE, clock)
    clock.advance(100)
    state = s.state_at()
    assert (state.status, state.index, state.elapsed) == (Status.READY, 0, 0)
    assert s.due_cues() == []


@pytest.mark.parametrize(
    ("at", "index", "phase_remaining", "elapsed"),
    [
        (0, 0, 5, 0),
        (4.999, 0, 0.001, 4.999),
        (5, 1, 15, 5),
        (12.5, 1, 7.5, 12.5),
        (20, 2, 10, 20),
        (29.9, 2, 0.1, 29.9),
    ],
)
def test_countdown_at_chosen_instants(
    session: Session,
    clock: FakeClock,
    at: float,
    index: int,
    phase_remaining: float,
    elapsed: float,
) -> None:
    clock.advance(at)
    state = session.state_at()
    assert state.status is Status.RUNNING
    assert state.index == index
    assert state.phase_remaining == pytest.approx(phase_remaining, abs=1e-9)
    assert state.elapsed == pytest.approx(elapsed, abs=1e-9)
    assert state.remaining == pytest.approx(30 - elapsed, abs=1e-9)


def test_finishes_exactly_at_the_sum_of_its_phases(session: Session, clock: FakeClock) -> None:
    clock.advance(30)
    state = session.state_at()
    assert state.status is Status.FINISHED
    assert (state.index, state.remaining, state.phase_remaining) == (2, 0, 0)
    assert session.ended_at() == 1030
    clock.advance(1000)
    assert session.state_at().elapsed == 30


def test_hundreds_of_short_phases_end_on_time_whenever_it_is_asked(clock: FakeClock) -> None:
    s = Session(timeline(*[hold(0.1) for _ in range(500)]), clock)
    s.start()
    clock.advance(49.9999)
    assert s.state_at().index == 499
    assert s.state_at().status is Status.RUNNING
    clock.advance(0.0001)
    assert s.state_at().status is Status.FINISHED
    assert s.ended_at() == pytest.approx(1050, abs=1e-9)


def test_pause_stops_time_and_resume_continues(session: Session, clock: FakeClock) -> None:
    clock.advance(7)
    session.pause()
    clock.advance(60)
    state = session.state_at()
    assert state.status is Status.PAUSED
    assert (state.index, state.phase_remaining) == (1, 13)
    session.resume()
    clock.advance(3)
    assert session.state_at().phase_remaining == 10
    clock.advance(20)
    assert session.state_at().status is Status.FINISHED
    assert session.ended_at() == 1000 + 30 + 60


def test_pause_during_the_last_second(session: Session, clock: FakeClock) -> None:
    clock.advance(29.5)
    session.pause()
    clock.advance(10)
    state = session.state_at()
    assert (state.status, state.phase_remaining) == (Status.PAUSED, 0.5)
    session.resume()
    clock.advance(0.4999)
    assert session.state_at().status is Status.RUNNING
    clock.advance(0.0001)
    assert session.state_at().status is Status.FINISHED
    assert session.ended_at() == pytest.approx(1040)


def test_toggle_pause_and_double_pause(session: Session, clock: FakeClock) -> None:
    session.toggle_pause()
    session.pause()  # already paused: nothing more happens
    clock.advance(5)
    session.toggle_pause()
    session.resume()  # already running
    assert [e.kind for e in session.events] == ["start", "pause", "resume"]
    assert session.state_at().elapsed == 0


def test_skip_goes_to_the_next_phase(session: Session, clock: FakeClock) -> None:
    clock.advance(2)
    session.skip()
    state = session.state_at()
    assert (state.index, state.phase_elapsed, state.elapsed) == (1, 0, 5)
    clock.advance(1)
    assert session.state_at().phase_remaining == 14


def test_skip_past_the_end(session: Session, clock: FakeClock) -> None:
    clock.advance(21)
    session.skip()  # from the last phase: the session ends now
    assert session.state_at().status is Status.FINISHED
    assert session.ended_at() == 1021
    session.skip()
    assert [e.kind for e in session.events] == ["start", "skip"]


def test_skip_while_paused_stays_paused(session: Session, clock: FakeClock) -> None:
    session.pause()
    session.skip()
    clock.advance(10)
    state = session.state_at()
    assert (state.status, state.index, state.phase_elapsed) == (Status.PAUSED, 1, 0)


def test_back_restarts_the_current_phase(session: Session, clock: FakeClock) -> None:
    clock.advance(5 + 9)
    session.back()
    state = session.state_at()
    assert (state.index, state.phase_elapsed) == (1, 0)
    clock.advance(15 + 10)
    assert session.state_at().status is Status.FINISHED
    assert session.ended_at() == 1000 + 14 + 25


def test_back_in_the_first_seconds_goes_to_the_previous_phase(
    session: Session, clock: FakeClock
) -> None:
    clock.advance(5 + 1.5)
    session.back()
    state = session.state_at()
    assert (state.index, state.phase_elapsed) == (0, 0)


def test_back_at_the_first_phase_restarts_it(session: Session, clock: FakeClock) -> None:
    clock.advance(0.5)
    session.back()
    assert session.state_at().phase_remaining == 5
    clock.advance(3)
    session.back()
    assert session.state_at().phase_remaining == 5


def test_adjust_lengthens_and_shortens_the_current_phase(
    session: Session, clock: FakeClock
) -> None:
    clock.advance(6)
    session.adjust(+5)
    state = session.state_at()
    assert (state.phase_seconds, state.phase_remaining, state.total) == (20, 19, 35)
    session.adjust(-5)
    session.adjust(-5)
    assert session.state_at().phase_remaining == 9
    assert session.state_at().total == 25
    assert [e.seconds for e in session.events if e.kind == "adjust"] == [5, -5, -5]


def test_adjust_below_zero_ends_the_phase_now(session: Session, clock: FakeClock) -> None:
    clock.advance(5 + 12)  # 3 s left of the hold
    session.adjust(-5)
    state = session.state_at()
    assert (state.index, state.phase_elapsed) == (2, 0)
    assert session.events[-1].seconds == pytest.approx(-3)
    assert state.total == 27
    clock.advance(10)
    assert session.state_at().status is Status.FINISHED


def test_adjust_while_paused(session: Session, clock: FakeClock) -> None:
    clock.advance(1)
    session.pause()
    session.adjust(5)
    clock.advance(100)
    assert session.state_at().phase_remaining == 9


def test_stop(session: Session, clock: FakeClock) -> None:
    clock.advance(8)
    session.stop()
    clock.advance(50)
    state = session.state_at()
    assert (state.status, state.elapsed) == (Status.STOPPED, 8)
    assert session.ended_at() == 1008
    for operation in (session.skip, session.back, session.pause, session.resume, session.stop):
        operation()
    session.adjust(5)
    assert [e.kind for e in session.events] == ["start", "stop"]


def test_stop_after_finishing_changes_nothing(session: Session, clock: FakeClock) -> None:
    clock.advance(31)
    session.stop()
    assert session.state_at().status is Status.FINISHED


def test_events_carry_their_times_and_phases(session: Session, clock: FakeClock) -> None:
    clock.advance(3)
    session.pause()
    clock.advance(4)
    session.resume()
    clock.advance(6)
    session.skip()
    session.adjust(5)
    session.back()
    session.stop()
    assert [(e.kind, e.elapsed, e.phase) for e in session.events] == [
        ("start", 0, 0),
        ("pause", 3, 0),
        ("resume", 7, 0),
        ("skip", 13, 1),
        ("adjust", 13, 2),
        ("back", 13, 2),
        ("stop", 13, 1),
    ]


def cue_log(
    session: Session, clock: FakeClock, until: float, step: float = 0.25
) -> list[tuple[float, str, str]]:
    log: list[tuple[float, str, str]] = []
    t = 0.0
    while t <= until + 1e-9:
        log += [(round(c.at, 3), c.kind, c.text) for c in session.due_cues()]
        clock.advance(step)
        t += step
    return log


def test_cues_of_a_session(session: Session, clock: FakeClock) -> None:
    assert cue_log(session, clock, 31) == [
        (0, "start", "Get ready"),
        (2, "countdown", "3"),
        (3, "countdown", "2"),
        (4, "countdown", "1"),
        (5, "start", "Stretch: hold"),
        (12.5, "halfway", "Breathe out"),  # half of an odd hold
        (17, "countdown", "3"),
        (18, "countdown", "2"),
        (19, "countdown", "1"),
        (20, "start", "Rest"),
        (27, "countdown", "3"),
        (28, "countdown", "2"),
        (29, "countdown", "1"),
        (30, "end", "Session complete"),
    ]


def test_cues_are_given_once_even_when_asked_rarely(session: Session, clock: FakeClock) -> None:
    clock.advance(13)
    assert [c.kind for c in session.due_cues()] == [
        "start",
        "countdown",
        "countdown",
        "countdown",
        "start",
        "halfway",
    ]
    assert session.due_cues() == []


def test_a_skip_passes_over_cues_and_back_repeats_them(session: Session, clock: FakeClock) -> None:
    session.due_cues()
    clock.advance(1)
    session.skip()
    assert [c.text for c in session.due_cues()] == ["Stretch: hold"]
    clock.advance(1)
    session.back()  # in the hold's first seconds: back to get ready
    assert [c.text for c in session.due_cues()] == ["Get ready"]


def test_a_shortened_phase_still_starts_the_next_with_a_cue(
    session: Session, clock: FakeClock
) -> None:
    clock.advance(18)
    session.due_cues()
    session.adjust(-5)
    assert [c.text for c in session.due_cues()] == ["Rest"]


def test_switch_cue_names_the_side(clock: FakeClock) -> None:
    s = Session(
        timeline(
            hold(3, side="left leg"),
            Phase("switch", 2, "Stretch", side="right leg"),
            hold(3, side="right leg"),
        ),
        clock,
    )
    s.start()
    texts = [(c.kind, c.text) for c in s.due_cues(clock.now + 8)]
    assert ("switch", "Switch to right leg") in texts
    assert ("start", "Stretch: hold, left leg") in texts


def test_breath_cues_inside_a_hold(clock: FakeClock) -> None:
    s = Session(timeline(hold(20, breath=parse_breath("5-1-3"))), clock)
    s.start()
    log = [(at, text) for at, kind, text in cue_log(s, clock, 20) if kind == "breath"]
    assert log == [
        (0, "Breathe in"),
        (5, "Hold the breath"),
        (6, "Breathe out"),
        (9, "Breathe in"),
        (14, "Hold the breath"),
        (15, "Breathe out"),
        (18, "Breathe in"),
    ]
    assert s.started_at is not None
    state = s.state_at(s.started_at + 7.5)  # 1.5 s into the 3 s out-breath
    assert state.breath is not None
    assert (state.breath.part, state.breath.fraction) == ("exhale", 0.5)


def test_breath_state_of_a_breathing_phase(clock: FakeClock) -> None:
    s = Session(
        timeline(Phase("inhale", 4, "Breathe", cycle=1), Phase("exhale", 6, "Breathe", cycle=1)),
        clock,
    )
    s.start()
    clock.advance(1)
    breath = s.state_at().breath
    assert breath is not None and (breath.part, breath.fraction, breath.remaining) == (
        "inhale",
        0.25,
        3,
    )
    clock.advance(6)
    breath = s.state_at().breath
    assert breath is not None and (breath.part, breath.fraction) == ("exhale", 0.5)


@pytest.mark.parametrize(
    ("pattern", "t", "part"),
    [
        ("4-6", 3.9, "inhale"),
        ("4-6", 4, "exhale"),
        ("4-4-4-4", 13, "pause_out"),
        ("4-4-4-4", 16, "inhale"),
    ],
)
def test_breath_at(pattern: str, t: float, part: str) -> None:
    assert breath_at(parse_breath(pattern), t).part == part


def test_next_change_is_the_next_boundary(session: Session, clock: FakeClock) -> None:
    clock.advance(2)
    assert session.next_change() == 1005
    clock.advance(27)
    assert session.next_change() == 1030
    session.pause()
    assert session.next_change() is None


# --- taken up again: a get-ready first (docs/history.md, "Resuming") -----------------------

SIDES = timeline(
    Phase("prepare", 5, "Get ready"),
    hold(10, side="left"),
    Phase("switch", 5, "Stretch", side="right", step=0),
    hold(10, side="right", mirrored=True, figure="knee"),
)


def test_a_session_taken_up_again_gets_ready_before_the_rest_of_its_phase(
    clock: FakeClock,
) -> None:
    s = Session(SIDES, clock)
    s.start(at=17.5, done_before=17)  # 2.5 s into the switch
    state = s.state_at()
    assert state.resuming and (state.phase.kind, state.phase.name) == ("prepare", "Get ready")
    assert (state.index, state.elapsed, state.phase_remaining) == (2, 17.5, 5)  # the program's
    assert state.next == SIDES.phases[2]
    assert s.next_change() == 1005
    clock.advance(4.5)
    assert s.state_at().resuming and s.done_seconds() == 17  # getting ready is not done
    clock.advance(0.5)
    state = s.state_at()
    assert not state.resuming
    assert (state.index, state.phase_remaining, state.elapsed) == (2, 2.5, 17.5)
    clock.advance(12.5)
    assert s.state_at().status is Status.FINISHED
    assert s.done_seconds() == pytest.approx(17 + 12.5)
    assert s.ended_at() == 1000 + 5 + 12.5
    assert [e.kind for e in s.events] == ["resume"]


def test_the_get_ready_is_at_least_three_seconds_and_shows_the_figure_to_come(
    clock: FakeClock,
) -> None:
    s = Session(timeline(*SIDES.phases[1:]), clock)  # no get-ready of its own
    s.start(at=16)
    state = s.state_at()
    assert (state.phase_seconds, state.phase.figure, state.phase.mirrored) == (3, "knee", True)


def test_the_cues_of_the_get_ready_then_the_phase_part_way(clock: FakeClock) -> None:
    s = Session(SIDES, clock)
    s.start(at=17.5)
    assert cue_log(s, clock, 8) == [
        (17.5, "start", "Get ready"),
        (17.5, "countdown", "3"),
        (17.5, "countdown", "2"),
        (17.5, "countdown", "1"),
        (17.5, "switch", "Switch to right"),  # the bell to go on, though part way
        (20, "start", "Stretch: hold, right"),
    ]


def test_taken_up_at_a_phase_s_start_its_start_is_cued_once(clock: FakeClock) -> None:
    s = Session(SIDES, clock)
    s.start(at=15)
    assert [c.text for c in s.due_cues()] == ["Get ready"]
    clock.advance(5)
    assert [c.text for c in s.due_cues()] == ["3", "2", "1", "Switch to right"]


def test_keys_during_the_get_ready_touch_no_session_time(clock: FakeClock) -> None:
    s = Session(SIDES, clock)
    s.start(at=17.5)
    clock.advance(1)
    assert s.next_cue_in(10) == 1  # its countdown's 3
    s.adjust(5)  # longer to get ready
    assert s.state_at().phase_remaining == 9
    s.back()  # from its start again
    assert s.state_at().phase_remaining == 10
    s.pause()
    clock.advance(30)
    assert s.state_at().status is Status.PAUSED and s.state_at().resuming
    s.resume()
    s.skip()  # on with the session now, none of it skipped
    state = s.state_at()
    assert (state.resuming, state.index, state.phase_remaining) == (False, 2, 2.5)
    assert [e.kind for e in s.events] == ["resume", "pause", "resume"]


def test_stopped_while_getting_ready_it_is_where_it_was(clock: FakeClock) -> None:
    s = Session(SIDES, clock)
    s.start(at=17.5, done_before=17)
    clock.advance(2)
    s.stop()
    state = s.state_at()
    assert (state.status, state.elapsed, state.done_seconds) == (Status.STOPPED, 17.5, 17)
