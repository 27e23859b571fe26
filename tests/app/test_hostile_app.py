"""The app with programs, histories and file names made by someone else: every screen opens,
square brackets are shown as written, nothing is clickable that should not be, and no control
character reaches the terminal."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from textual.app import App
from textual.containers import VerticalScroll
from textual.widget import Widget

from spasmtimer.app import SpasmtimerApp
from spasmtimer.app.screens.history import HistoryScreen
from spasmtimer.app.screens.library import LibraryScreen
from spasmtimer.app.screens.preview import PreviewScreen
from spasmtimer.app.screens.session import CautionScreen, SessionScreen
from spasmtimer.base.locations import history_file, user_programs_dir
from spasmtimer.base.text import CONTROL
from spasmtimer.history.service import StoredHistory
from spasmtimer.history.store import History
from spasmtimer.session.settings import Settings
from tests.app_support import advance, library_loaded
from tests.history_support import Past, record
from tests.support import FakeClock
from tests.unit.test_hostile import ESCAPES, MARKUP, hostile_history

CLICK = "[@click=app.screenshot('/tmp/spasmtimer-pwned')]click me[/]"
MARKED_UP = {
    "title": "[/] Evil [b]title",
    "summary": "[red]summary",
    "caution": "[/]",
    "tags": ["[x]", "[/]"],
    "prepare": 2,
    "steps": [
        {
            "type": "stretch",
            "name": "Hold [x2] gently",
            "hold": 10,
            "sides": ["[left]", "right"],
            "cue": CLICK,
            "halfway": "[link=https://example.com]link[/link]",
        }
    ],
}


def screen_text(app: App[None]) -> str:
    """Everything the screen would send to the terminal, as text; asserting that no segment
    holds a control character (Textual's own escape codes are not in the segments)."""
    rows = []
    for strip in app.screen._compositor.render_full_update().strips:
        row = ""
        for segment in strip:
            found = CONTROL.search(segment.text)
            assert found is None, f"{found.group()!r} reaches the terminal in {segment.text!r}"
            row += segment.text
        rows.append(row)
    return "\n".join(rows)


def make_app(clock: FakeClock, tmp_path: Path, history: History | None = None) -> SpasmtimerApp:
    seen = tmp_path / "seen"
    seen.touch()
    return SpasmtimerApp(
        settings=Settings(theme="textual-dark", flash=False),
        clock=clock,
        safety_marker=seen,
        history=StoredHistory(history, warn=print) if history else None,
    )


async def test_markup_in_a_program_is_text_everywhere(clock: FakeClock, tmp_path: Path) -> None:
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    (folder / "evil.toml").write_text(tomli_w.dumps(MARKED_UP))
    clicked: list[object] = []
    app = make_app(clock, tmp_path)
    app.action_screenshot = lambda *a, **kw: clicked.append(a)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await library_loaded(pilot)
        assert isinstance(app.screen, LibraryScreen)
        names = [item.entry.name for item in app.screen.shown]
        await pilot.press(*["down"] * names.index("evil"))
        text = screen_text(app)
        assert "[/] Evil [b]title" in text and "[red]summary" in text
        await pilot.press("enter")
        assert isinstance(app.screen, PreviewScreen)
        text = screen_text(app)
        assert "Caution: [/]" in text and "Hold [x2] gently — hold 10 s, [left] / right" in text
        await pilot.press("r")
        assert isinstance(app.screen, CautionScreen)
        assert "[/]" in screen_text(app)
        await pilot.press("enter")
        await advance(pilot, clock, 2)
        assert isinstance(app.screen, SessionScreen)
        text = screen_text(app)
        assert "Hold [x2] gently" in text and "click me[/]" in text and "[left]" in text
        cue = app.screen.query_one("#cue", Widget)
        await pilot.click(cue)
        await pilot.click(cue, offset=(cue.size.width // 2, 0))
        await advance(pilot, clock, 5)
        assert "Halfway — [link=https://example.com]link[/link]" in screen_text(app)
    assert clicked == []
    assert not Path("/tmp/spasmtimer-pwned").exists()


async def test_hostile_history_rows_are_shown_as_text(clock: FakeClock, tmp_path: Path) -> None:
    hostile_history()
    history = History.open(history_file())
    app = make_app(clock, tmp_path, history)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        screen_text(app)  # the charts, first
        app.screen.query_one("#history", VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)  # the table, under them
        assert "␛]0;pwned␇" in text
        assert "[@click=app.quit]x[/]" in text
        await pilot.press("escape")
        screen_text(app)  # the library, with each program's level from those rows


@pytest.mark.parametrize("size", [(160, 70), (50, 70)], ids=["charts", "words"])
async def test_hostile_program_names_in_the_trends_are_text(
    clock: FakeClock, tmp_path: Path, size: tuple[int, int]
) -> None:
    """Program names (another program may write any) name the levels chart's series, in its
    legend and in its words: shown as they are, never as markup or escapes."""
    history = History.open(history_file())
    names = [*ESCAPES.values(), *MARKUP, "[@click=app.quit]x[/]"]
    at = datetime(2026, 11, 20, 8, tzinfo=UTC)
    record(
        history, *(Past(name, n % 3, at + timedelta(hours=n), 3, 2) for n, name in enumerate(names))
    )
    app = make_app(clock, tmp_path, history)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        levels = app.screen.query_one("#levels")
        levels.scroll_visible(animate=False, top=True)
        await pilot.pause()
        text = screen_text(app)
        assert "␛]0;pwned␇" in text
        assert "[@click=app.quit]x[/]" in text
        assert "[link=https://example.com]link[/link]" in text
        assert "fake line" in text  # a carriage return in a name: one line, as in the table


async def test_hostile_file_names_are_shown_as_text(clock: FakeClock, tmp_path: Path) -> None:
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    for n, text in enumerate([*ESCAPES.values(), *MARKUP]):
        name = text.replace("/", "|").replace("\x00", "")
        (folder / f"{name} {n}.toml").write_text(
            '[[steps]]\ntype = "rest"\nseconds = 5\n' if n % 2 else "this is not toml ["
        )
    # Bytes that are not UTF-8, as an archive made on another system names its files.
    (folder / os.fsdecode(b"\xfcbung.toml")).write_text('[[steps]]\ntype = "rest"\nseconds = 5\n')
    (folder / os.fsdecode(b"caf\xe9.toml")).write_text("this is not toml [")
    app = make_app(clock, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await library_loaded(pilot)
        assert isinstance(app.screen, LibraryScreen)
        for _ in range(len(app.screen.shown)):
            screen_text(app)  # each program described in turn, broken ones with their error
            await pilot.press("down")
