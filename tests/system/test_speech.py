"""Spoken cues, through a real program in a process of its own."""

from __future__ import annotations

import time
from pathlib import Path

from spasmtimer.app.cues import Signals, Speaker
from tests.unit.test_cues import cue


def test_speech_says_every_cue_through_the_local_program(tmp_path: Path) -> None:
    said = tmp_path / "said"
    speaker = Speaker(["sh", "-c", f'printf "%s\\n" "$1" >> {said}', "speak"])
    signals = Signals(lambda n: None, speaker=speaker)
    signals.give(cue("start", "Knee to chest: hold"))
    deadline = time.monotonic() + 5
    while not said.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert said.read_text() == "Knee to chest: hold\n"
    speaker.close()
