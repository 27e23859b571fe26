"""Building the app for pilot and snapshot tests: a fake clock, a recording recorder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from conftest import FakeClock
from textual.pilot import Pilot

from spasmtimer.app import Services, SpasmtimerApp
from spasmtimer.app.screens.session import SessionScreen
from spasmtimer.engine import Session
from spasmtimer.library import Entry, Item, load_item
from spasmtimer.settings import Settings


@dataclass
class Recorded:
    started: list[int | None] = field(default_factory=list)
    synced: list[str] = field(default_factory=list)
    ratings: list[tuple[int | None, int | None, str | None]] = field(default_factory=list)


class Recorder:
    def __init__(self, log: Recorded) -> None:
        self.log = log

    def started(self, session: Session, pain_before: int | None) -> None:
        self.log.started.append(pain_before)

    def sync(self, session: Session) -> None:
        self.log.synced.append(str(session.status()))

    def rated(self, pain_before: int | None, pain_after: int | None, notes: str | None) -> None:
        self.log.ratings.append((pain_before, pain_after, notes))


def services(log: Recorded, level: int = 0) -> Services:
    return Services(
        level_of=lambda name: level,
        recorder_for=lambda item, lv: Recorder(log),
        next_level_text=lambda item, session, before, after: "Next time: level 1",
        history_view=lambda: None,
    )


def item_from(path: Path, level: int = 0) -> Item:
    return load_item(Entry(path.stem, path, "file"), lambda name: level)


def make_app(
    clock: FakeClock,
    log: Recorded,
    *,
    run: Path | None = None,
    level: int = 0,
    settings: Settings | None = None,
    safety_seen: Path | None = None,
    notices: list[str] | None = None,
) -> SpasmtimerApp:
    return SpasmtimerApp(
        # A fixed theme: "auto" would follow the colours of the terminal running the tests.
        settings=settings or Settings(theme="textual-dark"),
        notices=notices,
        run=item_from(run, level) if run else None,
        services=services(log, level),
        clock=clock,
        safety_marker=safety_seen,
    )


async def advance(pilot: Pilot[None], clock: FakeClock, seconds: float) -> None:
    """Move the fake clock on and let the session screen redraw, as its timer would."""
    clock.advance(seconds)
    for screen in pilot.app.screen_stack:
        if isinstance(screen, SessionScreen):
            screen.tick()
    await pilot.pause()


def session_screen(pilot: Pilot[None]) -> SessionScreen:
    for screen in pilot.app.screen_stack:
        if isinstance(screen, SessionScreen):
            return screen
    raise AssertionError("no session screen")


def clock_shows(pilot: Pilot[None]) -> str:
    from spasmtimer.app.widgets import BigClock

    return session_screen(pilot).query_one("#clock", BigClock).value


def text_of(pilot: Pilot[None], selector: str) -> str:
    from spasmtimer.app.widgets import Quiet

    return str(session_screen(pilot).query_one(selector, Quiet)._shown or "")
