"""What every screen looks like, at 80x24 — and the session at 40x12, where it must still show
the time and the step. Update with `pytest tests/test_snapshots.py --snapshot-update` after
looking at the differences in snapshot_report.html."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from spasmtimer.history.records import SessionRecord
from spasmtimer.history.service import StoredHistory
from spasmtimer.session.library import Item
from spasmtimer.session.settings import Settings
from tests.app_support import FakeHistory, Recorded, advance, library_loaded
from tests.app_support import make_app as make_any_app
from tests.support import FakeClock

DATA = Path(__file__).parents[1] / "data" / "app"
SHORT = DATA / "short.toml"


def make_app(clock: FakeClock, log: Recorded, **kw):
    # No flash: it lasts 0.3 s of real time, which a screenshot may or may not catch.
    kw.setdefault("settings", Settings(flash=False, theme="textual-dark"))
    return make_any_app(clock, log, **kw)


@pytest.fixture
def seen(tmp_path: Path) -> Path:
    marker = tmp_path / "seen"
    marker.touch()
    return marker


def at(clock: FakeClock, seconds: float, *keys: str):
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await advance(pilot, clock, seconds)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()

    return run_before


def loaded_then(*keys: str):
    """Once the library has loaded (on its own thread), ``keys``."""

    async def run_before(pilot: Pilot[None]) -> None:
        await library_loaded(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_library(snap_compare, clock: FakeClock, seen: Path) -> None:
    app = make_app(clock, Recorded(), safety_seen=seen)
    assert snap_compare(app, run_before=loaded_then("down", "down"))


def test_safety_notice(snap_compare, clock: FakeClock, tmp_path: Path) -> None:
    assert snap_compare(make_app(clock, Recorded(), safety_seen=tmp_path / "first-time"))


def test_preview(snap_compare, clock: FakeClock, seen: Path) -> None:
    app = make_app(clock, Recorded(), safety_seen=seen)
    assert snap_compare(app, run_before=loaded_then("down", "down", "down", "enter"))


def test_settings(
    snap_compare, clock: FakeClock, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The screen says whether a speech program is installed: here, as if none were.
    monkeypatch.setattr("spasmtimer.app.app.speech_command", lambda: None)
    assert snap_compare(make_app(clock, Recorded(), safety_seen=seen), press=["o"])


def test_session_get_ready(snap_compare, clock: FakeClock) -> None:
    assert snap_compare(make_app(clock, Recorded(), run=SHORT), run_before=at(clock, 1.5, "4"))


class StoppedAt30(FakeHistory):
    """A history whose session of the program stopped 30 s in (5 s into the second hold),
    with a pain of 6 given during its get-ready."""

    def resumable(self, item: Item) -> SessionRecord | None:
        at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
        return SessionRecord(
            id="stopped", program="short", title="Short stretch", path=str(SHORT),
            content_hash="h", level=0, started_at=at, ended_at=at + timedelta(seconds=30),
            status="stopped", planned_seconds=115, done_seconds=30, pain_before=6,
            pain_after=None, notes=None, position=30,
        )  # fmt: skip


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_session_taken_up_again_gets_ready(
    snap_compare, clock: FakeClock, size: tuple[int, int]
) -> None:
    """docs/history.md, "Resuming": a get-ready saying so, before the rest of the hold."""
    app = make_app(clock, Recorded(), run=SHORT, resume=True)
    app.history = StoppedAt30(Recorded())
    assert snap_compare(app, terminal_size=size, run_before=at(clock, 1.5))


def test_session_hold_past_halfway(snap_compare, clock: FakeClock) -> None:
    assert snap_compare(make_app(clock, Recorded(), run=SHORT), run_before=at(clock, 5 + 9.2))


def test_session_paused(snap_compare, clock: FakeClock) -> None:
    assert snap_compare(make_app(clock, Recorded(), run=SHORT), run_before=at(clock, 7, "space"))


@pytest.mark.parametrize(
    "size", [(40, 12), (80, 24), (120, 40), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_session_at_each_size(snap_compare, clock: FakeClock, size: tuple[int, int]) -> None:
    """The clock fills what the screen gives it: 3-row digits at 40x12, up to 11+ rows at 200x60."""
    app = make_app(clock, Recorded(), run=SHORT)
    assert snap_compare(app, terminal_size=size, run_before=at(clock, 8))


BOX = """title = "Box"
prepare = 2
[[steps]]
type = "breathe"
name = "Box breathing"
inhale = 4
pause = 4
exhale = 4
pause_out = 4
cycles = 2
"""
KIND_MOMENTS = {  # seconds into short.toml (box.toml for pause_out) when each kind of phase runs
    "prepare": 1.5,
    "hold": 8,
    "switch": 22,
    "rest": 45,
    "inhale": 97,  # 2 s into a 4 s in-breath: the breathing visual is half full
    "pause": 99.5,
    "exhale": 102,
    "pause_out": 2 + 12 + 1,
}


@pytest.mark.parametrize("kind", list(KIND_MOMENTS))
def test_session_each_kind_of_phase(
    snap_compare, clock: FakeClock, tmp_path: Path, kind: str
) -> None:
    program = SHORT
    if kind == "pause_out":
        program = tmp_path / "box.toml"
        program.write_text(BOX)
    app = make_app(clock, Recorded(), run=program)
    assert snap_compare(app, terminal_size=(80, 24), run_before=at(clock, KIND_MOMENTS[kind]))


def test_session_help(snap_compare, clock: FakeClock) -> None:
    app = make_app(clock, Recorded(), run=SHORT)
    assert snap_compare(app, run_before=at(clock, 8, "question_mark"))


def test_confirm_stop(snap_compare, clock: FakeClock) -> None:
    assert snap_compare(make_app(clock, Recorded(), run=SHORT), run_before=at(clock, 8, "q"))


def test_caution(snap_compare, clock: FakeClock) -> None:
    assert snap_compare(make_app(clock, Recorded(), run=DATA / "careful.toml"))


def test_summary(snap_compare, clock: FakeClock) -> None:
    app = make_app(clock, Recorded(), run=SHORT)
    assert snap_compare(app, run_before=at(clock, 200, "3"))


def test_history(
    snap_compare, clock: FakeClock, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    from spasmtimer.history.store import History

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    start = datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
    history = History.open(Path(str(seen) + ".sqlite3"), now=lambda: start + timedelta(days=5))
    for day, (program, level, before, after, notes) in enumerate(
        [
            ("desk-break", 0, 4, 3, None),
            ("desk-break", 1, 3, 2, "looser"),
            ("spasm-first-aid", 0, 7, 4, "bad morning"),
            ("desk-break", 2, 3, 3, None),
            ("desk-break", 3, 2, 5, "too much"),
        ]
    ):
        at = start + timedelta(days=day)
        sid = history.begin(
            program=program,
            title=program,
            path="/x",
            content_hash="h",
            level=level,
            planned_seconds=257,
            started_at=at,
            pain_before=before,
        )
        history.end(sid, completed=True, ended_at=at + timedelta(seconds=257), done_seconds=257)
        history.rate(sid, before, after, notes)
    app = make_app(clock, Recorded(), safety_seen=seen)
    app.history = StoredHistory(history, warn=print)
    assert snap_compare(app, press=["h"])
    time.tzset()


FIGURED = DATA / "figured.toml"
FIGURE_MOMENTS = {  # seconds into figured.toml
    "get-ready": 1.5,
    "hold": 3 + 5,  # past the movement into the held pose
    "after-switch": 3 + 10 + 3 + 5,  # the other leg: the figure mirrored
}


@pytest.mark.parametrize("moment", list(FIGURE_MOMENTS))
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_session_with_a_figure(
    snap_compare, clock: FakeClock, size: tuple[int, int], moment: str
) -> None:
    """The figure beside the clock where the window is wide, under it where it is tall: its
    start pose to get ready, the held pose in the hold, mirrored on the other side."""
    app = make_app(clock, Recorded(), run=FIGURED)
    assert snap_compare(app, terminal_size=size, run_before=at(clock, FIGURE_MOMENTS[moment]))
