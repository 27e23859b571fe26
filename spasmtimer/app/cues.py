"""How cues reach a person: the terminal bell (the only sound that crosses SSH), a flash for
silent terminals, and optionally a local text-to-speech program."""

from __future__ import annotations

import shutil
import subprocess
from collections import deque
from collections.abc import Callable

from spasmtimer.session.engine import Cue

BELLS = {"start": 1, "countdown": 1, "switch": 2, "end": 3}
"""Bells per cue: one for a new phase and for each of the last three seconds, two to switch
sides, three when the session is done. Breath and halfway cues make no sound but are spoken."""


def speech_command() -> list[str] | None:
    """The local text-to-speech program, if one is installed: espeak-ng, espeak, or macOS say."""
    for name, args in (("espeak-ng", ["-s", "150"]), ("espeak", ["-s", "150"]), ("say", [])):
        path = shutil.which(name)
        if path:
            return [path, *args]
    return None


class Speaker:
    """Speaks cue texts without waiting; a new sentence cuts off one still being spoken."""

    def __init__(self, command: list[str] | None) -> None:
        self.command = command
        self._current: subprocess.Popen[bytes] | None = None

    def say(self, text: str) -> None:
        if self.command is None:
            return
        self.close()
        try:
            self._current = subprocess.Popen(
                [*self.command, text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            self.command = None  # gone since we looked: stop trying

    def close(self) -> None:
        if self._current is not None and self._current.poll() is None:
            self._current.terminate()


class Signals:
    """Turns the engine's cues into bells, flashes and speech, as the settings allow."""

    def __init__(
        self,
        ring: Callable[[int], None],
        *,
        bell: bool = True,
        flash: bool = True,
        speaker: Speaker | None = None,
    ) -> None:
        self.ring = ring
        self.bell = bell
        self.flash = flash
        self.speaker = speaker
        self.given: deque[Cue] = deque(maxlen=500)
        """The latest cues given, in order (bounded: a session may last hours)."""

    def give(self, cue: Cue) -> bool:
        """Signal one cue; returns whether the screen should flash."""
        self.given.append(cue)
        bells = BELLS.get(cue.kind, 0)
        if bells and self.bell:
            self.ring(bells)
        if self.speaker is not None:
            self.speaker.say(cue.text)
        return bells > 0 and self.flash
