"""Building the app for pilot and snapshot tests: a fake clock, a recording recorder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from spasmtimer.app import SpasmtimerApp
from spasmtimer.app.screens.library import LibraryScreen
from spasmtimer.app.screens.remind import Remind, RemindScreen
from spasmtimer.app.screens.session import SessionScreen
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.rows import Mark
from spasmtimer.history.service import HistoryView
from spasmtimer.program.timeline import Timeline, expand
from spasmtimer.session import safety
from spasmtimer.session.engine import Session
from spasmtimer.session.levels import Level
from spasmtimer.session.library import Entry, Item, load_item
from spasmtimer.session.reminders import LastSessionOf, Window
from spasmtimer.session.settings import Settings
from tests.support import DATA, FakeClock, FakeWall


@dataclass
class Recorded:
    started: list[int | None] = field(default_factory=list)
    rated_before: list[int] = field(default_factory=list)
    """The pain before, each time it was typed during get-ready."""
    synced: list[str] = field(default_factory=list)
    ratings: list[tuple[int | None, int | None, str | None]] = field(default_factory=list)
    marks: list[tuple[int, ...]] = field(default_factory=list)
    shared: int = 0


class Recorder:
    def __init__(self, log: Recorded) -> None:
        self.log = log

    def started(self, session: Session, pain_before: int | None) -> None:
        self.log.started.append(pain_before)

    def rated_before(self, session: Session, pain_before: int) -> None:
        self.log.rated_before.append(pain_before)

    def sync(self, session: Session) -> None:
        self.log.synced.append(str(session.status()))

    def rated(
        self,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        self.log.ratings.append((pain_before, pain_after, notes))
        self.log.marks.append(marks)


class FakeHistory:
    """A `HistoryService` that keeps every program at one level and logs what is recorded."""

    def __init__(
        self, log: Recorded, level: Level | int = 0, sessions: Sequence[SessionRecord] = ()
    ) -> None:
        self.log = log
        self.level = level if isinstance(level, Level) else Level(level)
        self.sessions = list(sessions)

    def level_of(self, name: str, cap: int | None) -> Level:
        return self.level

    def levels(self) -> Callable[[str, int | None], Level]:
        return self.level_of

    def recorder_for(
        self, item: Item, timeline: Timeline, resuming: SessionRecord | None = None
    ) -> Recorder:
        return Recorder(self.log)

    def resumable(self, item: Item) -> SessionRecord | None:
        return None

    def next_level_text(
        self, item: Item, session: Session, pain_before: int | None, pain_after: int | None
    ) -> str:
        return "Next time: level 1"

    def view(self, cap_of: Callable[[str], int | None]) -> HistoryView | None:
        return None

    def sessions_since(self, moment: datetime) -> list[SessionRecord]:
        return [s for s in self.sessions if s.started_at >= moment]

    def share(self) -> None:
        self.log.shared += 1

    def older(self, mark: Mark) -> tuple[list[SessionRecord], Mark | None]:
        return [], None

    def on_warning(self, warn: Callable[[str], None]) -> None:
        pass


def item_from(path: Path, level: Level | int = 0) -> Item:
    at = level if isinstance(level, Level) else Level(level)
    return load_item(Entry(path.stem, path, "file"), lambda name, cap: at)


def run_of(path: Path, level: Level | int = 0) -> tuple[Item, Timeline]:
    """What ``spasmtimer run PATH`` hands the app: the program, and its timeline at ``level``."""
    item = item_from(path, level)
    assert item.program is not None, item.error
    return item, expand(item.program, item.level.value)


def make_app(
    clock: FakeClock,
    log: Recorded,
    *,
    run: Path | None = None,
    level: Level | int = 0,
    settings: Settings | None = None,
    safety_seen: Path | None = None,
    notices: list[str] | None = None,
    **more: Any,
) -> SpasmtimerApp:
    """The app on a fake clock. The safety notice counts as seen unless ``safety_seen`` names
    a marker file (which may not exist yet: the first time)."""
    if safety_seen is None:
        safety.record_seen()
    return SpasmtimerApp(
        # A fixed theme: "auto" would follow the colours of the terminal running the tests.
        settings=settings or Settings(theme="textual-dark"),
        notices=notices,
        run=run_of(run, level) if run else None,
        history=more.pop("history", None) or FakeHistory(log, level),
        clock=clock,
        safety_marker=safety_seen,
        **more,
    )


async def library_loaded(pilot: Pilot[None]) -> LibraryScreen:
    """The library shown, once its programs are loaded: they load on a thread of the screen's
    own, which the app's pauses do not wait for."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, LibraryScreen)
    for _ in range(500):
        if not screen.loading_programs:
            break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.01)
    assert not screen.loading_programs
    await pilot.pause()
    return screen


async def advance(pilot: Pilot[None], clock: FakeClock, seconds: float) -> None:
    """Move the fake clock on and let the session screen redraw, as its timer would."""
    clock.advance(seconds)
    for screen in pilot.app.screen_stack:
        if isinstance(screen, SessionScreen):
            screen.tick()
    await pilot.pause()


async def through_the_session(pilot: Pilot[None], clock: FakeClock) -> None:
    """Jump the clock from one phase boundary to the next until the session is over."""
    session = session_screen(pilot).session
    while not (state := session.state_at()).done:
        await advance(pilot, clock, state.phase_remaining)


def session_screen(pilot: Pilot[None]) -> SessionScreen:
    for screen in pilot.app.screen_stack:
        if isinstance(screen, SessionScreen):
            return screen
    raise AssertionError("no session screen")


def clock_shows(pilot: Pilot[None]) -> str:
    from spasmtimer.app.widgets import BigClock

    return session_screen(pilot).query_one("#clock", BigClock).value


def text_of(pilot: Pilot[None], selector: str) -> str:
    from spasmtimer.app.widgets import Line

    return session_screen(pilot).query_one(selector, Line).text


def remind_app(
    clock: FakeClock,
    log: Recorded,
    wall: FakeWall,
    *,
    program: Path = DATA / "app" / "short.toml",
    every: float = 45 * 60,
    window: Window | None = None,
    last_session: LastSessionOf | None = None,
    **more: Any,
) -> SpasmtimerApp:
    """``spasmtimer remind PROGRAM`` on fake clocks (see `make_app`)."""
    remind = Remind(item_from(program), timedelta(seconds=every), window, last_session)
    return make_app(clock, log, remind=remind, wall=wall, **more)


def remind_screen(pilot: Pilot[None]) -> RemindScreen:
    for screen in pilot.app.screen_stack:
        if isinstance(screen, RemindScreen):
            return screen
    raise AssertionError("no reminders screen")


async def look(pilot: Pilot[None], clock: FakeClock, seconds: float = 0) -> None:
    """Move the fake clocks on and let the reminders screen look, as its timer would."""
    clock.advance(seconds)
    remind_screen(pilot).tick()
    await pilot.pause()
