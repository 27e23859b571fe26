"""What tests share besides fixtures: a fake clock, and programs and processes to run."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).parent / "data"


class FakeClock:
    """A clock the test moves by hand: no real sleeping, exact to the float."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeWall:
    """A wall clock that moves with a `FakeClock` — and apart from it when the machine sleeps
    or its clock is set (`set_by`), which a monotonic clock does not see."""

    def __init__(self, clock: FakeClock, start: datetime | None = None) -> None:
        self.clock = clock
        # In UTC: a time of a zone plus a timedelta is a sum of clock readings, which would
        # move this clock by an hour more or less across a change of the zone's clocks.
        self.start = (start or datetime(2026, 11, 16, 9, 0, tzinfo=UTC)).astimezone(UTC)
        self.origin = clock.now
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=self.clock.now - self.origin) + self.offset

    def set_by(self, change: timedelta) -> None:
        """The wall clock moves by ``change`` while the monotonic clock stands still."""
        self.offset += change


def start_plain(program: Path, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """`spasmtimer run PROGRAM --plain` as a separate process, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def quick_program(tmp_path: Path, seconds: float = 1.5) -> Path:
    """A program of one rest step, with no get-ready."""
    path = tmp_path / "quick.toml"
    path.write_text(
        f'title = "Quick"\nprepare = 0\n[[steps]]\ntype = "rest"\nseconds = {seconds}\n'
    )
    return path


def program_of_short_phases(tmp_path: Path, count: int, seconds: float = 0.1) -> Path:
    """A program of ``count`` holds of ``seconds`` each, with no get-ready and no rests."""
    path = tmp_path / "short.toml"
    path.write_text(
        f'title = "Short"\nprepare = 0\n[[steps]]\ntype = "stretch"\nhold = {seconds}\n'
        f"reps = {count}\nrest = 0\n"
    )
    return path


def safety_seen(data_home: Path) -> None:
    """Record the safety notice as seen in ``data_home`` (an ``XDG_DATA_HOME``): for tests
    about something else, which would otherwise meet it first."""
    (data_home / "spasmtimer").mkdir(parents=True, exist_ok=True)
    (data_home / "spasmtimer" / "safety-seen").touch()
