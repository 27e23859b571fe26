"""How times and phases are put into words, the same in ``plan``, ``--plain`` and the app.

`session_view` is the session screen's whole text, computed from the engine's state: the
screen only shows it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import msgspec

from spasmtimer.program.figures.pose import PoseName
from spasmtimer.program.resolved import Breathe, BreathPattern, ResolvedStep, Rest
from spasmtimer.program.timeline import COUNTS, KIND_WORDS, Phase
from spasmtimer.session.engine import Cue, Session, State, Status
from spasmtimer.session.levels import COUNTS_FROM, Level, counts, felt_worse, level_following


def clock_text(seconds: float) -> str:
    """``65`` -> ``"1:05"``; ``3725`` -> ``"1:02:05"``. Whole seconds, rounded down."""
    whole = max(0, math.floor(seconds + 1e-6))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def to_next_whole_second(seconds: float) -> float:
    """How long until a count of ``seconds`` (counting down, shown in whole seconds) shows a
    different one: when a countdown next needs drawing."""
    fraction = seconds - math.floor(seconds)
    return fraction if fraction > 1e-6 else 1.0


def count_from(seconds: float) -> int:
    """The whole seconds a count of ``seconds`` shows: rounded up, so that it shows 3, 2, 1
    and reaches 0 only at the end; ``0.27`` left shows as 1."""
    return math.ceil(max(0.0, seconds) - 1e-6)


def countdown(seconds: float) -> str:
    """Time left, as the count shows it (`count_from`)."""
    return clock_text(count_from(seconds))


def seconds_text(seconds: float) -> str:
    """``20`` -> ``"20 s"``, ``1.5`` -> ``"1.5 s"``, ``90`` -> ``"1 min 30 s"``."""
    if seconds < 60:
        return f"{seconds:g} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts)


def value_text(key: str, value: float) -> str:
    """A scheduled value as a person reads it: reps and cycles as counts, the rest as times."""
    return str(int(value)) if key in COUNTS else seconds_text(value)


def pain_text(before: int | None, after: int | None) -> str:
    """``"4 → 2"``, ``"– → 2"``, or empty when neither was given."""
    if before is None and after is None:
        return ""
    return f"{'–' if before is None else before} → {'–' if after is None else after}"


def measured_text(seconds: float) -> str:
    """A time measured rather than planned — done, or left — in whole seconds, rounded down,
    so that it never claims a second not reached: ``47.4`` is ``"47 s"``, ``413.9`` is
    ``"6 min 53 s"``."""
    return seconds_text(math.floor(max(0.0, seconds) + 1e-6))


def done_cell(seconds: float, completed: bool, status: str) -> str:
    """A session's time done in a table of sessions, as a clock reads (rounded down), and how
    it ended when it did not complete: ``"4:17"``, ``"0:30, stopped"`` — short enough that
    the notes beside it keep their room at 80 columns."""
    return clock_text(seconds) + ("" if completed else f", {status}")


def time_left_text(seconds: float) -> str:
    """The session's time left, in whole minutes rounded down as `measured_text` rounds: 4:17
    is "4 min left" (the big countdown already ticks each second)."""
    minutes = math.floor(max(0.0, seconds) / 60 + 1e-9)
    return f"{minutes} min left" if minutes else "under a minute left"


def done_text(done: float, planned: float) -> str:
    """``"3 min 10 s done of 4 min 17 s"``, ``"2 s done of 1 min 55 s"``: what was done as
    `measured_text` says it, of what the program planned."""
    return f"{measured_text(done)} done of {seconds_text(planned)}"


def counting_text(finished: bool, done: float, planned: float) -> str:
    """Why a session does not count toward the level, in a sentence; empty when it counts."""
    if not finished:
        return "Stopped early, so it does not count toward your level."
    if counts(finished, done, planned):
        return ""
    share = math.floor(100 * done / planned) if planned else 0
    return (
        f"It does not count toward your level: {share}% of it was done, and a session counts "
        f"from {COUNTS_FROM:.0%}."
    )


class Finished(msgspec.Struct, frozen=True):
    """What the summary needs to know of a session that is over."""

    level: int
    """The level it ran at."""
    finished: bool
    """It reached its end (by the clock, or skipped through)."""
    done: float
    planned: float


def finished(session: Session) -> Finished:
    """What the summary needs of ``session``, once it is over."""
    state = session.state_at(session.ended_at())
    return Finished(
        session.timeline.level,
        state.status is Status.FINISHED,
        state.done_seconds,
        session.timeline.total_seconds,
    )


def held_lines(steps: Sequence[ResolvedStep], level: Level) -> list[str]:
    """What the preview and ``plan`` say of each step whose progression is held."""
    lines = []
    for index, at in level.held:
        name = steps[index].name if index < len(steps) else "(a step no longer there)"
        lines.append(
            f"Step {index + 1}, {name}, is held at level {min(at, level.value)}: you marked it "
            "as hurting or too hard in your latest sessions in a row. It goes on once a "
            "session goes by without the mark."
        )
    return lines


def next_level_text(
    session: Finished,
    *,
    cap: int | None,
    current: Level,
    pain_before: int | None,
    pain_after: int | None,
) -> str:
    """What a session means for the next one, as its summary says it.

    ``current``: the program's level now, which a session that does not count leaves as it
    was; ``cap``: the program's cap level.
    """
    why_not = counting_text(session.finished, session.done, session.planned)
    if why_not:
        return f"{why_not} Next time is still {current}."
    following = level_following(session.level, pain_before, pain_after, cap)
    if felt_worse(pain_before, pain_after):
        ratings = f"Pain {pain_after} after {pain_before} before"
        return f"{ratings}: next time stays at level {following}."
    if following == session.level:
        return f"Next time: level {following} again, the top of this program."
    return f"Next time: level {following}."


def round_text(phase: Phase) -> str:
    """``"round 2 of 3"`` when the session has rounds; empty when it has one."""
    return f"round {phase.round} of {phase.rounds}" if phase.rounds > 1 else ""


def phase_detail(phase: Phase) -> str:
    """Side, rep, cycle and round: ``"left leg, rep 2 of 3"``, ``"cycle 4 of 8, round 2 of
    3"``; empty if none."""
    parts = []
    if phase.kind == "switch" and phase.side:
        parts.append(f"to {phase.side}")
    elif phase.side:
        parts.append(phase.side)
    if phase.rep is not None and (phase.reps or 0) > 1:
        parts.append(f"rep {phase.rep} of {phase.reps}")
    if phase.cycle is not None and (phase.cycles or 0) > 1:
        parts.append(f"cycle {phase.cycle} of {phase.cycles}")
    if phase.rounds > 1:
        parts.append(round_text(phase))
    return ", ".join(parts)


