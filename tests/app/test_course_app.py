"""The course in the app: the library's line says what is due today, and the summary says where
the program just run stands ("1 of 2 today — next at 18:00"); the summary marks the steps that
hurt, and the preview says which step is held."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import SelectionList, Static

from spasmtimer.app.screens.library import LibraryScreen
from spasmtimer.app.screens.preview import PreviewScreen
from spasmtimer.app.screens.summary import SummaryScreen
from spasmtimer.session.levels import Level
from tests.app_support import FakeHistory, Recorded, make_app, through_the_session
from tests.history_support import local_time
from tests.support import FakeClock, FakeWall
from tests.unit.test_course import COURSE, MONDAY, course_of, session, utc

SHORT = Path(__file__).parents[1] / "data" / "app" / "short.toml"


def shown(screen: object, selector: str) -> str:
    assert isinstance(screen, LibraryScreen | SummaryScreen)
    return str(screen.query_one(selector, Static).render())


async def test_the_library_says_what_the_course_has_due_today(clock: FakeClock) -> None:
    course_of()
    morning = session("gentle-mobility", utc(MONDAY, 8, 5))
    history = FakeHistory(Recorded(), sessions=[morning])
    with local_time("UTC"):
        app = make_app(clock, Recorded(), history=history, wall=FakeWall(clock, utc(MONDAY, 9)))
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LibraryScreen)
            assert shown(app.screen, "#course") == (
                "Due today: core-support 0 of 1, next at 12:30 · "
                "gentle-mobility 1 of 2, next at 18:00"
            )


async def test_without_a_course_the_library_has_no_course_line(clock: FakeClock) -> None:
    app = make_app(clock, Recorded())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#course", Static).display


async def test_the_summary_says_where_the_program_stands_in_the_course(
    clock: FakeClock,
) -> None:
    # The course prescribes the program being run, by its file.
    course_of(COURSE.replace('"gentle-mobility"', f'"{SHORT}"'))
    earlier = session("short", utc(MONDAY, 7, 30))
    history = FakeHistory(Recorded(), sessions=[earlier])
    with local_time("UTC"):
        wall = FakeWall(clock, utc(MONDAY, 9) - timedelta(seconds=1))
        app = make_app(clock, Recorded(), run=SHORT, history=history, wall=wall)
        async with app.run_test(size=(100, 30)) as pilot:
            await through_the_session(pilot, clock)
            assert isinstance(app.screen, SummaryScreen)
            # The fake history's recorder is not the store's: only the earlier one counts.
            assert shown(app.screen, "#course") == "Course: 1 of 2 today — next at 18:00"


# --- how each step felt ----------------------------------------------------------------------


async def test_the_summary_marks_the_steps_that_hurt(clock: FakeClock) -> None:
    log = Recorded()
    app = make_app(clock, log, run=SHORT)
    async with app.run_test(size=(100, 40)) as pilot:
        await through_the_session(pilot, clock)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        marks = summary.query_one("#marks", SelectionList)
        assert [str(marks.get_option_at_index(n).prompt) for n in range(2)] == [
            "1. Knee to chest",
            "2. Slow breathing",
        ]
        marks.focus()
        await pilot.press("down", "space")  # the second step
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert log.marks == [(1,)]


async def test_the_preview_says_which_step_is_held(clock: FakeClock) -> None:
    held = Level(3, held=((0, 1),))
    app = make_app(clock, Recorded(), level=held)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("slash", *"desk", "enter", "enter")
        assert isinstance(app.screen, PreviewScreen)
        said = [str(s.render()) for s in app.screen.query(Static)]
        assert any(
            line.startswith("Held: Step 1, Slow breathing, is held at level 1") for line in said
        ), said
