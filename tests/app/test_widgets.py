"""`Line`, which draws its own rows: wrapped, placed as its CSS says, and laid out again only
when its text needs another size."""

from __future__ import annotations

from textual.app import App, ComposeResult

from spasmtimer.app.widgets import Line


class Lines(App[None]):
    CSS = """
    #centred { text-align: center; height: auto; }
    #right { text-align: right; height: 1; }
    #auto { width: auto; height: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Line("Lean forward gently, one leg along the bed.", id="centred")
        yield Line("rep 1", id="right")
        yield Line("Next: rep 9", id="auto")


def rows(line: Line) -> list[str]:
    return [line.render_line(y).text for y in range(line.size.height)]


async def test_a_centred_line_wraps_and_centres_each_row() -> None:
    app = Lines()
    async with app.run_test(size=(24, 6)) as pilot:
        line = app.query_one("#centred", Line)
        assert rows(line) == [
            "Lean forward gently, one",
            "   leg along the bed.   ",
        ]
        line.text = "Breathe out slowly, and let the whole of the back go soft."
        await pilot.pause()  # three rows now: laid out again
        assert rows(line) == [
            "Breathe out slowly, and ",
            "  let the whole of the  ",
            "     back go soft.      ",
        ]


async def test_a_right_aligned_line_keeps_to_the_right_as_it_changes() -> None:
    app = Lines()
    async with app.run_test(size=(24, 6)) as pilot:
        line = app.query_one("#right", Line)
        assert rows(line) == [" " * 19 + "rep 1"]
        line.text = "rep 10"
        await pilot.pause()
        assert rows(line) == [" " * 18 + "rep 10"]


async def test_a_line_as_wide_as_its_text_grows_and_shrinks_with_it() -> None:
    app = Lines()
    async with app.run_test(size=(24, 6)) as pilot:
        line = app.query_one("#auto", Line)
        assert line.size.width == len("Next: rep 9")
        line.text = "Next: rep 10"
        await pilot.pause()
        assert line.size.width == len("Next: rep 10")
        assert rows(line) == ["Next: rep 10"]
        line.text = "Next: rest"  # and shrinks with it: one row either way
        await pilot.pause()
        assert line.size.width == len("Next: rest")