def _starts_step(phases: Sequence[Phase], index: int) -> bool:
    """Is this the first phase of its step (in this round)?"""
    phase = phases[index]
    if phase.step is None:
        return False
    before = phases[index - 1] if index else None
    return before is None or before.step != phase.step or before.round != phase.round


def phase_sentence(phases: Sequence[Phase], index: int, seconds: float) -> str:
    """The plain runner's line for a phase: step, side or cycle, what to do, for how long.

    The step's cue is given with its first phase only, and a rest between steps names what
    comes next, so that the person is never surprised and a screen reader is never chatty.
    """
    phase = phases[index]
    detail = phase_detail(phase)
    length = seconds_text(seconds)
    if phase.step is None:
        sentence = f"{phase.name}{f', {detail}' if detail else ''}, {length}."
        upcoming = next((p for p in phases[index + 1 :] if p.step is not None), None)
        if upcoming is not None:
            sentence += f" Next: {upcoming.name}."
        return " ".join(sentence.split())
    if phase.kind == "switch":
        which_round = round_text(phase)
        who = phase.name + (f", {which_round}" if which_round else "")
        what = f"switch to {phase.side}" if phase.side else "switch sides"
    else:
        who, what = phase.name + (f", {detail}" if detail else ""), KIND_WORDS[phase.kind]
    sentence = f"{who}: {what}, {length}."
    if phase.cue and _starts_step(phases, index):
        sentence += f" {phase.cue}"
    return " ".join(sentence.split())  # one line, whatever newlines a name or cue holds


