"""The history's trends — pain before and after, minutes per week, each program's level — shaped
for the history screen's charts, and put into words for where a chart cannot be read (a narrow
or short window, ``NO_COLOR``).

Pure: no Textual, no plotting library. A `Chart` says what to draw (points or bars, where, with
which marker, the axes' limits and labels); the app's chart widget only hands it to plotext.
Every date is the machine's local time, as in the sessions table.

`trends` works them out from every session; `read_trends`, the same from the history's indexes
and a bounded number of its rows, whatever its years: the last rated sessions, the sessions of
the last weeks, and each program's levels session by session lately, then week by week and
month by month (`LEVEL_SESSIONS`, `LEVEL_WEEKS`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from spasmtimer.base.text import cell_width
from spasmtimer.history.records import SessionRecord, local_day
from spasmtimer.session.display import pain_text
from spasmtimer.session.levels import Level

if TYPE_CHECKING:
    from spasmtimer.history.store import History

PAIN_SESSIONS = 16
"""The pain chart shows the last this many sessions with a rating: few enough that, on the
narrowest chart (60 columns), each session has three columns and more — its pain before and
after side by side, and an empty column before the next session's (see `Chart.in_columns`)."""
WEEKS = 12
"""The minutes chart shows at most this many weeks, up to this one."""
LEVEL_SESSIONS = 100
"""The levels chart shows each program's last this many counted sessions, each a point (as
many as the widest chart has room for);"""
LEVEL_WEEKS = 26
"""and before them, the last counted session of each week, for this many weeks back from the
first of those; before that, of each month: ten years of hourly breaks are some 250 points a
program, where a point a session would be 35,000, on a chart a few hundred columns wide."""

BEFORE = "●"
AFTER = "▲"
"""Pain before and after: told apart by shape, not only by colour."""
PROGRAM_MARKERS = "●■▲◆○□△◇"
"""Each program's marker on the levels chart, in order of name (repeating after eight)."""
BAR = "█"

PAIN_ROWS = 11
"""Rows of the pain chart's plotting area: one for each point of the 0–10 scale."""
WEEK_ROWS = 9
LEVEL_ROWS = 11
"""At most this many rows for the levels chart (fewer when that keeps each level on a row)."""
TICK_GAP = 2
"""Columns at least between two labels of the x axis."""
PAIR_COLUMNS = 3
"""Columns a session's pair of points needs: one for each, and one empty before the next."""


class PainPoint(msgspec.Struct, frozen=True):
    """One session's pain ratings, before and after."""

    when: datetime
    """When the session started, in local time."""
    before: int | None
    after: int | None


class WeekMinutes(msgspec.Struct, frozen=True):
    """The minutes done in one week."""

    monday: date
    """The week's first day, in local time."""
    minutes: float
    """All the time done in sessions that started that week, counted or not."""


class LevelPoint(msgspec.Struct, frozen=True):
    """A program's level at one counted session."""

    when: datetime
    """When the session started, in local time."""
    level: int


class Trends(msgspec.Struct, frozen=True):
    """What the history's charts show, worked out from its sessions."""

    pain: tuple[PainPoint, ...]
    """The last `PAIN_SESSIONS` sessions with a pain rating, oldest first."""
    pain_left_out: int
    """Sessions with a rating before those, not shown."""
    weeks: tuple[WeekMinutes, ...]
    """Up to `WEEKS` weeks, from the first with a session to this one, oldest first; empty
    when there is no session."""
    levels: dict[str, tuple[LevelPoint, ...]]
    """Each program's counted sessions and their levels, oldest first, by program name (in
    order of name); a program with no counted session has none."""


def trends(
    records: Sequence[SessionRecord],
    now: datetime,
    *,
    pain_sessions: int = PAIN_SESSIONS,
    weeks: int = WEEKS,
) -> Trends:
    """The trends of ``records`` (oldest first, as `History.sessions` gives them) at ``now``."""
    rated = [
        PainPoint(r.started_at.astimezone(), r.pain_before, r.pain_after)
        for r in records
        if r.pain_before is not None or r.pain_after is not None
    ]
    shown = rated[-pain_sessions:] if pain_sessions > 0 else []
    programs = sorted({r.program for r in records})
    levels: dict[str, list[LevelPoint]] = {name: [] for name in programs}
    for r in records:
        if r.counted:
            levels[r.program].append(LevelPoint(r.started_at.astimezone(), r.level))
    return Trends(
        pain=tuple(shown),
        pain_left_out=len(rated) - len(shown),
        weeks=_weeks(records, now, weeks),
        levels={name: tuple(points) for name, points in levels.items()},
    )


