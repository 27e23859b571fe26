"""How times and phases are put into words, the same in ``plan``, ``--plain`` and the app."""

from __future__ import annotations

import math
from collections.abc import Sequence

from spasmtimer.program import Breathe, BreathPattern, ResolvedStep, Rest
from spasmtimer.timeline import Phase

KIND_WORDS = {
    "prepare": "get ready",
    "hold": "hold",
    "switch": "switch sides",
    "rest": "rest",
    "inhale": "breathe in",
    "pause": "hold the breath",
    "exhale": "breathe out",
    "pause_out": "hold, lungs empty",
}
"""What a person does during each kind of phase."""


def clock(seconds: float) -> str:
    """``65`` -> ``"1:05"``; ``3725`` -> ``"1:02:05"``. Whole seconds, rounded down."""
    whole = max(0, math.floor(seconds + 1e-6))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def countdown(seconds: float) -> str:
    """Time left, rounded up, so a count shows 3, 2, 1 and reaches 0 only at the end."""
    return clock(math.ceil(max(0.0, seconds) - 1e-6))


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


def phase_detail(phase: Phase) -> str:
    """Side, rep or cycle: ``"left leg, rep 2 of 3"``, ``"cycle 4 of 8"``; empty if none."""
    parts = []
    if phase.kind == "switch" and phase.side:
        parts.append(f"to {phase.side}")
    elif phase.side:
        parts.append(phase.side)
    if phase.rep is not None and (phase.reps or 0) > 1:
        parts.append(f"rep {phase.rep} of {phase.reps}")
    if phase.cycle is not None and (phase.cycles or 0) > 1:
        parts.append(f"cycle {phase.cycle} of {phase.cycles}")
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
        sentence = f"{phase.name}, {length}."
        upcoming = next((p for p in phases[index + 1 :] if p.step is not None), None)
        if upcoming is not None:
            sentence += f" Next: {upcoming.name}."
        return " ".join(sentence.split())
    if phase.kind == "switch":
        who, what = phase.name, f"switch to {phase.side}" if phase.side else "switch sides"
    else:
        who, what = phase.name + (f", {detail}" if detail else ""), KIND_WORDS[phase.kind]
    sentence = f"{who}: {what}, {length}."
    if phase.cue and _starts_step(phases, index):
        sentence += f" {phase.cue}"
    return " ".join(sentence.split())  # one line, whatever newlines a name or cue holds


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