def resumed_get_ready_sentence(get_ready: Phase, phases: Sequence[Phase], index: int) -> str:
    """The plain runner's line for the get-ready before a session taken up again goes on in
    the phase at ``index``."""
    detail = phase_detail(get_ready)
    where = f", {detail}" if detail else ""
    length = seconds_text(get_ready.seconds)
    sentence = f"{get_ready.name}{where}, {length}, to go on where it stopped."
    return " ".join(f"{sentence} Next: {phases[index].name}.".split())


def phase_word(phase: Phase) -> str:
    """The big word on the session screen: HOLD, BREATHE IN, SWITCH TO RIGHT LEG, ..."""
    if phase.kind == "switch" and phase.side:
        return f"switch to {phase.side}".upper()
    return KIND_WORDS[phase.kind].upper()


def next_text(phase: Phase | None, seconds: float | None = None) -> str:
    """What comes after the current phase, in a few words."""
    if phase is None:
        return "Last one"
    length = f", {seconds_text(seconds if seconds is not None else phase.seconds)}"
    if phase.kind == "switch":
        return f"Next: switch to {phase.side}{length}" if phase.side else f"Next: switch{length}"
    if phase.step is None:
        return f"Next: {phase.name.lower()}{length}"
    detail = f", {phase_detail(phase)}" if phase_detail(phase) else ""
    return f"Next: {phase.name} — {KIND_WORDS[phase.kind]}{detail}{length}"


def step_text(step: ResolvedStep) -> str:
    """One line saying what a step asks, at the values it has: ``hold 20 s × 3, each side``."""
    if isinstance(step, Rest):
        return f"rest {seconds_text(step.seconds)}"
    if isinstance(step, Breathe):
        rhythm = BreathPattern(step.inhale, step.pause, step.exhale, step.pause_out)
        return f"breathe {rhythm} × {step.cycles}"
    sides = f", {' / '.join(step.sides)}" if step.sides else ""
    reps = f" × {step.reps}" if step.reps > 1 else ""
    breath = f", breathing {step.breath}" if step.breath else ""
    return f"hold {seconds_text(step.hold)}{reps}{sides}{breath}"


# --- the session screen -------------------------------------------------------------------


class StepPlace(msgspec.Struct, frozen=True):
    """Where a phase stands in the session's steps."""

    number: int
    """1-based step number, counting the steps of every round."""
    done: float
    """How much of the step is done when this phase starts, 0 to 1, counted in holds and
    breaths so that the step's bar moves once a rep or a breath, not at every phase."""
    end: int
    """The index of the step's last phase."""


class SessionOutline:
    """The session's steps, worked out once, in one pass over its phases."""

    def __init__(self, phases: Sequence[Phase]) -> None:
        self.places: list[StepPlace | None] = [None] * len(phases)
        self.step_count = 0
        index = 0
        while index < len(phases):
            phase = phases[index]
            if phase.step is None:
                index += 1
                continue
            end = index
            while (
                end + 1 < len(phases)
                and phases[end + 1].step == phase.step
                and phases[end + 1].round == phase.round
            ):
                end += 1
            self.step_count += 1
            run = range(index, end + 1)
            anchors = sum(1 for i in run if phases[i].kind in ("hold", "inhale"))
            started = 0
            for i in run:
                started += phases[i].kind in ("hold", "inhale")
                done = max(0, started - 1) / anchors if anchors else 0.0
                self.places[i] = StepPlace(self.step_count, done, end)
            index = end + 1


class SessionView(msgspec.Struct, frozen=True):
    """Everything the session screen shows, as text (and two fractions for its bars)."""

    header: str
    step: str
    detail: str
    countdown: str
    word: str
    cue: str
    pain: str
    step_label: str
    step_done: float
    session_label: str
    session_done: float
    next: str
    paused: bool


def _step_label(phase: Phase) -> str:
    if phase.kind == "hold" and phase.rep is not None:
        return f"rep {phase.rep} of {phase.reps}"
    if phase.cycle is not None:
        return f"breath {phase.cycle} of {phase.cycles}"
    return KIND_WORDS[phase.kind]