def monday_of(moment: datetime) -> date:
    """The Monday of the (local) week ``moment`` falls in."""
    day = local_day(moment)
    return day - timedelta(days=day.weekday())


def _weeks(records: Sequence[SessionRecord], now: datetime, most: int) -> tuple[WeekMinutes, ...]:
    if not records or most <= 0:
        return ()
    minutes: dict[date, float] = {}
    for r in records:
        monday = monday_of(r.started_at)
        minutes[monday] = minutes.get(monday, 0.0) + r.done_seconds / 60
    last = max(monday_of(now), *minutes)  # a session "in the future": the clock was set back
    first = max(min(minutes), last - timedelta(weeks=most - 1))
    count = (last - first).days // 7 + 1
    mondays = [first + timedelta(weeks=n) for n in range(count)]
    return tuple(WeekMinutes(monday, minutes.get(monday, 0.0)) for monday in mondays)


# --- from the history's indexes ------------------------------------------------------------------


def read_trends(
    history: History,
    now: datetime,
    programs: Sequence[str],
    *,
    pain_sessions: int = PAIN_SESSIONS,
    weeks: int = WEEKS,
) -> Trends:
    """`trends` of every session of ``history`` at ``now``, read from a bounded number of its
    rows; ``programs`` are the names of its programs, in order. The levels are each program's
    last `LEVEL_SESSIONS` counted sessions, and before them the last of each week and month
    (`level_points`); the rest is as `trends` says."""
    rated, count = history.rated_newest(pain_sessions) if pain_sessions > 0 else ([], 0)
    shown = [
        PainPoint(r.started_at.astimezone(), r.pain_before, r.pain_after) for r in reversed(rated)
    ]
    return Trends(
        pain=tuple(shown),
        pain_left_out=count - len(shown),
        weeks=_read_weeks(history, now, weeks),
        levels={name: level_points(history.levels_before, name) for name in programs},
    )


def _read_weeks(history: History, now: datetime, most: int) -> tuple[WeekMinutes, ...]:
    """As `_weeks`, from the sessions of those weeks alone."""
    span = history.started_between()
    if span is None or most <= 0:
        return ()
    earliest, latest = span
    last = max(monday_of(now), monday_of(latest))
    first = max(monday_of(earliest), last - timedelta(weeks=most - 1))
    minutes: dict[date, float] = {}
    for started, done in history.done_since(first):
        monday = monday_of(started)
        minutes[monday] = minutes.get(monday, 0.0) + done / 60
    count = (last - first).days // 7 + 1
    mondays = [first + timedelta(weeks=n) for n in range(count)]
    return tuple(WeekMinutes(monday, minutes.get(monday, 0.0)) for monday in mondays)


LevelsBefore = Callable[[str, "date | None"], Iterable[tuple[datetime, int]]]
"""When each of a program's counted sessions started, and its level, newest first, of those
started before a local day (any, if None): `History.levels_before`."""


def level_points(levels_before: LevelsBefore, program: str) -> tuple[LevelPoint, ...]:
    """A program's level at its last `LEVEL_SESSIONS` counted sessions; before them, at the
    last counted session of each week for `LEVEL_WEEKS` weeks, then of each month: oldest
    first. One look at the index for each point, however many sessions each stands for."""
    newest = _first(levels_before(program, None), LEVEL_SESSIONS + 1)
    points = [LevelPoint(when.astimezone(), level) for when, level in newest[:LEVEL_SESSIONS]]
    older = newest[LEVEL_SESSIONS] if len(newest) > LEVEL_SESSIONS else None
    weekly_from = monday_of(points[-1].when) - timedelta(weeks=LEVEL_WEEKS) if points else None
    while older is not None and weekly_from is not None:
        when, level = older
        points.append(LevelPoint(when.astimezone(), level))
        day = local_day(when)
        # The point stands for its week, or month: the next is the last before it began.
        began = day - timedelta(days=day.weekday()) if day >= weekly_from else day.replace(day=1)
        found = _first(levels_before(program, began), 1)
        older = found[0] if found else None
    return tuple(reversed(points))


def _first(points: Iterable[tuple[datetime, int]], count: int) -> list[tuple[datetime, int]]:
    """The first ``count`` of ``points``, the rest left unread (and its query closed)."""
    found: list[tuple[datetime, int]] = []
    each = iter(points)
    try:
        for point in each:
            found.append(point)
            if len(found) == count:
                break
    finally:
        close = getattr(each, "close", None)
        if close is not None:
            close()
    return found


