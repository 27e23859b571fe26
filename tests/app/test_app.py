"""The app, driven headlessly through whole sessions on a fake clock."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from spasmtimer.app import clock_font
from spasmtimer.app.charts import TrendChart
from spasmtimer.app.screens.library import LibraryScreen
from spasmtimer.app.screens.preview import PreviewScreen
from spasmtimer.app.screens.safety import SafetyScreen
from spasmtimer.app.screens.session import CautionScreen, ConfirmStop, SessionScreen
from spasmtimer.app.screens.settings import SettingsScreen
from spasmtimer.app.screens.summary import SummaryScreen
from spasmtimer.app.widgets import BigClock
from spasmtimer.base.locations import settings_file, user_programs_dir
from spasmtimer.session import safety
from spasmtimer.session.engine import Status
from spasmtimer.session.levels import Level
from spasmtimer.session.library import FilesStamp, Item
from spasmtimer.session.settings import Settings, load_settings
from tests.app_support import (
    Recorded,
    advance,
    clock_shows,
    library_loaded,
    make_app,
    session_screen,
    text_of,
    through_the_session,
)
from tests.support import FakeClock

DATA = Path(__file__).parents[1] / "data" / "app"
SHORT = DATA / "short.toml"


@pytest.fixture
def log() -> Recorded:
    return Recorded()


async def test_countdown_at_chosen_instants(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert clock_shows(pilot) == "0:05"
        assert text_of(pilot, "#phase") == "GET READY"
        await advance(pilot, clock, 0.2)
        assert clock_shows(pilot) == "0:05"  # 4.8 s left shows as 5 until it is 4
        await advance(pilot, clock, 0.8)
        assert clock_shows(pilot) == "0:04"
        await advance(pilot, clock, 4)
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:15", "HOLD")
        assert text_of(pilot, "#step") == "Knee to chest"
        assert text_of(pilot, "#detail") == "left, rep 1 of 2"
        assert text_of(pilot, "#cue") == "Draw one knee gently towards your chest."
        await advance(pilot, clock, 7.5)
        assert text_of(pilot, "#cue") == "Halfway — Breathe out and relax your shoulders."
        await advance(pilot, clock, 7.5)
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:05", "SWITCH TO RIGHT")
        assert text_of(pilot, "#next") == "Next: Knee to chest — hold, right, rep 1 of 2, 15 s"
        assert log.started == [None]


async def test_pause_and_resume(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await advance(pilot, clock, 7)  # 13 s left of the first hold
        await pilot.press("space")
        screen = session_screen(pilot)
        assert screen.has_class("-paused")
        assert text_of(pilot, "#phase") == "PAUSED — space to resume"
        await advance(pilot, clock, 60)
        assert clock_shows(pilot) == "0:13"
        await pilot.press("space")
        assert not screen.has_class("-paused")
        await advance(pilot, clock, 3)
        assert clock_shows(pilot) == "0:10"
        assert [e.kind for e in screen.session.events] == ["start", "pause", "resume"]
        assert log.synced[-1] == "running"


async def test_skip_back_and_adjust(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("n")  # get ready -> hold
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:15", "HOLD")
        await advance(pilot, clock, 5)
        await pilot.press("right")  # hold -> switch
        assert text_of(pilot, "#phase") == "SWITCH TO RIGHT"
        await advance(pilot, clock, 3)
        await pilot.press("p")  # back: restart the switch
        assert clock_shows(pilot) == "0:05"
        await pilot.press("left")  # in its first seconds: back to the hold
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:15", "HOLD")
        await pilot.press("plus")
        assert clock_shows(pilot) == "0:20"
        await pilot.press("minus", "minus")
        assert clock_shows(pilot) == "0:10"
        kinds = [e.kind for e in session_screen(pilot).session.events]
        assert kinds == ["start", "skip", "skip", "back", "back", "adjust", "adjust", "adjust"]


async def test_stop_asks_first(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await advance(pilot, clock, 8)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmStop)
        await pilot.press("escape")
        assert isinstance(app.screen, SessionScreen)
        assert session_screen(pilot).session.status() is Status.RUNNING
        await pilot.press("q", "q")  # a second q confirms
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "Stopped early" in str(app.screen.query_one("#summary-title").render())
        assert log.synced[-1] == "stopped"


async def test_a_whole_session_then_the_summary_with_ratings(
    clock: FakeClock, log: Recorded
) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await pilot.press("4")  # during get-ready: pain before, and the count goes on
        assert session_screen(pilot).pain_before == 4
        assert text_of(pilot, "#pain") == "Pain before: 4"
        running = session_screen(pilot)
        await through_the_session(pilot, clock)
        assert isinstance(app.screen, SummaryScreen)
        summary = app.screen
        assert "Session complete" in str(summary.query_one("#summary-title").render())
        assert "Next time: level 1" in str(summary.query_one("#next-level").render())
        given = running.signals.given
        # The keyboard alone: the pain before was given, so the pain now comes first; Enter
        # moves on, and saves only from the Save button.
        assert summary.focused is summary.query_one("#pain-after")
        await pilot.press("2", "enter")
        assert app.screen is summary and app.screen.focused is summary.query_one("#marks")
        # Typed in the steps' list, a note goes to the notes (and its spaces mark nothing).
        await pilot.press(*"felt", "space", *"looser")
        assert app.screen is summary and app.screen.focused is summary.query_one("#notes")
        await pilot.press("enter")
        assert app.screen is summary and app.screen.focused is summary.query_one("#save")
        await pilot.press("enter")
        await pilot.pause()
    assert log.ratings == [(4, 2, "felt looser")]
    assert log.synced[-1] == "finished"
    assert app.return_code == 0
    assert app.rung.count(3) == 1  # three bells: done
    assert app.rung.count(2) == 2  # two bells: each switch of sides (one a rep, two reps)
    assert {"start", "switch", "halfway", "countdown", "breath", "end"} - {
        c.kind for c in given
    } == {"breath"}


async def test_ten_is_typed_as_one_then_zero(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await pilot.press("1", "0")
        assert session_screen(pilot).pain_before == 10
        await pilot.press("3")
        assert session_screen(pilot).pain_before == 3


async def test_a_bad_rating_is_not_saved(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await pilot.press("q", "y")
        await pilot.pause()
        await pilot.press("1", "2", "ctrl+s")
        assert isinstance(app.screen, SummaryScreen)
        assert "from 0 to 10" in str(app.screen.query_one("#rating-error").render())
        await pilot.press("backspace", "ctrl+s")
        await pilot.pause()
    assert log.ratings == [(1, None, None)]  # no pain given before: that field comes first


async def test_enter_on_a_bad_rating_stays_on_it(clock: FakeClock, log: Recorded) -> None:
    """Issue: 12 in "Pain now", Enter: the error showed, but the focus went on to the notes,
    and the correction was typed into them."""
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await pilot.press("q", "y")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        await pilot.press("enter")  # no pain before: on to the pain now
        await pilot.press("1", "2", "enter")
        assert summary.focused is summary.query_one("#pain-after")
        assert "from 0 to 10" in str(summary.query_one("#rating-error").render())
        await pilot.press("2", "enter")  # replaces the 12
        assert summary.focused is summary.query_one("#marks")
        assert str(summary.query_one("#rating-error").render()) == ""
        await pilot.press("shift+tab", "shift+tab", "1", "1", "tab", "tab")  # 11 before
        await pilot.press("ctrl+s")  # not saved: back to the bad rating
        assert summary.focused is summary.query_one("#pain-before")
        await pilot.press("4", "ctrl+s")
        await pilot.pause()
    assert log.ratings == [(4, 2, None)]


async def test_a_caution_waits_for_enter(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=DATA / "careful.toml")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CautionScreen)
        await advance(pilot, clock, 30)
        assert session_screen(pilot).session.status() is Status.READY
        await pilot.press("enter")
        await pilot.pause()
        assert clock_shows(pilot) == "0:05"
        assert log.started == [None]


async def test_ctrl_c_stops_at_once_and_keeps_the_record(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await advance(pilot, clock, 6)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 130
    assert log.synced[-1] == "stopped"
    assert log.ratings == []


async def test_the_bell_can_be_turned_off(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT, settings=Settings(bell=False, theme="textual-dark"))
    async with app.run_test() as pilot:
        await advance(pilot, clock, 6)
    assert list(app.rung) == []


# --- library ------------------------------------------------------------------------------


async def test_the_safety_notice_shows_the_first_time_only(
    clock: FakeClock, log: Recorded, tmp_path: Path
) -> None:
    marker = tmp_path / "seen"
    app = make_app(clock, log, safety_seen=marker)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SafetyScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, SafetyScreen)
    assert marker.exists()
    app = make_app(clock, log, safety_seen=marker)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_run_shows_the_safety_notice_first_the_first_time(
    clock: FakeClock, log: Recorded, tmp_path: Path
) -> None:
    marker = tmp_path / "first-time"
    app = make_app(clock, log, run=SHORT, safety_seen=marker)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SafetyScreen)
        await advance(pilot, clock, 30)
        assert log.started == []  # nothing counts until it has been read
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen) and log.started == [None]
        assert clock_shows(pilot) == "0:05"
    assert marker.exists()
    app = make_app(clock, Recorded(), run=SHORT, safety_seen=marker)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)  # and never again


@pytest.fixture
def seen(tmp_path: Path) -> Path:
    marker = tmp_path / "seen"
    marker.touch()
    return marker


async def test_library_lists_filters_previews_and_runs(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    user = user_programs_dir()
    user.mkdir(parents=True)
    (user / "broken.toml").write_text('[[steps]]\ntype = "rest"\nseconds = -1\n')
    app = make_app(clock, log, safety_seen=seen)
    async with app.run_test() as pilot:
        library = await library_loaded(pilot)
        names = [item.entry.name for item in library.shown]
        assert "broken" in names and "desk-break" in names
        await pilot.press("slash", *"broken")
        assert [i.entry.name for i in library.shown] == ["broken"]
        assert "cannot be loaded" in str(library.query_one("#about").render())
        await pilot.press("enter")  # leaves the filter for the list
        await pilot.press("enter")  # a broken program cannot be previewed
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("slash", *("backspace" for _ in "broken"), *"desk", "enter")
        assert [i.entry.name for i in library.shown] == ["desk-break"]
        await pilot.press("enter")
        assert isinstance(app.screen, PreviewScreen)
        assert app.screen.item.entry.name == "desk-break"
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, CautionScreen)  # desk break has a caution
        await pilot.press("enter")
        await advance(pilot, clock, 1)
        assert session_screen(pilot).title_text == "Desk break"
        await pilot.press("q", "y")
        await pilot.pause()
        await pilot.press("escape")  # the summary, without ratings
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    assert log.synced[-1] == "stopped"


async def test_edit_copies_a_bundled_program_and_reloads(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited: list[Path] = []

    def fake_editor(path: Path) -> None:
        edited.append(path)
        path.write_text(path.read_text().replace('title = "Desk break"', 'title = "My desk break"'))

    app = make_app(clock, log, safety_seen=seen)
    monkeypatch.setattr(app, "edit_file", fake_editor)
    async with app.run_test() as pilot:
        await library_loaded(pilot)
        await pilot.press("slash", *"desk", "enter", "e")
        library = await library_loaded(pilot)
        assert edited == [user_programs_dir() / "desk-break.toml"]
        assert [i.title for i in library.shown] == ["My desk break"]
        assert library.current is not None and library.current.entry.source == "user"


async def test_edit_keeps_no_copy_of_a_bundled_program_left_unchanged(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue: `e` on a bundled program made a copy even if the editor changed nothing."""
    edited: list[Path] = []
    app = make_app(clock, log, safety_seen=seen)
    monkeypatch.setattr(app, "edit_file", edited.append)  # opened, and closed unchanged
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"desk", "enter", "e")
        await pilot.pause()
        copy = user_programs_dir() / "desk-break.toml"
        assert edited == [copy] and not copy.exists()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert library.current is not None and library.current.entry.source == "bundled"
        assert any("no copy kept" in n.message for n in app._notifications)


