"""The history's trends: what the charts of the history screen show, and the same in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spasmtimer.base.text import cell_width
from spasmtimer.history.records import SessionRecord, Status
from spasmtimer.history.store import History
from spasmtimer.history.trends import (
    AFTER,
    BEFORE,
    PAIN_ROWS,
    PROGRAM_MARKERS,
    WEEKS,
    Chart,
    Paragraph,
    flowed,
    level_chart,
    level_legend,
    level_rows,
    levels_words,
    nice_top,
    pain_chart,
    pain_words,
    trends,
    week_chart,
    week_words,
)
from spasmtimer.session.levels import Level
from tests.history_support import Past, local_time, record

T0 = datetime(2026, 11, 16, 8, 30, tzinfo=UTC)  # a Monday
NOW = T0 + timedelta(days=5)


def session(
    program: str = "desk-break",
    level: int = 0,
    at: datetime = T0,
    before: int | None = None,
    after: int | None = None,
    done: float = 300,
    planned: float = 300,
    status: Status = "completed",
) -> SessionRecord:
    return SessionRecord(
        id="1",
        program=program,
        title=program,
        path="/x",
        content_hash="h",
        level=level,
        started_at=at,
        ended_at=at + timedelta(seconds=done),
        status=status,
        planned_seconds=planned,
        done_seconds=done,
        pain_before=before,
        pain_after=after,
        notes=None,
    )


# --- pain ----------------------------------------------------------------------------------------


def test_pain_is_every_rated_session_in_order() -> None:
    records = [
        session(at=T0, before=4, after=3),
        session(at=T0 + timedelta(hours=1)),  # not rated: not shown
        session(at=T0 + timedelta(days=1), after=2, status="stopped", done=10),
        session(at=T0 + timedelta(days=2), before=7),
    ]
    with local_time("UTC"):
        shown = trends(records, NOW)
    assert [(p.before, p.after) for p in shown.pain] == [(4, 3), (None, 2), (7, None)]
    assert shown.pain_left_out == 0
    assert pain_words(shown) == (Paragraph("", ("16 Nov 4 → 3", "17 Nov – → 2", "18 Nov 7 → –")),)


def test_pain_is_dated_in_local_time() -> None:
    late = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # Friday evening in UTC
    with local_time("XXX-13"):  # already Saturday, thirteen hours ahead
        shown = trends([session(at=late, before=3, after=1)], NOW)
        assert shown.pain[0].when.hour == 9
        assert pain_words(shown)[0].items == ("21 Nov 3 → 1",)


def test_pain_shows_the_last_sessions_rated() -> None:
    records = [session(at=T0 + timedelta(hours=n), before=n % 11, after=1) for n in range(35)]
    shown = trends(records, NOW, pain_sessions=30)
    assert len(shown.pain) == 30
    assert shown.pain_left_out == 5
    assert shown.pain[0].before == 5
    assert shown.pain[-1].before == 34 % 11


def test_the_pain_chart_has_a_pair_for_each_session() -> None:
    records = [
        session(at=T0, before=4, after=4),
        session(at=T0 + timedelta(days=1), after=2),
        session(at=T0 + timedelta(days=2), before=7, after=5),
    ]
    with local_time("UTC"):  # the dates below are UTC's
        chart = pain_chart(trends(records, NOW))
    assert chart is not None
    before, after = chart.series
    assert (before.label, before.marker, after.label, after.marker) == (
        "before",
        BEFORE,
        "after",
        AFTER,
    )
    assert BEFORE != AFTER  # told apart without colour
    assert before.xs == (1, 3) and before.ys == (4, 7)
    assert after.xs == (1, 2, 3) and after.ys == (4, 2, 5)
    assert (chart.xlim, chart.pairs) == ((0.5, 3.5), 3)
    # The whole scale, a row for each of its eleven points.
    assert chart.ylim == (0, 10) and chart.rows == PAIN_ROWS == 11
    assert [label for _, label in chart.yticks] == ["0", "2", "4", "6", "8", "10"]
    assert chart.labels == ((1, "16 Nov"), (2, "17 Nov"), (3, "18 Nov"))
    # 40 columns: 36 to plot in, 12 a session, each pair side by side in the middle of its 12.
    drawn = chart.in_columns(40)
    before, after = drawn.series
    assert before.xs == (5, 29) and before.ys == (4, 7)
    assert after.xs == (6, 18, 30) and after.ys == (4, 2, 5)
    assert drawn.xlim == (0, 35) and drawn.pairs == 0
    assert drawn.labels == ((5.5, "16 Nov"), (17.5, "17 Nov"), (29.5, "18 Nov"))


@pytest.mark.parametrize("width", [60, 61, 67, 80, 99, 149, 200, 240])
@pytest.mark.parametrize("count", [1, 2, 7, 16])
def test_a_session_s_pair_is_side_by_side_with_a_gap_to_the_next(width: int, count: int) -> None:
    """Issue: before and after evenly spaced could not be read in pairs: two sessions looked
    like four points."""
    records = [session(at=T0 + timedelta(hours=n), before=3, after=3) for n in range(count)]
    chart = pain_chart(trends(records, NOW))
    assert chart is not None
    before, after = chart.in_columns(width).series
    assert len(before.xs) == len(after.xs) == count  # all of them fit, from 60 columns
    for b, a in zip(before.xs, after.xs, strict=True):
        assert a == b + 1
    for a, next_b in zip(after.xs[:-1], before.xs[1:], strict=True):
        assert next_b - a >= 2  # an empty column at least
    assert before.xs[0] >= 0 and after.xs[-1] <= chart.plot_columns(width) - 1


def test_where_pairs_do_not_fit_the_latest_that_do_are_drawn() -> None:
    records = [session(at=T0 + timedelta(hours=n), before=n % 11) for n in range(16)]
    chart = pain_chart(trends(records, NOW))
    assert chart is not None
    before, _ = chart.in_columns(20).series  # 16 columns: 5 sessions of 3
    assert before.ys == tuple(float(n % 11) for n in range(11, 16))


def test_no_pain_chart_without_a_rating() -> None:
    shown = trends([session()], NOW)
    assert pain_chart(shown) is None
    assert pain_words(shown) == (Paragraph("No pain ratings yet."),)


def test_a_day_with_two_sessions_is_labelled_once() -> None:
    records = [session(at=T0 + timedelta(hours=n), before=3) for n in (0, 2, 24)]
    with local_time("UTC"):  # the dates below are UTC's
        chart = pain_chart(trends(records, NOW))
    assert chart is not None
    assert chart.labels == ((1, "16 Nov"), (3, "17 Nov"))


# --- the x axis's labels ----------------------------------------------------------------------


def chart_with_labels(count: int) -> Chart:
    return Chart(
        series=(),
        xlim=(0.5, count + 0.5),
        ylim=(0, 10),
        yticks=((0, "0"), (10, "10")),
        labels=tuple((n, f"{n} Nov") for n in range(1, count + 1)),
        rows=11,
    )


def columns(chart: Chart, width: int) -> list[tuple[float, float]]:
    """Where each chosen label starts and ends on the axis, in columns."""
    left, right = chart.xlim
    axis = width - 2 - 3
    spans = []
    for x, label in chart.xticks(width):
        middle = (x - left) / (right - left) * axis
        spans.append((middle - len(label) / 2, middle + len(label) / 2))
    return spans


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
@pytest.mark.parametrize("count", [1, 5, 30, 200])
def test_x_labels_never_overlap_nor_leave_the_axis(width: int, count: int) -> None:
    chart = chart_with_labels(count)
    spans = columns(chart, width)
    assert spans, "at least one label"
    for (_, end), (start, _) in pairwise(spans):
        assert start - end >= 2
    assert spans[0][0] >= -1 and spans[-1][1] <= width - 5 + 1


def test_x_labels_are_all_there_when_they_fit_and_fewer_when_narrow() -> None:
    assert len(chart_with_labels(5).xticks(80)) == 5
    counts = [len(chart_with_labels(30).xticks(width)) for width in (60, 80, 200)]
    assert counts == sorted(counts) and counts[0] < counts[-1] < 30 + 1


# --- minutes per week ---------------------------------------------------------------------------


def test_minutes_per_week_count_all_the_time_done_week_by_week() -> None:
    records = [
        session(at=T0 - timedelta(days=14), done=600),  # two weeks before: 2 Nov
        session(at=T0, done=300),
        session(at=T0 + timedelta(days=2), done=60, status="stopped"),  # not counted: still time
        session(at=T0 + timedelta(days=3), done=240, planned=600),  # skipped through
    ]
    with local_time("UTC"):
        shown = trends(records, NOW)
    assert [(w.monday, w.minutes) for w in shown.weeks] == [
        (date(2026, 11, 2), 10),
        (date(2026, 11, 9), 0),  # a week without a session is there, empty
        (date(2026, 11, 16), 10),
    ]
    assert week_words(shown) == (Paragraph("", ("2 Nov 10 min", "9 Nov 0 min", "16 Nov 10 min")),)


def test_weeks_begin_on_monday_in_local_time() -> None:
    sunday_night = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    with local_time("UTC"):
        assert trends([session(at=sunday_night)], NOW).weeks[-1].monday == date(2026, 11, 16)
    with local_time("XXX-13"):  # Monday morning there: a week of its own
        weeks = trends([session(at=sunday_night)], sunday_night).weeks
        assert [w.monday for w in weeks] == [date(2026, 11, 23)]


def test_weeks_begin_on_monday_in_local_time_whatever_the_offset_then() -> None:
    beirut = ZoneInfo("Asia/Beirut")  # Sunday 29 Mar 2026 begins at 01:00, summer time
    monday = datetime(2026, 3, 23, 0, 30, tzinfo=beirut)  # 22:30 UTC on Sunday the 22nd
    sunday = datetime(2026, 3, 22, 23, 30, tzinfo=beirut)
    now = datetime(2026, 3, 29, 12, 0, tzinfo=beirut)  # in summer time
    with local_time("Asia/Beirut"):
        weeks = trends([session(at=sunday), session(at=monday)], now)
    assert [(w.monday, w.minutes) for w in weeks.weeks] == [
        (date(2026, 3, 16), 5),
        (date(2026, 3, 23), 5),
    ]


def test_weeks_run_to_this_week_and_at_most_twelve() -> None:
    long_ago = session(at=T0 - timedelta(weeks=30), done=600)
    with local_time("UTC"):
        weeks = trends([long_ago], NOW).weeks
    assert len(weeks) == WEEKS == 12
    assert weeks[-1].monday == date(2026, 11, 16)
    assert all(w.minutes == 0 for w in weeks)  # nothing done lately: said, not hidden


def test_a_session_after_now_still_has_its_week() -> None:
    later = session(at=NOW + timedelta(days=10))  # the clock was set back
    with local_time("UTC"):
        weeks = trends([later], NOW).weeks
    assert [w.monday for w in weeks] == [date(2026, 11, 30)]


def test_the_week_chart_has_a_bar_a_week_named_by_its_monday() -> None:
    records = [session(at=T0 - timedelta(days=7), done=21.4 * 60), session(at=T0, done=90)]
    with local_time("UTC"):
        chart = week_chart(trends(records, NOW))
    assert chart is not None
    [bars] = chart.series
    assert bars.bars and bars.xs == (0, 1) and bars.ys == pytest.approx((21.4, 1.5))
    assert chart.labels == ((0, "9 Nov"), (1, "16 Nov"))
    assert chart.ylim == (0, 30)
    assert [label for _, label in chart.yticks] == ["0", "10", "20", "30"]
    assert week_chart(trends([], NOW)) is None
    assert week_words(trends([], NOW)) == (Paragraph("No sessions yet."),)


def test_a_little_time_is_not_called_none() -> None:
    with local_time("UTC"):
        [paragraph] = week_words(trends([session(done=12)], NOW))
    assert paragraph.items == ("16 Nov <1 min",)


@pytest.mark.parametrize(
    ("largest", "top", "step"),
    [
        (0, 1, 1),
        (0.4, 1, 1),
        (3, 3, 1),
        (4, 4, 1),
        (5, 6, 2),
        (21.4, 30, 10),
        (60, 60, 15),
        (61, 80, 20),
        (1000, 1200, 300),
        (10000, 12000, 3000),
    ],
)
def test_the_minutes_axis_ends_on_a_round_number(largest: float, top: float, step: float) -> None:
    assert nice_top(largest) == (top, step)


@given(st.floats(min_value=0, max_value=1e6))
def test_the_minutes_axis_holds_the_largest_week_in_at_most_five_labels(largest: float) -> None:
    top, step = nice_top(largest)
    assert top >= largest
    assert top / step <= 4 and (top / step) == int(top / step)


# --- levels ----------------------------------------------------------------------------------------


def test_levels_are_each_programs_counted_sessions() -> None:
    records = [
        session("desk-break", 0, T0),
        session("seated-hamstring", 0, T0 + timedelta(hours=1)),
        session("desk-break", 1, T0 + timedelta(days=1)),
        session("desk-break", 2, T0 + timedelta(days=2), status="stopped"),  # stopped early
        session("desk-break", 2, T0 + timedelta(days=3), done=100),  # skipped through
        session("desk-break", 2, T0 + timedelta(days=4)),
        session("first-aid", 0, T0, status="stopped"),
    ]
    shown = trends(records, NOW).levels
    assert list(shown) == ["desk-break", "first-aid", "seated-hamstring"]
    assert [p.level for p in shown["desk-break"]] == [0, 1, 2]
    assert [p.when for p in shown["desk-break"]] == [
        T0,
        T0 + timedelta(days=1),
        T0 + timedelta(days=4),
    ]
    assert shown["first-aid"] == ()
    assert [p.level for p in shown["seated-hamstring"]] == [0]


def test_levels_are_those_the_history_gives(tmp_path: Path) -> None:
    history = History.open(tmp_path / "h.sqlite3", now=lambda: NOW)
    record(
        history,
        Past("desk-break", 0, T0),
        Past("desk-break", 1, T0 + timedelta(days=1), done=60, completed=False),
        Past("desk-break", 1, T0 + timedelta(days=2), done=100),
        Past("desk-break", 1, T0 + timedelta(days=3)),
        Past("breathing", 3, T0 + timedelta(hours=5)),
    )
    shown = trends(history.sessions(), NOW).levels
    for program in ("desk-break", "breathing"):
        # Every counted session of the program, in order: what the bounded read must give here.
        expected = [(r.started_at, r.level) for r in history.sessions(program) if r.counted]
        assert [(p.when, p.level) for p in shown[program]] == expected


def test_the_level_chart_has_a_series_and_a_marker_a_program_on_one_time_axis() -> None:
    records = [
        session("desk-break", 0, T0),
        session("desk-break", 1, T0 + timedelta(days=2)),
        session("first-aid", 0, T0, status="stopped"),  # nothing counted: no series
        session("seated-hamstring", 3, T0 + timedelta(days=1, hours=6)),
    ]
    with local_time("UTC"):
        shown = trends(records, NOW)
        chart = level_chart(shown)
    assert chart is not None
    assert [(s.label, s.marker) for s in chart.series] == [
        ("desk-break", PROGRAM_MARKERS[0]),
        ("seated-hamstring", PROGRAM_MARKERS[1]),
    ]
    desk, hamstring = chart.series
    # Days since the first session's midnight: programs line up in time.
    assert desk.xs == pytest.approx((8.5 / 24, 2 + 8.5 / 24))
    assert hamstring.xs == pytest.approx((1 + 14.5 / 24,))
    assert (desk.ys, hamstring.ys) == ((0, 1), (3,))
    assert chart.ylim == (0, 3)
    assert [label for _, label in chart.yticks] == ["0", "1", "2", "3"]
    assert [(x, label) for x, label in chart.labels] == [
        (0.5, "16 Nov"),
        (1.5, "17 Nov"),
        (2.5, "18 Nov"),
    ]


def test_no_level_chart_before_a_session_counts() -> None:
    shown = trends([session(status="stopped")], NOW)
    assert level_chart(shown) is None
    assert levels_words(shown, {}) == (
        Paragraph("desk-break: now level 0", ("no session has counted yet",)),
    )


@pytest.mark.parametrize("top", range(0, 30))
def test_each_level_has_a_row_of_its_own_when_it_can(top: int) -> None:
    rows = level_rows(top)
    assert rows <= 11
    if 1 <= top <= 10:
        assert (rows - 1) % top == 0  # level n on row n * (rows - 1) / top, exactly
        assert rows - 1 + top > 10  # and no more rows could do it
    else:
        assert rows == 11


def test_the_level_legend_matches_the_chart_and_says_the_level_now() -> None:
    records = [
        session("desk-break", 0, T0),
        session("first-aid", 0, T0, status="stopped"),
        session("seated-hamstring", 3, T0),
    ]
    shown = trends(records, NOW)
    current = {"desk-break": Level(1), "seated-hamstring": Level(2, eased_from=4, idle_days=15)}
    legend = level_legend(shown, current)
    assert legend == [
        (0, PROGRAM_MARKERS[0], "desk-break        now level 1"),
        (None, " ", "first-aid         now level 0"),
        (1, PROGRAM_MARKERS[1], "seated-hamstring  now level 2, eased from 4 after 15 days"),
    ]
    chart = level_chart(shown)
    assert chart is not None
    assert [(s.marker, s.label) for s in chart.series] == [
        (marker, text.split()[0]) for n, marker, text in legend if n is not None
    ]


def test_levels_in_words_say_each_run_of_one_level_once() -> None:
    days = [0, 1, 2, 3, 5, 8]
    levels = [0, 1, 1, 1, 2, 1]
    records = [
        session("desk-break", lv, T0 + timedelta(days=d))
        for d, lv in zip(days, levels, strict=True)
    ]
    with local_time("UTC"):
        said = levels_words(trends(records, NOW), {"desk-break": Level(2)})
    assert said == (
        Paragraph(
            "desk-break: now level 2",
            ("16 Nov 0", "17 Nov 1 ×3", "21 Nov 2", "24 Nov 1"),
        ),
    )


def test_a_name_on_many_lines_is_one_line_in_a_legend() -> None:
    shown = trends([session("two\nlines\r here")], NOW)
    [(_, _, text)] = level_legend(shown, {})
    assert text.startswith("two lines here  now")
    chart = level_chart(shown)
    assert chart is not None and chart.series[0].label == "two lines here"


# --- words in place of charts -------------------------------------------------------------------


def test_words_flow_as_many_items_to_a_line_as_fit() -> None:
    paragraphs = [
        Paragraph("", ("16 Nov 4 → 3", "17 Nov 3 → 2", "18 Nov 7 → 4")),
        Paragraph("desk-break: now level 3", ("16 Nov 0", "17 Nov 1 ×3")),
    ]
    assert flowed(paragraphs, 40) == [
        "16 Nov 4 → 3 · 17 Nov 3 → 2",
        "18 Nov 7 → 4",
        "desk-break: now level 3",
        "  16 Nov 0 · 17 Nov 1 ×3",
    ]
    assert flowed(paragraphs, 80)[0] == "16 Nov 4 → 3 · 17 Nov 3 → 2 · 18 Nov 7 → 4"


def test_words_wider_than_a_line_are_broken_at_spaces_or_cut() -> None:
    assert flowed([Paragraph("a long program name: now level 3")], 12) == [
        "a long",
        "program",
        "name: now",
        "level 3",
    ]
    assert flowed([Paragraph("", ("abcdefghij",))], 4) == ["abcd", "efgh", "ij"]


ITEMS = st.lists(
    st.text(st.sampled_from("ab 1→·全"), min_size=1, max_size=30), min_size=0, max_size=12
)


@given(
    st.lists(
        st.tuples(st.sampled_from(["", "lead", "a much longer lead line here"]), ITEMS), max_size=4
    ),
    st.integers(min_value=4, max_value=120),
)
def test_flowed_words_fit_the_width_and_keep_every_item_in_order(
    paragraphs: list[tuple[str, list[str]]], width: int
) -> None:
    given_paragraphs = [Paragraph(lead, tuple(items)) for lead, items in paragraphs]
    lines = flowed(given_paragraphs, width)
    assert all(cell_width(line) <= width for line in lines)
    said = "".join(lines).replace(" ", "").replace("·", "")
    wanted = "".join(lead + "".join(items) for lead, items in paragraphs)
    assert said == wanted.replace(" ", "").replace("·", "")


def test_cells_count_wide_characters_twice() -> None:
    assert cell_width("abc") == 3
    assert cell_width("全身") == 4
    assert cell_width("e\u0301") == 1