# --- words ---------------------------------------------------------------------------------------


class Paragraph(msgspec.Struct, frozen=True):
    """Words in place of a chart: a line of its own (if any), then short items that `flowed`
    sets as many to a line as fit, never breaking one."""

    lead: str
    items: tuple[str, ...] = ()


SEPARATOR = " · "


def day_text(day: date | datetime) -> str:
    """``16 Nov``: a day as a chart's label and the words give it, short and so without a year."""
    return f"{day.day} {day:%b}"


def single_spaced(text: str) -> str:
    """A name from the database on one line (its newlines and runs of spaces made one space)."""
    return " ".join(text.split())


def padded(text: str, width: int) -> str:
    return text + " " * (width - cell_width(text))


def flowed(paragraphs: Sequence[Paragraph], width: int) -> list[str]:
    """The lines of ``paragraphs`` at ``width`` columns: each lead on a line, its items after it
    (indented under a lead), joined by `SEPARATOR` as many to a line as fit. Whatever is wider
    than a line is cut into pieces that fit."""
    width = max(width, 4)
    lines: list[str] = []
    for paragraph in paragraphs:
        indent = "  " if paragraph.lead else ""
        if paragraph.lead:
            lines.extend(_pieces(paragraph.lead, width))
        line = ""
        for item in paragraph.items:
            joined = f"{line}{SEPARATOR}{item}" if line else indent + item
            if cell_width(joined) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            *whole, line = (indent + piece for piece in _pieces(item, width - len(indent)))
            lines.extend(whole)
        if line:
            lines.append(line)
    return lines