async def test_the_library_fits_80_columns_and_question_mark_shows_its_keys(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    """Issue: at 80 columns the library scrolled sideways, and `?` did nothing in it."""
    from spasmtimer.app.screens.help import HelpScreen

    app = make_app(clock, log, safety_seen=seen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.size.width
        tags = [str(table.get_row_at(n)[3]) for n in range(table.row_count)]
        assert "stretch, flexibility, hamstr…" in tags  # cut, not out of sight
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one(Static).render())
        assert "filter as you type: name, title, tag, summary" in keys and "run the program" in keys
        await pilot.press("escape", "slash", "question_mark")  # while filtering: filter text
        assert isinstance(app.screen, LibraryScreen) and app.screen.words == "?"


async def eventually(pilot, check, seconds: float = 5.0) -> bool:
    """Let the app run (real time: the library polls on Textual's timers) until ``check()``."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await pilot.pause(0.05)
    return bool(check())


async def test_the_library_notices_programs_added_and_changed_outside_the_app(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LibraryScreen, "POLL_SECONDS", 0.05)
    user = user_programs_dir()  # not there yet, as on a fresh install
    app = make_app(clock, log, safety_seen=seen)
    async with app.run_test() as pilot:
        library = await library_loaded(pilot)
        table = library.query_one(DataTable)
        loads: list[int] = []
        load = library.load

        def counted_load(known: Sequence[Item], stamp: FilesStamp) -> Iterable[Item]:
            loads.append(1)
            return load(known, stamp)

        monkeypatch.setattr(library, "load", counted_load)

        def titles() -> dict[str, str]:
            return {i.entry.name: str(table.get_row(i.entry.name)[0]) for i in library.shown}

        await pilot.pause(0.3)
        assert loads == []  # nothing changed: nothing is loaded again
        user.mkdir(parents=True)
        (user / "evening.toml").write_text('title = "Evening"\n[[steps]]\ntype = "rest"\nseconds = 30\n')
        assert await eventually(pilot, lambda: "evening" in titles())
        assert titles()["evening"] == "Evening · yours"
        (user / "evening.toml").write_text('title = "Evening unwind"\n[[steps]]\ntype = "rest"\nseconds = 30\n')
        assert await eventually(pilot, lambda: titles().get("evening") == "Evening unwind · yours")
        # Your own copy of a bundled program is marked, and says what it replaces.
        (user / "desk-break.toml").write_text('title = "Desk break"\n[[steps]]\ntype = "rest"\nseconds = 9\n')
        assert await eventually(pilot, lambda: titles().get("desk-break") == "Desk break · yours")
        await pilot.press("slash", *"desk", "enter")
        about = str(library.query_one("#about").render())
        assert "desk-break, yours, in place of the bundled one: ~/.config/spasmtimer/programs/desk-break.toml" in about
        # Under another screen the files are left alone; showing the library again reloads.
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert not library.is_active
        count = len(loads)
        (user / "later.toml").write_text('[[steps]]\ntype = "rest"\nseconds = 5\n')
        await pilot.pause(0.3)
        assert len(loads) == count
        await pilot.press("enter")
        assert await library_loaded(pilot) is library
        assert "later" in [i.entry.name for i in library.items]


async def test_the_library_says_a_program_has_warnings(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    user = user_programs_dir()
    user.mkdir(parents=True)
    (user / "rhythm.toml").write_text('[[steps]]\ntype = "stretch"\nhold = 5\nbreath = "5-1-3"\n')
    app = make_app(clock, log, safety_seen=seen)
    async with app.run_test() as pilot:
        await library_loaded(pilot)
        await pilot.press("slash", *"rhythm", "enter")
        about = str(app.screen.query_one("#about").render())
        assert "⚠ 1 warning: spasmtimer check rhythm says where" in about


async def test_settings_are_saved_and_bad_ones_reported(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text('bell = "loud"\nvolume = 3\nprepare = 8\n')
    loaded = load_settings()
    assert loaded.settings == Settings(prepare=8)  # the rest are the defaults
    assert len(loaded.problems) == 2
    app = make_app(clock, log, settings=loaded.settings, notices=loaded.problems, safety_seen=seen)
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert any("volume" in n.message for n in app._notifications)
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.click("#bell")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    assert load_settings().settings == Settings(bell=False, prepare=8)
    assert load_settings().problems == []


async def test_settings_say_on_and_off_and_where_the_focus_is(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    """Issue: on and off both showed an X (off a dark one), the focus was barely visible, and
    the bell's checkbox kept a frame, as if focused, once Tab had moved on."""
    from textual.widgets import Checkbox, Label

    app = make_app(clock, log, settings=Settings(flash=False), safety_seen=seen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        boxes = {box.id: box for box in screen.query(Checkbox)}
        assert screen.focused is boxes["bell"]  # a setting, not the list around them
        assert "X" in boxes["bell"].render().plain
        assert "X" not in boxes["flash"].render().plain  # off: an empty box
        assert all(box.styles.border_top[0] in ("", "none") for box in boxes.values())
        await pilot.press("tab")
        assert screen.focused is boxes["flash"]
        assert boxes["bell"].styles.border_top[0] in ("", "none")  # no frame left behind
        theme = screen.query_one("#theme").parent
        assert theme is not None
        label = theme.query_one(Label)
        unfocused = label.styles.background
        await pilot.press(*["tab"] * 5)  # flash, speech, title, progress, notify, theme
        assert screen.focused is not None and screen.focused.id == "theme"
        assert label.styles.background != unfocused  # its row's words are marked


# --- with the real history ----------------------------------------------------------------


async def test_history_screen_and_levels_follow_the_sessions(clock: FakeClock, seen: Path) -> None:
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.app.screens.history import HistoryScreen
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.service import StoredHistory
    from spasmtimer.history.store import History

    history = History.open(history_file())
    app = SpasmtimerApp(
        history=StoredHistory(history, warn=print),
        clock=clock,
        safety_marker=seen,
        settings=Settings(flash=False),
    )
    async with app.run_test() as pilot:
        await library_loaded(pilot)
        await pilot.press("slash", *"breathing", "enter", "r")
        await pilot.pause()
        await through_the_session(pilot, clock)
        assert isinstance(app.screen, SummaryScreen)
        next_level = app.screen.query_one("#next-level")
        assert str(next_level.render()) == "Next time: level 1."
        await pilot.press("2", "tab", "6")  # pain 2 before, 6 after: held
        assert "stays at level 0" in str(next_level.render())
        await pilot.press("backspace", "3", "ctrl+s")
        library = await library_loaded(pilot)
        levels = {i.entry.name: i.level for i in library.shown}
        assert levels == {"breathing-5-1-3": Level(1), "spasm-first-aid": Level(0)}
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        legend = str(app.screen.query_one("#levels-legend", Static).render())
        assert legend == "● breathing-5-1-3  now level 1"
        [series] = app.screen.query_one("#levels-chart", TrendChart).chart.series
        assert series.ys == (0.0,)
    [row] = history.sessions()
    assert (row.program, row.status, row.pain_before, row.pain_after) == (
        "breathing-5-1-3",
        "completed",
        2,
        3,
    )


async def test_skipping_through_is_recorded_but_counts_for_nothing(clock: FakeClock) -> None:
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.service import StoredHistory
    from spasmtimer.history.store import History
    from tests.app_support import run_of

    history = History.open(history_file())
    stored = StoredHistory(history, warn=print)
    safety.record_seen()
    app = SpasmtimerApp(
        history=stored, clock=clock, run=run_of(SHORT), settings=Settings(flash=False)
    )
    async with app.run_test() as pilot:
        while isinstance(app.screen, SessionScreen):
            await advance(pilot, clock, 0.15)
            await pilot.press("n")
        assert isinstance(app.screen, SummaryScreen)
        said = app.screen.query_one("#next-level").render()
        assert str(said).startswith("It does not count toward your level: 1% of it was done")
        assert str(said).endswith("Next time is still level 0.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    stored.close(5)
    [row] = history.sessions()
    assert (row.status, row.counted) == ("completed", False)
    assert row.done_seconds == pytest.approx(15 * 0.15)
    assert history.current_level("short", None) == Level(0)


async def test_the_preview_and_the_session_say_when_a_level_was_eased(
    clock: FakeClock, log: Recorded, seen: Path
) -> None:
    eased = Level(3, eased_from=4, idle_days=12)
    app = make_app(clock, log, level=eased, safety_seen=seen)
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        assert str(app.screen.query_one(DataTable).get_row_at(0)[2]) == "3 eased"
        await pilot.press("enter")
        assert isinstance(app.screen, PreviewScreen)
        header = str(app.screen.query_one("#header", Static).render())
        assert header.endswith("· level 3, eased from 4 after 12 days")
        await pilot.press("r")
        await advance(pilot, clock, 1)
        assert text_of(pilot, "#header").startswith(
            "Ball and roller release · level 3, eased from 4 after 12 days"
        )


def burst(app, *keys: str) -> None:
    """Keys arriving in one read, as from a paste or a slow SSH link: no waiting between them."""
    from textual import events
    from textual.keys import _character_to_key

    for key in keys:
        character = (
            key
            if len(key) == 1
            else {"enter": "\r", "escape": "\x1b", "tab": "\t", "ctrl+s": "\x13"}.get(key)
        )
        app.post_message(events.Key(_character_to_key(key) if len(key) == 1 else key, character))


async def test_a_burst_of_keys_filters_and_never_edits(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(clock, log, safety_seen=seen)
    edited: list[Path] = []
    monkeypatch.setattr(app, "edit_file", edited.append)
    async with app.run_test() as pilot:
        await library_loaded(pilot)
        burst(app, "/", *"desk", "enter")
        await pilot.pause()
        library = app.screen
        assert isinstance(library, LibraryScreen)
        assert [i.entry.name for i in library.shown] == ["desk-break"]
        assert edited == []
        burst(app, "/", *"x q", "escape")  # q is filter text while filtering, not quit
        await pilot.pause()
        assert app.is_running
        assert library.words == ""


async def test_a_burst_on_the_summary_keeps_the_rating(clock: FakeClock, log: Recorded) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test() as pilot:
        await pilot.press("q", "y")
        await pilot.pause()
        burst(app, "5", "ctrl+s")
        await pilot.pause()
    assert log.ratings == [(5, None, None)]


async def test_resizing_mid_session_relays_out_without_losing_time(
    clock: FakeClock, log: Recorded
) -> None:
    app = make_app(clock, log, run=SHORT)
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 8)
        screen = session_screen(pilot)
        big = screen.query_one(BigClock)
        assert (clock_shows(pilot), big.scale) == ("0:12", 1)
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        assert screen.has_class("-short")
        assert big.scale == clock_font.DIGITS
        assert [line.strip() for line in big.lines_of(big.value) if line] == [
            "╭─╮   ╶╮ ╶─╮",
            "│ │ :  │ ┌─┘",
            "╰─╯   ╶┴╴╰─╴",
        ]
        assert text_of(pilot, "#detail") == "left, rep 1 of 2"
        await advance(pilot, clock, 2)
        await pilot.resize_terminal(200, 60)
        await pilot.pause()
        assert clock_shows(pilot) == "0:10" and (big.scale or 0) >= 3  # 15 rows or more
        assert [e.kind for e in screen.session.events] == ["start"]


def test_settings_that_nest_too_deeply_are_reported_not_fatal() -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text("x = " + "[" * 600 + "]" * 600 + "\n")
    loaded = load_settings()
    assert loaded.settings == Settings()
    assert "cannot be read" in loaded.problems[0]


async def test_a_session_stopped_early_is_offered_again(clock: FakeClock) -> None:
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.app.screens.session import ResumeScreen
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.service import StoredHistory
    from spasmtimer.history.store import History
    from tests.app_support import run_of

    safety.record_seen()
    history = History.open(history_file())

    stored = StoredHistory(history, warn=print)

    def app() -> SpasmtimerApp:
        return SpasmtimerApp(
            history=stored,
            clock=clock,
            run=run_of(SHORT),
            settings=Settings(flash=False, theme="textual-dark"),
        )

    first = app()
    async with first.run_test() as pilot:
        await advance(pilot, clock, 30)  # 5 s into the second hold
        await pilot.press("q", "y")
        await pilot.pause()
    stored.close(5)
    again = app()
    async with again.run_test() as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ResumeScreen)
        question = str(again.screen.query_one("#resume-question", Static).render())
        assert question == "Resume Short stretch at 0:30 of 1:55?"
        await pilot.press("enter")
        await pilot.pause()
        # A get-ready first, saying where it goes on (docs/history.md, "Resuming") ...
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:05", "GET READY")
        assert text_of(pilot, "#detail") == "Resumed at 0:30 of 1:55"
        assert text_of(pilot, "#next") == "Next: Knee to chest — hold, right, rep 1 of 2, 10 s"
        assert text_of(pilot, "#pain") == "Pain now? Press 0–10 (optional)"
        assert session_screen(pilot).has_class("-kind-prepare")
        await advance(pilot, clock, 5)
        # ... then the 10 s left of the hold it stopped in
        assert (clock_shows(pilot), text_of(pilot, "#phase")) == ("0:10", "HOLD")
        await through_the_session(pilot, clock)
        await pilot.press("ctrl+s")
        await pilot.pause()
    stored.close(5)
    [row] = history.sessions()
    assert (row.status, row.counted) == ("completed", True)
    start_over = app()
    async with start_over.run_test() as pilot:
        await pilot.pause()
        assert not isinstance(start_over.screen, ResumeScreen)  # finished: nothing to offer
        assert clock_shows(pilot) == "0:05"


async def test_a_pain_typed_during_get_ready_outlives_a_kill(clock: FakeClock) -> None:
    """Issue: a pain typed during get-ready was kept only for the summary, so a session cut
    off (``kill``, a dropped connection) had none, nor did the summary of it taken up again
    (docs/history.md, "Resuming": recorded the moment it is typed)."""
    import signal

    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.app.screens.session import ResumeScreen
    from spasmtimer.base import exits
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.service import StoredHistory
    from spasmtimer.history.store import History
    from tests.app_support import run_of

    safety.record_seen()
    history = History.open(history_file())
    stored = StoredHistory(history, warn=print)

    def app() -> SpasmtimerApp:
        return SpasmtimerApp(
            history=stored, clock=clock, run=run_of(SHORT), settings=Settings(theme="textual-dark")
        )

    first = app()
    async with first.run_test() as pilot:
        await advance(pilot, clock, 1)
        await pilot.press("6")  # during get-ready
        writer = stored._writer
        assert writer is not None and writer.flush(5)  # written now, long before any rating
        [row] = history.sessions()
        assert (row.status, row.pain_before) == ("running", 6)
        await advance(pilot, clock, 20)  # into the first hold
        first.interrupt(exits.signalled(signal.SIGTERM))  # as `kill` does
        await pilot.pause()
    stored.close(5)
    [row] = history.sessions()
    assert (row.status, row.pain_before) == ("stopped", 6)
    again = app()
    async with again.run_test() as pilot:
        await pilot.pause()
        assert isinstance(again.screen, ResumeScreen)
        await pilot.press("enter")
        await pilot.pause()
        await through_the_session(pilot, clock)
        assert isinstance(again.screen, SummaryScreen)
        assert again.screen.query_one("#pain-before", Input).value == "6"
        await pilot.press("2", "ctrl+s")
        await pilot.pause()
    stored.close(5)
    [row] = history.sessions()
    assert (row.status, row.pain_before, row.pain_after) == ("completed", 6, 2)


async def test_the_app_collects_again_once_its_first_frame_is_drawn(
    clock: FakeClock, log: Recorded
) -> None:
    import gc

    from spasmtimer.base import startup

    startup.hold()  # as `spasmtimer.__main__` leaves it
    try:
        assert not gc.isenabled()
        app = make_app(clock, log, run=SHORT)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.mark.parametrize("size", [(80, 24), (80, 16)])
async def test_the_session_screen_is_styled_once_before_its_first_frame(
    clock: FakeClock, log: Recorded, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """It is made with the classes it will have (the first phase's kind, the height's
    breakpoint): each one added after it was mounted restyled the whole screen again (three
    times in all, before), and Textual's own restyle as the screen is first shown would only
    repeat what its mount worked out."""
    from textual.app import App

    restyled = []
    real = App.update_styles

    def update_styles(self: App[object], node: object, animate: bool = True) -> None:
        if isinstance(node, SessionScreen):
            restyled.append(sorted(node.classes))
        real(self, node, animate)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "update_styles", update_styles)
    app = make_app(clock, log, run=SHORT)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = session_screen(pilot)
        assert "-kind-prepare" in screen.classes
        assert ("-tall" if size[1] >= 20 else "-short") in screen.classes
        assert restyled == [], restyled
        await advance(pilot, clock, 5)  # the hold: its colour is a class of its own
        assert "-kind-hold" in screen.classes
        assert len(restyled) > 1


async def test_the_library_loads_off_the_ui_thread_and_answers_meanwhile(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A library of thousands takes its time to load: the screen is drawn and answers keys at
    once, and the programs fill in as they load, on a thread other than the app's."""
    import threading

    app = make_app(clock, log, safety_seen=seen)
    release = threading.Event()
    loaded_on: list[threading.Thread] = []
    load = app.library_items

    def slow_load(known: Sequence[Item], stamp: FilesStamp) -> Iterable[Item]:
        loaded_on.append(threading.current_thread())
        for n, item in enumerate(load(known, stamp)):
            if n == 2:
                assert release.wait(10)
            yield item

    monkeypatch.setattr(app, "library_items", slow_load)
    switch = sys.getswitchinterval()
    async with app.run_test() as pilot:
        await pilot.pause(0.3)
        loading = app.screen
        assert isinstance(loading, LibraryScreen)
        assert loading.loading_programs
        # The loader waits behind the UI for Python's lock no longer than this, while it loads.
        assert sys.getswitchinterval() == LibraryScreen.LOADING_SWITCH_SECONDS
        await pilot.press("slash", *"desk")  # the keys are answered while it loads
        assert loading.words == "desk"
        await pilot.press("escape")
        release.set()
        library = await library_loaded(pilot)
        assert loaded_on and all(t is not threading.main_thread() for t in loaded_on)
        assert "desk-break" in [item.entry.name for item in library.shown]
        assert sys.getswitchinterval() == switch  # as it was, once loaded


async def test_the_library_loads_on_only_once_what_it_sent_is_drawn(
    clock: FakeClock, log: Recorded, seen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading on while the screen draws the programs just sent would slow the drawing (the
    two share Python's lock): the loading thread waits until they are drawn."""
    monkeypatch.setattr(LibraryScreen, "SHOW_FIRST", 0.0)
    monkeypatch.setattr(LibraryScreen, "SHOW_EVERY", 0.0)  # each program sent as it loads
    app = make_app(clock, log, safety_seen=seen)
    load = app.library_items
    resumed: list[tuple[int, int, bool]] = []

    def watched_load(known: Sequence[Item], stamp: FilesStamp) -> Iterable[Item]:
        for n, item in enumerate(load(known, stamp)):
            if n:  # loading on, after programs 0..n-1 were sent
                screen = app.screen
                assert isinstance(screen, LibraryScreen)
                table = screen.query_one(DataTable)
                resumed.append((n, table.row_count, screen._drawn.is_set()))
            yield item

    monkeypatch.setattr(app, "library_items", watched_load)
    async with app.run_test() as pilot:
        library = await library_loaded(pilot)
        assert len(library.items) > 3
    assert resumed == [(n, n, True) for n in range(1, len(library.items))]
