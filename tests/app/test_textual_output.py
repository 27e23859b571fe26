"""The replacement of Textual's partial-update writer draws exactly what Textual's own draws,
in fewer bytes, and is used only on the Textual versions it was checked against."""

from __future__ import annotations

import pyte
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from spasmtimer.app import textual_output
from spasmtimer.app.textual_output import render_segments

WIDTH, LINES = 24, 3
STYLES = [
    None,
    Style(color="red"),
    Style(color="red"),  # twice: neighbours often share colours
    Style(color="color(74)", bgcolor="color(233)"),
    Style(color="color(214)", bgcolor="color(233)"),  # a change of foreground only
    Style(bgcolor="color(233)"),  # back to the default foreground
    Style(bold=True, color="color(16)", bgcolor="color(214)"),
    Style(dim=True, color="red"),
    Style(bold=True, bgcolor="blue"),
    Style(italic=True, underline=True),
    Style(reverse=True),
    Style(color="green", link="https://example.org"),
]


def console() -> Console:
    return Console(color_system="256", force_terminal=True, width=WIDTH)


def textuals_own(update: ChopsUpdate) -> str:
    return textual_output._textuals_own(update, console())


def screen_after(*writes: str) -> list[list[tuple[object, ...]]]:
    screen = pyte.Screen(WIDTH, LINES)
    stream = pyte.Stream(screen)
    for text in writes:
        stream.feed(text)
    return [[tuple(screen.buffer[y][x]) for x in range(WIDTH)] for y in range(LINES)]


@st.composite
def strips(draw: st.DrawFn, width: int) -> Strip:
    segments = []
    left = width
    while left:
        n = draw(st.integers(1, left))
        text = draw(st.text(alphabet="abc█━─ ", min_size=n, max_size=n))
        segments.append(Segment(text, draw(st.sampled_from(STYLES))))
        left -= n
    return Strip(segments, width)


@st.composite
def updates(draw: st.DrawFn) -> tuple[ChopsUpdate, ChopsUpdate]:
    """A screen's chops, and the update of some spans of it: as Textual's compositor makes
    them, each line cut into chops that together cover it."""
    chops: list[dict[int, Strip | None]] = []
    ends: list[list[int]] = []
    for _ in range(LINES):
        cuts = sorted(draw(st.sets(st.integers(1, WIDTH - 1), max_size=4)))
        starts, line_ends = [0, *cuts], [*cuts, WIDTH]
        line: dict[int, Strip | None] = {}
        for start, end in zip(starts, line_ends, strict=True):
            line[start] = None if draw(st.integers(0, 9)) == 0 else draw(strips(end - start))
        chops.append(line)
        ends.append(line_ends)
    spans = []
    for y in sorted(draw(st.sets(st.integers(0, LINES - 1), min_size=1))):
        x1 = draw(st.integers(0, WIDTH - 1))
        spans.append((y, x1, draw(st.integers(x1 + 1, WIDTH))))
    whole = ChopsUpdate(chops, [(y, 0, WIDTH) for y in range(LINES)], ends)
    return whole, ChopsUpdate(chops, spans, ends)


@settings(max_examples=300, deadline=None)
@given(updates(), st.text(alphabet="xyz", min_size=WIDTH, max_size=WIDTH))
def test_the_same_screen_as_textuals_own_in_no_more_bytes(
    update: tuple[ChopsUpdate, ChopsUpdate], junk: str
) -> None:
    whole, partial = update
    # The screen shows the chops already, but for junk in the spans the update repaints.
    shown = textuals_own(whole)
    scribble = "".join(
        f"\x1b[{y + 1};{x1 + 1}H\x1b[0;35m{junk[x1:x2]}\x1b[0m" for y, x1, x2 in partial.spans
    )
    # Left where Textual leaves it after an update, at its cursor position (the top left): from
    # the bottom line, the newlines of Textual's own writer would scroll the screen.
    scribble += "\x1b[H"
    theirs, ours = textuals_own(partial), render_segments(partial, console())
    assert screen_after(shown, scribble, ours) == screen_after(shown, scribble, theirs)
    assert len(ours) <= len(theirs)


def test_what_draws_nothing_is_not_written() -> None:
    red = Style(color="red")
    line = {0: Strip([Segment("ab", red), Segment("cd", red)]), 4: Strip([Segment("ef", red)])}
    # The span covers cells 1 to 4: "bcd" of the first chop and "e" of the second.
    update = ChopsUpdate([line, line], [(0, 1, 5), (1, 4, 6)], [[4, 6], [4, 6]])
    assert textuals_own(update) == (
        "\x1b[1;1H\x1b[31mab\x1b[0m\x1b[31mcd\x1b[0m\x1b[1;5H\x1b[31me\x1b[0m\n"
        "\x1b[2;5H\x1b[31mef\x1b[0m"
    )
    # From the span's first cell; one colour code; no move where the cursor is; no newline.
    assert render_segments(update, console()) == "\x1b[1;2H\x1b[31mbcde\x1b[2;5Hef\x1b[0m"
    # A chop that starts where the span ends draws nothing: no move to it.
    ends_there = ChopsUpdate([line], [(0, 0, 4)], [[4, 6]])
    assert render_segments(ends_there, console()) == "\x1b[1;1H\x1b[31mabcd\x1b[0m"


def test_colours_change_by_what_differs() -> None:
    grey_on_black, white_on_black = "38;5;247;48;5;233", "38;5;253;48;5;233"
    # Only the foreground: the background stays.
    assert textual_output._change(grey_on_black, white_on_black) == "38;5;253"
    # Bold added; back to the default foreground, where a reset is longer and where not.
    assert textual_output._change(grey_on_black, f"1;{grey_on_black}") == "1"
    assert textual_output._change(grey_on_black, "1;48;5;233") == "39;1"
    assert textual_output._change(grey_on_black, "48;5;214") == "0;48;5;214"  # shorter
    # Bold cannot be switched off but by a reset (22 would take dim off too, in some terminals).
    assert textual_output._change(f"1;{grey_on_black}", grey_on_black) == f"0;{grey_on_black}"
    # From the terminal's defaults, and back to them.
    assert textual_output._change("", grey_on_black) == grey_on_black
    assert textual_output._change(grey_on_black, "") == "0"
    assert textual_output._change("38;2;1;2;3", "38;2;1;2;4") == "38;2;1;2;4"


def test_installed_only_on_a_checked_textual(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        monkeypatch.setattr(textual_output, "textual_version", "99.0.0")
        assert not textual_output.install()
        assert ChopsUpdate.render_segments is textual_output._textuals_own
        monkeypatch.setattr(textual_output, "textual_version", textual_output.CHECKED_VERSIONS[0])
        assert textual_output.install()
        assert ChopsUpdate.render_segments is render_segments
    finally:
        textual_output.uninstall()


def test_the_installed_textual_is_one_it_was_checked_against() -> None:
    # A new Textual fails here until ChopsUpdate is checked again (its fields, its meaning) and
    # its version added to CHECKED_VERSIONS: until then the app uses Textual's own writer.
    import textual

    assert textual.__version__ in textual_output.CHECKED_VERSIONS


def test_the_version_is_read_as_textual_gives_it() -> None:
    import textual

    assert textual_output.installed_version() == textual.__version__