def _pieces(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces where it can be."""
    pieces = [""]
    for word in text.split(" "):
        joined = f"{pieces[-1]} {word}" if pieces[-1] else word
        if cell_width(joined) <= width:
            pieces[-1] = joined
            continue
        if pieces[-1]:
            pieces.append("")
        for c in word:  # a word wider than a line: cut where it must be
            if pieces[-1] and cell_width(pieces[-1] + c) > width:
                pieces.append("")
            pieces[-1] += c
    return pieces


def pain_words(trends: Trends) -> tuple[Paragraph, ...]:
    """The pain chart in words: ``16 Nov 4 → 3 · 17 Nov 3 → 2``."""
    if not trends.pain:
        return (Paragraph("No pain ratings yet."),)
    said = tuple(f"{day_text(p.when)} {pain_text(p.before, p.after)}" for p in trends.pain)
    return (Paragraph("", said),)


def week_words(trends: Trends) -> tuple[Paragraph, ...]:
    """The minutes chart in words: ``9 Nov 0 min · 16 Nov 21 min``."""
    if not trends.weeks:
        return (Paragraph("No sessions yet."),)
    said = tuple(f"{day_text(w.monday)} {minutes_text(w.minutes)}" for w in trends.weeks)
    return (Paragraph("", said),)


def minutes_text(minutes: float) -> str:
    """Whole minutes, but a little time is not called none: ``0 min``, ``<1 min``, ``21 min``."""
    if 0 < minutes < 0.5:
        return "<1 min"
    return f"{minutes:.0f} min"


def level_runs(points: Sequence[LevelPoint]) -> list[tuple[datetime, int, int]]:
    """Consecutive sessions at one level as one run: (first session, level, how many)."""
    runs: list[tuple[datetime, int, int]] = []
    for p in points:
        if runs and runs[-1][1] == p.level:
            when, level, count = runs[-1]
            runs[-1] = (when, level, count + 1)
        else:
            runs.append((p.when, p.level, 1))
    return runs


def levels_words(trends: Trends, current: Mapping[str, Level]) -> tuple[Paragraph, ...]:
    """The levels chart in words, a paragraph a program: its name and level now, then each run
    of counted sessions at one level — the day of its first, the level, and how many when more
    than one (``16 Nov 0 · 17 Nov 1 ×3``)."""
    if not trends.levels:
        return (Paragraph("No sessions yet."),)
    return tuple(
        Paragraph(
            f"{single_spaced(name)}: now {current.get(name, Level(0))}",
            tuple(
                f"{day_text(when)} {level}" + (f" ×{count}" if count > 1 else "")
                for when, level, count in level_runs(points)
            )
            or ("no session has counted yet",),
        )
        for name, points in trends.levels.items()
    )


def level_legend(trends: Trends, current: Mapping[str, Level]) -> list[tuple[int | None, str, str]]:
    """The levels chart's legend, a line a program: the number of its series in `level_chart`
    (None when it has no counted session, and so no marker), its marker, and its name with
    its level now."""
    names = {name: single_spaced(name) for name in trends.levels}
    width = max((cell_width(shown) for shown in names.values()), default=0)
    legend: list[tuple[int | None, str, str]] = []
    drawn = 0
    for name, points in trends.levels.items():
        text = f"{padded(names[name], width)}  now {current.get(name, Level(0))}"
        if points:
            legend.append((drawn, PROGRAM_MARKERS[drawn % len(PROGRAM_MARKERS)], text))
            drawn += 1
        else:
            legend.append((None, " ", text))
    return legend


# --- charts --------------------------------------------------------------------------------------


class Series(msgspec.Struct, frozen=True):
    """One line or set of bars of a chart."""

    label: str
    """What the legend calls it: plain text (a program's name), never markup."""
    marker: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    bars: bool = False


class Chart(msgspec.Struct, frozen=True):
    """What one chart draws; the widget only hands it to the plotting library."""

    series: tuple[Series, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    yticks: tuple[tuple[float, str], ...]
    labels: tuple[tuple[float, str], ...]
    """Every label the x axis could have, by position; `xticks` picks those that fit."""
    rows: int
    """Rows of the plotting area: with ``ylim``, each y tick falls on a row of its own."""
    pairs: int = 0
    """A chart of pairs (pain before and after) has this many sessions, each at x 1, 2, …,
    with a point of each of its two series there; laid out on whole columns by
    `in_columns`."""

    def plot_columns(self, width: int) -> int:
        """The columns of the plotting area of a plot ``width`` columns wide: plotext gives
        the rest to the y labels and the frame."""
        return max(1, width - max((len(label) for _, label in self.yticks), default=0) - 2)

    def in_columns(self, width: int) -> Chart:
        """The chart as a plot ``width`` columns wide is to draw it. A chart of pairs gives each
        session a slot of whole columns, its two points side by side in the middle of it and
        at least one empty column to the next slot, so that which two belong together shows
        (spaced evenly, two sessions read as four points); x is then the plotting area's
        column (0 at its left), and the latest sessions that fit are shown. Any other chart is
        drawn as it is."""
        if not self.pairs:
            return self
        columns = self.plot_columns(width)
        shown = min(self.pairs, max(1, columns // PAIR_COLUMNS))
        first = self.pairs - shown + 1  # the session number of the first one shown
        slot = columns / shown

        def column(x: float) -> int:  # where session x's first point goes
            return math.floor((x - first) * slot + (slot - 2) / 2)

        series = tuple(
            replace(
                s,
                xs=tuple(column(x) + side for x in s.xs if x >= first),
                ys=tuple(y for x, y in zip(s.xs, s.ys, strict=True) if x >= first),
            )
            for side, s in enumerate(self.series)
        )
        labels = tuple((column(x) + 0.5, label) for x, label in self.labels if x >= first)
        return replace(self, series=series, xlim=(0.0, float(columns - 1)), labels=labels, pairs=0)

    def xticks(self, width: int) -> tuple[tuple[float, str], ...]:
        """The x labels that fit a chart ``width`` columns wide, none overlapping another: from
        the left, each label at least `TICK_GAP` columns clear of the one before."""
        left, right = self.xlim
        axis = max(1, width - max((len(label) for _, label in self.yticks), default=0) - 3)
        span = (right - left) or 1.0
        chosen: list[tuple[float, str]] = []
        end = -math.inf
        for x, label in self.labels:
            middle = (x - left) / span * axis
            start = middle - len(label) / 2
            if start < -1 or middle + len(label) / 2 > axis + 1:
                continue  # it would be cut off at an edge
            if start >= end + TICK_GAP:
                chosen.append((x, label))
                end = start + len(label)
        return tuple(chosen)

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """(marker, label) of each series."""
        return tuple((s.marker, s.label) for s in self.series)


def pain_chart(trends: Trends) -> Chart | None:
    """Pain before (●) and after (▲) each session with a rating, session by session: a pair
    a session, before on the left and after on the right, side by side (`Chart.in_columns`),
    so that an unchanged pain shows both and each pair is seen to be one session's."""
    if not trends.pain:
        return None
    positions = range(1, len(trends.pain) + 1)
    before = [(n, p.before) for n, p in zip(positions, trends.pain, strict=True)]
    after = [(n, p.after) for n, p in zip(positions, trends.pain, strict=True)]
    return Chart(
        series=(_points("before", BEFORE, before), _points("after", AFTER, after)),
        xlim=(0.5, len(trends.pain) + 0.5),
        ylim=(0, 10),
        yticks=tuple((y, str(y)) for y in range(0, 11, 2)),
        labels=_day_labels((n, p.when) for n, p in zip(positions, trends.pain, strict=True)),
        rows=PAIN_ROWS,
        pairs=len(trends.pain),
    )


def _points(label: str, marker: str, points: Sequence[tuple[float, int | None]]) -> Series:
    given = [(x, y) for x, y in points if y is not None]
    return Series(label, marker, tuple(x for x, _ in given), tuple(float(y) for _, y in given))


def _day_labels(positions: Iterable[tuple[float, date]]) -> tuple[tuple[float, str], ...]:
    """A label for each position, leaving out a day already labelled just before it."""
    labels: list[tuple[float, str]] = []
    for x, when in positions:
        text = day_text(when)
        if not labels or labels[-1][1] != text:
            labels.append((float(x), text))
    return tuple(labels)


def week_chart(trends: Trends) -> Chart | None:
    """Minutes done each week, a bar a week, each named by its Monday."""
    if not trends.weeks:
        return None
    top, step = nice_top(max(w.minutes for w in trends.weeks))
    count = len(trends.weeks)
    return Chart(
        series=(
            Series(
                "minutes",
                BAR,
                tuple(float(n) for n in range(count)),
                tuple(w.minutes for w in trends.weeks),
                bars=True,
            ),
        ),
        xlim=(-0.5, count - 0.5),
        ylim=(0, top),
        yticks=tuple((y, f"{y:g}") for y in _steps(top, step)),
        labels=tuple((float(n), day_text(w.monday)) for n, w in enumerate(trends.weeks)),
        rows=WEEK_ROWS,
    )


NICE_STEPS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 300, 600)


def nice_top(largest: float, ticks: int = 4) -> tuple[float, float]:
    """An axis top at or above ``largest`` and the step between at most ``ticks`` + 1 labels,
    both round numbers: ``21.4`` -> ``(30, 10)``; nothing done -> ``(1, 1)``."""
    for step in NICE_STEPS:
        top = max(1, math.ceil(largest / step - 1e-9)) * step
        if top / step <= ticks:
            return float(top), float(step)
    step = NICE_STEPS[-1] * math.ceil(largest / NICE_STEPS[-1] / ticks)
    return float(max(1, math.ceil(largest / step)) * step), float(step)


def _steps(top: float, step: float) -> list[float]:
    return [step * n for n in range(round(top / step) + 1)]


def level_rows(top: int) -> int:
    """Rows for a levels axis from 0 to ``top``: the most, up to `LEVEL_ROWS`, that put every
    level on a row of its own (a level a row when there are more levels than rows)."""
    top = max(top, 1)
    if top >= LEVEL_ROWS - 1:
        return LEVEL_ROWS
    return top * ((LEVEL_ROWS - 1) // top) + 1


def level_chart(trends: Trends) -> Chart | None:
    """Each program's level at each counted session, over time: a marker a program, on a
    shared axis of days (so that programs line up in time)."""
    shown = {name: points for name, points in trends.levels.items() if points}
    if not shown:
        return None
    first = min(p.when for points in shown.values() for p in points)
    origin = first.replace(hour=0, minute=0, second=0, microsecond=0)

    def day(moment: datetime) -> float:
        return (moment - origin) / timedelta(days=1)

    series = tuple(
        Series(
            single_spaced(name),
            PROGRAM_MARKERS[n % len(PROGRAM_MARKERS)],
            tuple(day(p.when) for p in points),
            tuple(float(p.level) for p in points),
        )
        for n, (name, points) in enumerate(shown.items())
    )
    span = max(max(x for s in series for x in s.xs), 1.0)
    top = max(1, max(p.level for points in shown.values() for p in points))
    ticks = range(top + 1) if top < LEVEL_ROWS else _steps(*nice_top(top))
    days = sorted({p.when.date() for points in shown.values() for p in points})
    noon = time(12)
    return Chart(
        series=series,
        xlim=(-span * 0.04, span * 1.04),
        ylim=(0, top),
        yticks=tuple((float(y), f"{y:g}") for y in ticks),
        labels=_day_labels((day(datetime.combine(d, noon, origin.tzinfo)), d) for d in days),
        rows=level_rows(top),
    )
