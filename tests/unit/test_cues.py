"""Bells, flashes and speech for the engine's cues."""

from __future__ import annotations

from spasmtimer.app.cues import Signals, Speaker
from spasmtimer.session.engine import Cue


def cue(kind: str, text: str = "Hold") -> Cue:
    return Cue(kind, 0, 0.0, text)  # type: ignore[arg-type]


def test_bell_patterns_and_flashes() -> None:
    rung: list[int] = []
    signals = Signals(rung.append)
    flashes = [
        signals.give(cue(kind))
        for kind in ("start", "switch", "countdown", "end", "halfway", "breath")
    ]
    assert rung == [1, 2, 1, 3]
    assert flashes == [True, True, True, True, False, False]


def test_no_bell_still_flashes_and_no_flash_still_rings() -> None:
    rung: list[int] = []
    assert Signals(rung.append, bell=False).give(cue("start")) is True
    assert rung == []
    assert Signals(rung.append, flash=False).give(cue("end")) is False
    assert rung == [3]


def test_speech_without_a_program_is_silent() -> None:
    Speaker(None).say("nothing happens")
    Speaker(["/no/such/speech-program"]).say("nor here")  # gone since it was found: no crash
