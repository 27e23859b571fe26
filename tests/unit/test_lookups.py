"""The history at ten years: each question a command asks is read from an index and the rows it
needs (never every row), and says what the rules say over every session — in any time zone,
across changes of clocks, with sessions dated in the future and the days kept or not."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spasmtimer.history import days, lookups
from spasmtimer.history.days import COUNTED
from spasmtimer.history.records import EventRecord, totals
from spasmtimer.history.rows import exported_event
from spasmtimer.history.status import status_from, status_of
from spasmtimer.history.store import History
from spasmtimer.history.trends import LEVEL_SESSIONS, LEVEL_WEEKS, level_points, read_trends, trends
from spasmtimer.session.levels import counts
from tests.history_support import BUSY_NOW, Past, busy, local_time, record

EVERY = 45 * 60
ZONES = [
    "UTC",
    "XXX-13",  # thirteen hours ahead: most of a UTC day is the next local day
    "Europe/London",  # 23- and 25-hour days at 01:00
    "America/Santiago",  # clocks that change at midnight: a day without its midnight
    "Australia/Lord_Howe",  # half an hour's change
]


# --- what the questions read ----------------------------------------------------------------


def statements(history: History, ask: Callable[[], object]) -> list[str]:
    """The statements ``ask`` has SQLite run, with their values written in."""
    seen: list[str] = []
    history.connection.set_trace_callback(seen.append)
    try:
        ask()
    finally:
        history.connection.set_trace_callback(None)
    return list(dict.fromkeys(s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))))


def plan(history: History, statement: str) -> list[str]:
    return [row[3] for row in history.connection.execute(f"EXPLAIN QUERY PLAN {statement}")]


def first(generator: Iterator[object]) -> object:
    return next(generator, None)


@pytest.fixture
def busy_history(tmp_path: Path) -> Iterator[History]:
    with local_time("UTC"):
        history = History.open(tmp_path / "history.sqlite3", now=lambda: BUSY_NOW)
        record(history, *busy())
        yield history
        history.close()


QUESTIONS: dict[str, Callable[[History], object]] = {
    "status": lambda h: status_from(h.connection, "desk-break", EVERY, BUSY_NOW),
    "totals": lambda h: h.totals(BUSY_NOW),
    "one program's totals": lambda h: h.totals(BUSY_NOW, "desk-break"),
    "latest": lambda h: h.latest("desk-break"),
    "last counted": lambda h: h.last_counted("desk-break"),
    "every level": lambda h: h.levels(BUSY_NOW)("desk-break", None),
    "programs": lambda h: h.programs(),
    "a page": lambda h: h.newest(20, after=h.newest(20)[1]),
    "rated": lambda h: h.rated_newest(24),
    "first and last": lambda h: h.started_between(),
    "this week's minutes": lambda h: list(h.done_since(date(2026, 11, 16))),
    "levels before a day": lambda h: first(h.levels_before("desk-break", date(2026, 10, 1))),
    "the trends": lambda h: read_trends(h, BUSY_NOW, h.programs()),
    "recovering": lambda h: h.recover(),
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_question_reads_from_an_index_never_every_row(
    busy_history: History, question: str
) -> None:
    """`EXPLAIN QUERY PLAN` of every statement it runs: an index searched, or walked in its
    order from the newest (or oldest) for as long as the question needs; never the table
    itself scanned, nor its rows sorted. (The totals of all time are one pass of SQLite's
    own over the table, no row reaching Python, and said so.)"""
    ran = statements(busy_history, lambda: QUESTIONS[question](busy_history))
    assert ran
    for statement in ran:
        steps = plan(busy_history, statement)
        if "count(*) FILTER" in statement and "total(done_seconds)" in statement:
            continue  # `lookups.in_all`
        for step in steps:
            assert_indexed(statement, steps, step)


def assert_indexed(statement: str, steps: list[str], step: str) -> None:
    # Rows of one start sorted by their id: a run of ties at a time, not the whole.
    assert "TEMP B-TREE FOR ORDER BY" not in step, (statement, steps)
    if step.startswith(("SCAN", "SEARCH")) and ("sessions" in step or "events" in step):
        assert "USING" in step and "INDEX" in step, (statement, steps)


def test_an_export_reads_the_sessions_and_events_side_by_side_in_order(
    busy_history: History,
) -> None:
    ran = statements(busy_history, lambda: list(busy_history.exported()))
    for statement in ran:
        steps = plan(busy_history, statement)
        for step in steps:
            assert_indexed(statement, steps, step)
        assert any("INDEX sessions_by_start" in step for step in steps), (statement, steps)


def test_the_streak_reads_the_days_kept_not_the_sessions(busy_history: History) -> None:
    ran = statements(busy_history, lambda: lookups.streak(busy_history.connection, BUSY_NOW))
    older = [s for s in ran if "FROM sessions" in s]
    assert len(older) <= 2  # today and yesterday, asked of the sessions themselves
    assert any("counted_days" in s for s in ran)


# --- what they say --------------------------------------------------------------------------


@given(
    st.sampled_from(["completed", "stopped", "running"]),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
)
def test_counted_in_sql_is_counts(status: str, done: float, planned: float) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE sessions (status TEXT, done_seconds REAL, planned_seconds REAL)")
    db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (status, done, planned))
    [(in_sql,)] = db.execute(f"SELECT {COUNTED} FROM sessions")
    assert bool(in_sql) == counts(status == "completed", done, planned)


START = datetime(2026, 3, 1, tzinfo=UTC)
"""Two months around the changes of clocks of both hemispheres."""

SESSIONS = st.lists(
    st.tuples(
        st.integers(0, 60 * 24 * 75),  # minutes from START
        st.sampled_from(["desk-break", "seated-hamstring"]),
        st.sampled_from([(257, 257, True), (257, 60, False), (600, 450, True), (600, 440, True)]),
        st.one_of(st.none(), st.integers(0, 10)),
    ),
    max_size=40,
)
NOWS = st.integers(60 * 24 * 20, 60 * 24 * 80)


def write(
    history: History, sessions: list[tuple[int, str, tuple[int, int, bool], int | None]]
) -> None:
    record(
        history,
        *(
            Past(
                program,
                level % 7,
                START + timedelta(minutes=at),
                pain,
                pain,
                None,
                done,
                planned,
                completed,
            )
            for level, (at, program, (planned, done, completed), pain) in enumerate(sessions)
        ),
    )


@pytest.mark.parametrize("zone", ZONES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sessions=SESSIONS, minutes=NOWS)
def test_totals_status_and_trends_say_what_every_session_says(
    zone: str, sessions: list[tuple[int, str, tuple[int, int, bool], int | None]], minutes: int
) -> None:
    now = START + timedelta(minutes=minutes)  # some sessions after it: in the future
    with local_time(zone), tempfile.TemporaryDirectory() as folder:
        history = History.open(Path(folder) / "history.sqlite3", now=lambda: now)
        write(history, sessions)
        records = history.sessions()
        assert history.totals(now) == totals(records, now)
        assert history.totals(now, "desk-break") == totals(history.sessions("desk-break"), now)
        for program in ("desk-break", "seated-hamstring", "none-yet"):
            indexed = status_from(history.connection, program, EVERY, now)
            assert indexed == status_of(records, program, EVERY, now)
        assert read_trends(history, now, history.programs()) == trends(records, now)
        # The days kept, and none: the same streak.
        history.connection.execute("DELETE FROM counted_days_zone")
        assert history.totals(now) == totals(records, now)
        history.close()


@pytest.mark.parametrize("zone", ZONES)
def test_a_streak_of_years_across_every_change_of_clocks(zone: str, tmp_path: Path) -> None:
    with local_time(zone):
        now = datetime(2026, 11, 20, 12, tzinfo=UTC)
        history = History.open(tmp_path / "history.sqlite3", now=lambda: now)
        # A session at local 23:30 every day for three years (the edge of each day), and at
        # 00:10 (its other edge), but for one day missed, three years back.
        today = now.astimezone().date()
        moments = []
        for back in range(3 * 366):
            day = today - timedelta(days=back)
            if back == 3 * 365:
                continue
            hour, minute = (23, 30) if back % 2 else (0, 10)
            local = datetime(day.year, day.month, day.day, hour, minute).astimezone()
            if local < now:
                moments.append(local)
        record(
            history, *(Past("desk-break", 0, at, lasted=60, done=60, planned=60) for at in moments)
        )
        records = history.sessions()
        expected = totals(records, now).streak_days
        assert lookups.streak(history.connection, now) == expected
        assert days.kept_zone(history.connection) is not None  # from the days kept
        history.connection.execute("DELETE FROM counted_days_zone")
        assert lookups.streak(history.connection, now) == expected  # day by day
        history.close()


def test_the_days_kept_follow_every_write_and_stand_for_one_zone(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    with local_time("UTC"):
        history = History.open(path, now=lambda: BUSY_NOW)
        record(history, *busy())
        kept = set(row[0] for row in history.connection.execute("SELECT day FROM counted_days"))
        [session] = [s for s in history.sessions() if s.counted][-1:]
        assert session.ended_at is not None
        # A counted session rewritten as stopped early: its day goes unless another counts.
        history.end(session.id, completed=False, ended_at=session.ended_at, done_seconds=1)
        after = set(row[0] for row in history.connection.execute("SELECT day FROM counted_days"))
        counted = {s.started_at.date().toordinal() for s in history.sessions() if s.counted}
        assert after == counted and after <= kept
        history.close()
    with local_time("XXX-13"):  # another zone: not read, and worked out afresh on opening
        reader = History.peek(path, now=lambda: BUSY_NOW)
        assert reader is not None
        assert days.first_of_run(reader.connection, BUSY_NOW.date()) is None
        reader.close()
        history = History.open(path, now=lambda: BUSY_NOW)
        ahead = {
            s.started_at.astimezone().date().toordinal() for s in history.sessions() if s.counted
        }
        assert {r[0] for r in history.connection.execute("SELECT day FROM counted_days")} == ahead
        history.close()


def test_sessions_taken_in_at_once_keep_their_days(tmp_path: Path) -> None:
    """Another machine's sessions come in by one bulk insert (`merge_newer`), not through
    `merge`: their days are kept too, or the streak would read a gap where they fall."""
    from spasmtimer.history.liveness import this_process
    from spasmtimer.history.merge import merge_newer

    with local_time("Europe/London"):
        elsewhere = History.open(tmp_path / "elsewhere.sqlite3", now=lambda: BUSY_NOW)
        record(elsewhere, *busy())
        theirs = elsewhere.sessions()
        elsewhere.close()
        here = History.open(tmp_path / "here.sqlite3", now=lambda: BUSY_NOW)
        with here.connection as db:
            assert merge_newer(db, theirs, runner=this_process()) == len(theirs)
        kept = {row[0] for row in here.connection.execute("SELECT day FROM counted_days")}
        counted = {s.started_at.astimezone().date().toordinal() for s in theirs if s.counted}
        assert kept == counted
        assert here.totals(BUSY_NOW).streak_days == totals(theirs, BUSY_NOW).streak_days >= 2
        here.close()


# --- bounded ----------------------------------------------------------------------------------


def test_the_levels_chart_has_a_bounded_number_of_points() -> None:
    """Ten years of a break every hour of a working day: the last sessions each a point, then a
    week, then a month — some 250, not 30,000."""
    with local_time("UTC"):
        end = datetime(2026, 11, 20, 17, tzinfo=UTC)
        starts = [
            end - timedelta(days=d, hours=h)
            for d in range(3650)
            for h in range(9)
            if (end - timedelta(days=d)).weekday() < 5
        ]
        asked: list[date | None] = []

        def levels_before(program: str, day: date | None) -> Iterator[tuple[datetime, int]]:
            asked.append(day)
            return ((s, 3) for s in starts if day is None or s.date() < day)

        points = level_points(levels_before, "desk-break")
        assert len(starts) > 20_000
        assert len(points) <= LEVEL_SESSIONS + LEVEL_WEEKS + 1 + 12 * 10 + 1
        assert len(asked) == len(points) - LEVEL_SESSIONS + 1  # one look a point
        assert [p.when for p in points] == sorted(p.when for p in points)


def test_a_page_of_the_history_at_a_time(tmp_path: Path) -> None:
    history = History.open(tmp_path / "history.sqlite3")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    record(history, *(Past("desk-break", 0, at + timedelta(hours=n)) for n in range(45)))
    pages, mark = [], None
    for _ in itertools.count():
        page, mark = history.newest(20, after=mark)
        pages.append(page)
        if mark is None:
            break
    assert [len(p) for p in pages] == [20, 20, 5]
    assert [r.id for p in pages for r in p] == [r.id for r in reversed(history.sessions())]


def exported_events(history: History) -> dict[str, list[EventRecord]]:
    """Every session's exported events, by session `id`, read all at once: what `exported`
    reads side by side with the sessions must come to the same."""
    found: dict[str, list[EventRecord]] = {}
    for session_id, *row in history.connection.execute(
        "SELECT sessions.uid, kind, at, elapsed, phase, seconds FROM events "
        "JOIN sessions ON sessions.id = events.session_id ORDER BY events.id"
    ):
        event = exported_event(*row)
        if event is not None:
            found.setdefault(session_id, []).append(event)
    return found


def test_an_export_is_every_session_with_its_events_as_read(busy_history: History) -> None:
    events = exported_events(busy_history)
    assert list(busy_history.exported()) == [
        (r, events.get(r.id, [])) for r in busy_history.sessions()
    ]
