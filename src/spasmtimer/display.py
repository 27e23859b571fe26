"""How times and phases are put into words, the same in ``plan``, ``--plain`` and the app."""

from __future__ import annotations

import math

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
    whole = max(0, math.floor(seconds + 1e-9))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def countdown(seconds: float) -> str:
    """Time left, rounded up, so a count shows 3, 2, 1 and reaches 0 only at the end."""
    return clock(math.ceil(max(0.0, seconds) - 1e-9))


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
    if phase.rep is not None:
        parts.append(f"rep {phase.rep} of {phase.reps}")
    if phase.cycle is not None:
        parts.append(f"cycle {phase.cycle} of {phase.cycles}")
    return ", ".join(parts)
