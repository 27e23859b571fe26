"""What the session screen sends to the terminal: only what changed. These guard the structure
that keeps a session cheap over SSH (the figures are in `benchmarks/terminal.py`)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Footer

from spasmtimer.app.widgets import Bar, BigClock, Line
from tests.app_support import Recorded, advance, make_app, session_screen
from tests.support import FakeClock

HOLD = """title = "Bytes"
prepare = 0
[[steps]]
type = "stretch"
name = "Seated hamstring stretch"
hold = "2m"
cue = "Lean forward gently."
"""
BREATHS = """title = "Bytes"
prepare = 0
[[steps]]
type = "breathe"
name = "Slow breathing"
inhale = 3
pause = 2
exhale = 3
cycles = 4
"""
ONE_SECOND_REPS = """title = "Bytes"
prepare = 0
[[steps]]
type = "stretch"
name = "Pelvic tilt"
hold = 1
reps = 20
rest = 0
"""


class Wire:
    """The updates the app hands the terminal driver, as the terminal would get them."""

    def __init__(self, app: App[None]) -> None:
        self.updates: list[CompositorUpdate] = []
        display = app._display

        def spy(screen: object, renderable: object) -> None:
            if isinstance(renderable, CompositorUpdate):
                self.updates.append(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = spy  # type: ignore[method-assign]

    def take(self) -> list[CompositorUpdate]:
        taken, self.updates = self.updates, []
        return taken

    def written(self, updates: list[CompositorUpdate]) -> str:
        console = Console(color_system="256", force_terminal=True, width=80)
        return "".join(update.render_segments(console) for update in updates)


def cells_of(updates: list[CompositorUpdate]) -> list[Region]:
    """The cells each partial update repaints, as one-row regions."""
    regions = []
    for update in updates:
        assert isinstance(update, ChopsUpdate), "a whole-screen or layout update"
        regions += [Region(x1, y, x2 - x1, 1) for y, x1, x2 in update.spans]
    return regions


def program(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bytes.toml"
    path.write_text(text)
    return path


async def settled(pilot: Pilot[None]) -> None:
    """Until the footer, which fills in after the screen is up, has been drawn, and a flash
    of the phase word (timed by the real clock) has ended."""
    screen = session_screen(pilot)
    footer = screen.query_one(Footer)
    for _ in range(100):
        if footer.children and not any(line.flash for line in screen.query(Line)):
            break
        await pilot.pause(0.01)
    await pilot.pause()
    await pilot.pause()


async def test_a_moment_in_which_nothing_changes_writes_nothing(tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, HOLD))
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 10.25)
        await settled(pilot)
        wire = Wire(app)
        for _ in range(5):  # the screen's timer ticks; the clock stands still
            await advance(pilot, clock, 0)
        assert wire.written(wire.take()) == ""
        await advance(pilot, clock, 0.5)  # 1:49.25 left: the same second
        assert wire.written(wire.take()) == ""


async def test_a_new_second_repaints_only_the_clock_cells_that_change(tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, HOLD))
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 10.25)  # 1:50 -> 1:49: the last digit changes
        await settled(pilot)
        screen = session_screen(pilot)
        clock_region = screen.query_one("#clock", BigClock).region
        wire = Wire(app)
        await advance(pilot, clock, 1)
        cells = cells_of(wire.take())
        assert cells, "the new second was not drawn"
        on_the_clock = [r for r in cells if clock_region.contains_region(r)]
        elsewhere = [r for r in cells if r not in on_the_clock]
        # The last digit's glyph only: a few cells in each of its rows, not the clock's width.
        assert on_the_clock and all(r.width <= clock_region.width // 3 for r in on_the_clock)
        # Besides the clock: at most a one-cell step of a progress bar (its row is not redrawn).
        assert all(r.width <= 2 for r in elsewhere), elsewhere


async def test_a_one_cell_step_of_the_bar_does_not_repaint_its_row(tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, HOLD))
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 0.1)
        await settled(pilot)
        bar = session_screen(pilot).query_one("#session-progress", Bar)
        wire = Wire(app)
        before = bar.render_line(0).text
        for _ in range(40):  # to the bar's next step, a quarter second at a time
            await advance(pilot, clock, 0.25)
            if bar.render_line(0).text != before:
                break
        on_the_bar_row = [r for r in cells_of(wire.take()) if r.y == bar.region.y]
        assert on_the_bar_row, "the bar did not move"
        assert sum(r.width for r in on_the_bar_row) <= 2 < bar.region.width


async def test_a_line_that_grows_is_written_once(tmp_path: Path) -> None:
    # "Next: … rep 9 of 20" -> "rep 10 of 20", a line that grows: each row drawn once.
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, ONE_SECOND_REPS))
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 7.5)  # rep 8; next, rep 9
        await settled(pilot)
        screen = session_screen(pilot)
        wire = Wire(app)
        await advance(pilot, clock, 1)
        for _ in range(3):
            await advance(pilot, clock, 0)
        assert "rep 10 of 20" in screen.query_one("#next", Line).text
        updates = wire.take()
        assert updates, "the new rep was not drawn"
        rows = [row for update in updates for row in rows_of(update)]
        assert len(rows) == len(set(rows)), "a row was written twice"


async def test_a_new_phase_word_repaints_its_own_cells_not_the_row(tmp_path: Path) -> None:
    # "BREATHE IN" -> "HOLD THE BREATH", flashing as it comes: the line is as wide as the screen, and
    # centres its own text, so only the cells under the two words change.
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, BREATHS))
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 2.75)
        await settled(pilot)
        word = session_screen(pilot).query_one("#phase", Line)
        assert word.text == "BREATHE IN" and word.region.width == 80
        wire = Wire(app)
        await advance(pilot, clock, 0.5)
        assert word.text == "HOLD THE BREATH" and word.flash
        on_the_word_row = [r for r in cells_of(wire.take()) if r.y == word.region.y]
        assert on_the_word_row, "the new word was not drawn"
        assert sum(r.width for r in on_the_word_row) <= len("HOLD THE BREATH")


def rows_of(update: CompositorUpdate) -> set[int]:
    if isinstance(update, ChopsUpdate):
        return {y for y, _, _ in update.spans}
    assert isinstance(update, LayoutUpdate)
    return set(range(update.region.y, update.region.bottom))


async def test_a_flashed_phase_word_is_drawn_back_in_its_own_colours(tmp_path: Path) -> None:
    """The flash at a new phase ends: replayed through a terminal, the word a second into its
    phase is in the colours of the line, not the flash's (it stayed flashed, amber, for the
    whole phase: an un-flash that changed only colours was taken for no change at all)."""
    import pyte

    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, BREATHS))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = pyte.Screen(80, 24)
        stream = pyte.Stream(screen)
        wire = Wire(app)
        app.refresh()  # the whole screen, to start the terminal from
        await pilot.pause()
        await advance(pilot, clock, 3.1)  # into the pause: "HOLD THE BREATH", flashing
        word = session_screen(pilot).query_one("#phase", Line)
        assert word.text == "HOLD THE BREATH" and word.flash
        await pilot.pause(0.5)  # past the flash, on the real clock that times it
        await advance(pilot, clock, 0)
        stream.feed(wire.written(wire.take()))
        row = word.region.y
        line = "".join(screen.buffer[row][x].data for x in range(80))
        start = line.index("HOLD THE BREATH")
        flashed = {screen.buffer[row][x].bg for x in range(start, start + 15)}
        beside = screen.buffer[row][start - 2].bg
        assert flashed == {beside}, (flashed, beside)


FIGURED = """title = "Bytes"
prepare = 0
[[steps]]
type = "stretch"
name = "Knee to chest"
figure = "knee-to-chest"
hold = "2m"
"""


async def test_a_figure_standing_still_writes_nothing_and_its_movement_only_what_moves(
    tmp_path: Path,
) -> None:
    """A hold's figure moves from its start to the held pose in its first moments, a frame
    repainting only the cells that change, then writes nothing more: only the clock moves."""
    from spasmtimer.app.figure import FigureView

    clock = FakeClock()
    app = make_app(clock, Recorded(), run=program(tmp_path, FIGURED))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        figure = session_screen(pilot).query_one(FigureView)
        assert figure.display and figure.region.width >= 16
        wire = Wire(app)
        await advance(pilot, clock, 0.5)  # moving: two frames on from the start pose
        moved = [r for r in cells_of(wire.take()) if figure.region.contains_region(r)]
        assert moved and sum(r.width for r in moved) < figure.region.area // 2
        await advance(pilot, clock, 5)  # in the held pose
        wire.take()
        for _ in range(10):  # a second at a time: the clock, never the figure
            await advance(pilot, clock, 1)
            on_the_figure = [r for r in cells_of(wire.take()) if figure.region.overlaps(r)]
            assert on_the_figure == []