def _cue(state: State) -> str:
    phase = state.phase
    if state.resuming and state.next is not None:
        return state.next.cue or ""  # what to get back into
    if phase.kind == "hold" and phase.halfway and state.phase_elapsed >= state.phase_seconds / 2:
        return f"Halfway — {phase.halfway}"
    return phase.cue or ""


BREATH_PART_WORDS = {"inhale": "inhale", "pause": "pause", "exhale": "exhale", "pause_out": "hold"}
"""How a part of a breath is named after a hold's word: HOLD · INHALE."""


def _word(state: State) -> str:
    if state.status is Status.PAUSED:
        return "PAUSED — space to resume"
    word = phase_word(state.phase)
    if state.phase.kind == "hold" and state.breath is not None:
        word += f" · {BREATH_PART_WORDS[state.breath.part]}".upper()
    return word


def _pain(phase: Phase, pain_before: int | None) -> str:
    if phase.kind != "prepare":
        return ""
    if pain_before is None:
        return "Pain now? Press 0–10 (optional)"
    return f"Pain before: {pain_before}"


def _next(session: Session, outline: SessionOutline, state: State) -> str:
    """What comes next: during a breathing drill, the next breath, in a few words (its drill's
    name is on screen already), and after its last, what follows the drill."""
    if state.resuming:  # getting ready: the rest of the phase it stopped in
        index = state.index
        left = session.starts[index] + session.durations[index] - state.elapsed
        return next_text(session.phases[index], count_from(left))
    index = state.index + 1
    if index >= len(session.phases):
        return "Last one — nearly done"
    following, seconds = session.phases[index], session.durations[index]
    place, after = outline.places[state.index], outline.places[index]
    same_step = place is not None and after is not None and place.number == after.number
    if following.cycle is not None and same_step:
        return next_breath_text(following, seconds)
    return next_text(following, seconds)


def next_breath_text(phase: Phase, seconds: float) -> str:
    """The next part of a breath in the same drill: ``"Next: breathe out, 3 s"``, with its
    cycle where a new one begins (``"Next: breathe in, cycle 2 of 8, 5 s"``)."""
    cycle = ""
    if phase.kind == "inhale" and phase.cycle is not None and (phase.cycles or 0) > 1:
        cycle = f", cycle {phase.cycle} of {phase.cycles}"
    return f"Next: {KIND_WORDS[phase.kind]}{cycle}, {seconds_text(seconds)}"


def session_view(
    session: Session,
    outline: SessionOutline,
    state: State,
    *,
    title: str,
    level: Level,
    pain_before: int | None,
) -> SessionView:
    """The session screen's text at ``state``; ``level`` is the level it runs at, as the
    program's history has it (eased, say)."""
    phase = state.phase
    place = outline.places[state.index]
    header = f"{title} · {level}"
    if place is not None:
        header += f" · step {place.number} of {outline.step_count}"
    # A switch's side is in its big word already.
    detail = phase_detail(phase) if phase.kind != "switch" else round_text(phase)
    if state.resuming:
        resumed = f"Resumed at {clock_text(state.elapsed)} of {clock_text(state.total)}"
        detail = f"{resumed}, {detail}" if detail else resumed
    return SessionView(
        header=header,
        step=phase.name,
        detail=detail,
        countdown=countdown(state.phase_remaining),
        word=_word(state),
        cue=_cue(state),
        pain=_pain(phase, pain_before),
        step_label=_step_label(phase),
        step_done=place.done if place is not None else 0.0,
        session_label=time_left_text(state.remaining),
        session_done=state.progress,
        next=_next(session, outline, state),
        paused=state.status is Status.PAUSED,
    )


# --- the figure -------------------------------------------------------------------------------

MOVE_SECONDS = 1.5
"""As a hold begins, the figure moves from its start to the held pose in this long."""
MOVE_FRAME = 0.25
"""A frame of that movement: four a second, each costing only the cells that moved."""
BREATH_FRAME = 0.5
"""The breathing visual moves twice a second."""
FIGURE_BREATH_FRAME = 1.0
"""A breathing figure moves once a second, with the countdown's whole seconds: each frame
shares its moment on the wire with theirs (twice a second cost 1.21 × the floor on the wire)."""


