"""The big clock's font: scaled by whole multiples, and the largest size that fits."""

from __future__ import annotations

import pytest

from spasmtimer.app.clock_font import DIGITS, ONE_LINE, fitting_scale, glyph_rows, rows, width


def test_a_glyph_scales_by_whole_multiples() -> None:
    assert glyph_rows("1", 1) == ["  ██  ", "████  ", "  ██  ", "  ██  ", "██████"]
    doubled = glyph_rows("1", 2)
    assert len(doubled) == 10 and doubled[0] == doubled[1] == "    ████    "
    assert glyph_rows(":", 3)[3] == "██████"  # the colon's dot, 3 rows down


def test_a_time_is_its_glyphs_side_by_side_a_gap_apart() -> None:
    drawn = rows("1:0", 2)
    assert len(drawn) == 10 and all(len(row) == width("1:0", 2) for row in drawn)
    one, colon, zero = glyph_rows("1", 2), glyph_rows(":", 2), glyph_rows("0", 2)
    assert drawn[4] == one[4] + "  " + colon[4] + "  " + zero[4]


def test_the_width_of_a_time() -> None:
    # three digits of 3 pixels and a colon of 1, 2 cells a pixel, and a gap between each
    assert width("0:23", 1) == (3 * 3 + 1) * 2 + 3
    assert width("0:23", 4) == (3 * 3 + 1) * 8 + 3 * 4
    assert width("0:23", DIGITS) == 12  # as Textual's `Digits` draws them
    assert width("0:23", ONE_LINE) == 4


@pytest.mark.parametrize(
    ("columns", "rows", "scale"),
    [
        (200, 46, 8),  # 40 rows high: what 200x60 leaves for the clock
        (120, 27, 5),
        (76, 9, 1),  # 80x24
        (76, 4, DIGITS),
        (20, 12, DIGITS),  # too narrow for the 5-row font at any size (it needs 23)
        (9, 12, ONE_LINE),
        (76, 2, ONE_LINE),
    ],
)
def test_the_largest_size_that_fits(columns: int, rows: int, scale: int) -> None:
    assert fitting_scale("0:23", columns, rows) == scale


def test_a_longer_time_may_need_a_smaller_size() -> None:
    assert fitting_scale("9:59", 110, 40) > fitting_scale("10:00", 110, 40)