class FigureFrame(msgspec.Struct, frozen=True):
    """What a figure shows at one moment: a key pose, or a share of the way to it from
    another, as its mirror image or not."""

    name: str
    pose: PoseName
    mirrored: bool = False
    moving_from: PoseName | None = None
    share: float = 1.0
    """How far from `moving_from` to `pose`, 0 to 1, in whole frames."""


def figure_frame(state: State) -> FigureFrame | None:
    """The figure to show at ``state``, and in what pose (docs/figures.md, "Poses"): the start
    pose to get ready, rest between reps and steps and switch sides in; the held pose in a hold
    (reached from the start in its first `MOVE_SECONDS`) and through a rest step; and in a
    breathing drill, the body moving between its out-breath and in-breath poses with the
    breath."""
    phase = state.phase
    if phase.figure is None:
        return None
    frame = functools.partial(FigureFrame, phase.figure, mirrored=phase.mirrored)
    t = state.phase_elapsed
    match phase.kind:
        case "hold":
            if t >= MOVE_SECONDS or state.status is not Status.RUNNING:
                return frame("hold")
            return frame("hold", moving_from="start", share=_frames(t, MOVE_FRAME, MOVE_SECONDS))
        case "inhale":
            share = _frames(t, FIGURE_BREATH_FRAME, state.phase_seconds)
            return frame("inhale", moving_from="exhale", share=share)
        case "exhale":
            share = _frames(t, FIGURE_BREATH_FRAME, state.phase_seconds)
            return frame("exhale", moving_from="inhale", share=share)
        case "pause":
            return frame("inhale")
        case "pause_out":
            return frame("exhale")
        case "rest" if phase.step is not None and phase.reps is None:
            return frame("hold")  # a rest step's figure shows what to do: walk, lie still
    return frame("start")


def _frames(elapsed: float, frame: float, whole: float) -> float:
    """The share of ``whole`` that ``elapsed`` has reached, in whole frames of ``frame``."""
    if whole <= 0:
        return 1.0
    return min(1.0, math.floor(elapsed / frame + 1e-9) * frame / whole)


def next_figure_frame_in(state: State) -> float | None:
    """Seconds until the figure's next frame, while it moves; None while it stands still."""
    if state.phase.figure is None or state.status is not Status.RUNNING:
        return None
    t = state.phase_elapsed
    if state.phase.kind == "hold" and t < MOVE_SECONDS:
        return MOVE_FRAME - (t % MOVE_FRAME)
    if state.phase.kind in ("inhale", "exhale"):
        return FIGURE_BREATH_FRAME - (t % FIGURE_BREATH_FRAME)
    return None


# --- cues for a terminal in the background ------------------------------------------------


def background_title(view: SessionView) -> str:
    """The window title during a session: ``"0:23 · Knee to chest · left"``."""
    if view.paused:
        return f"Paused · {view.step}"
    return " · ".join(part for part in (view.countdown, view.step, view.detail) if part)


def notification(cue: Cue, session: Session, outline: SessionOutline) -> tuple[str, str] | None:
    """A desktop notification for ``cue`` — (heading, body) — at each new step, each side
    switch and the end; None for every other cue."""
    heading = session.timeline.title
    if cue.resuming:
        return None  # getting ready again: the person has just pressed Enter
    if cue.kind == "end":
        done = measured_text(session.done_seconds())
        return heading, f"Session complete — {done} done"
    phase = session.phases[cue.phase]
    if cue.kind == "switch":
        after = cue.phase + 1
        hold = f", {seconds_text(session.durations[after])}" if after < len(session.phases) else ""
        return heading, f"Switch sides — {phase.side or 'the other side'}{hold}"
    place = outline.places[cue.phase]
    before = outline.places[cue.phase - 1] if cue.phase else None
    if cue.kind != "start" or place is None or (before and before.number == place.number):
        return None
    detail = phase_detail(phase)
    what = KIND_WORDS[phase.kind] + (f", {detail}" if detail else "")
    return heading, f"{phase.name} — {what}, {seconds_text(session.durations[cue.phase])}"
