"""History and levels: every level rule, nothing lost, concurrent runs, corrupt files, exports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spasmtimer.base.locations import history_file
from spasmtimer.cli import main
from spasmtimer.history.database import SCHEMA_VERSION
from spasmtimer.history.liveness import LONGEST_SILENCE, process_started, this_process
from spasmtimer.history.recording import HistoryWriter, SessionRecorder
from spasmtimer.history.records import FUTURE_SKEW, SessionRecord, iso, totals
from spasmtimer.history.store import History, HistoryError
from spasmtimer.program.loader import load_program
from spasmtimer.program.timeline import expand
from spasmtimer.session.engine import Session
from spasmtimer.session.levels import Level
from tests import history_support
from tests.history_support import Past, local_time, play_recorded
from tests.support import FakeClock, quick_program

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday


class WallClock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def history(tmp_path: Path, wall: WallClock) -> History:
    return History.open(tmp_path / "history.sqlite3", now=wall)


def record(
    history: History,
    level: int,
    *,
    completed: bool = True,
    at: datetime = T0,
    minutes: float = 5,
    done: float | None = None,
    before: int | None = None,
    after: int | None = None,
    program: str = "desk-break",
    notes: str | None = None,
) -> str:
    """A session of ``minutes`` planned, ``done`` seconds of it done (all of it by default)."""
    planned = minutes * 60
    past = Past(
        program, level, at, before, after, notes, planned if done is None else done, planned
    )
    [session_id] = history_support.record(
        history, replace(past, completed=completed, lasted=planned)
    )
    return session_id


def level(history: History, now: datetime = T0 + timedelta(hours=1), cap: int | None = None) -> int:
    return history.current_level("desk-break", cap, now).value


# --- the level rules ----------------------------------------------------------------------


def test_no_counted_session_is_level_0(history: History) -> None:
    assert level(history) == 0
    record(history, 0, completed=False)
    assert level(history) == 0


def test_a_counted_session_raises_the_level(history: History) -> None:
    record(history, 0)
    assert level(history) == 1
    record(history, 1, at=T0 + timedelta(days=1))
    assert level(history, T0 + timedelta(days=1, hours=1)) == 2
    assert history.current_level("other-program", None, T0) == Level(0)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (3, 5, 4),  # 2 points worse: held at the session's level
        (2, 9, 4),
        (3, 4, 5),  # 1 point worse: up
        (5, 2, 5),  # better: up
        (None, 8, 5),  # no rating before: up
        (3, None, 5),
    ],
)
def test_a_pain_rating_2_points_worse_holds_the_level(
    history: History, before, after, expected
) -> None:
    record(history, 4, before=before, after=after)
    assert level(history) == expected


def test_stopped_sessions_change_nothing(history: History) -> None:
    record(history, 2)
    record(history, 3, completed=False, at=T0 + timedelta(hours=2))
    record(history, 3, completed=False, at=T0 + timedelta(hours=3), before=1, after=9)
    assert level(history, T0 + timedelta(hours=4)) == 3


def test_a_session_skipped_through_is_recorded_and_counts_for_nothing(history: History) -> None:
    record(history, 2)
    record(history, 3, at=T0 + timedelta(hours=2), minutes=1.1, done=2.4)  # n, n, n, ...
    [_, skipped] = history.sessions()
    assert (skipped.completed, skipped.counted) == (True, False)
    assert level(history, T0 + timedelta(hours=4)) == 3


@pytest.mark.parametrize(("share", "counted"), [(0.74, False), (0.75, True), (0.76, True)])
def test_a_session_counts_from_three_quarters_of_its_planned_time(
    history: History, share: float, counted: bool
) -> None:
    record(history, 2, minutes=10, done=share * 600)
    assert history.sessions()[0].counted is counted
    assert level(history) == (3 if counted else 0)


def test_time_added_and_held_counts_toward_the_three_quarters(history: History) -> None:
    # 60 s planned, 40 s skipped, 30 s added and held: 20 + 30 = 50 s done of 60
    record(history, 1, minutes=1, done=50)
    assert level(history) == 2


@pytest.mark.parametrize(
    ("ran_at", "cap", "expected"), [(3, 3, 3), (2, 3, 3), (7, 3, 3), (0, 0, 0)]
)
def test_the_level_never_rises_past_the_cap(
    history: History, ran_at: int, cap: int, expected: int
) -> None:
    record(history, ran_at)
    assert level(history, cap=cap) == expected


@pytest.mark.parametrize(
    ("days", "expected", "said"),
    [
        (6.99, 6, "level 6"),
        (7, 5, "level 5, eased from 6 after 7 days"),
        (13, 5, "level 5, eased from 6 after 13 days"),
        (14, 4, "level 4, eased from 6 after 14 days"),
        (30, 2, "level 2, eased from 6 after 30 days"),
        (60, 0, "level 0, eased from 6 after 60 days"),
    ],
)
def test_each_full_week_without_a_counted_session_eases_the_level_by_one(
    history: History, days: float, expected: int, said: str
) -> None:
    record(history, 5)  # ends at T0 + 5 min; next is 6
    now = T0 + timedelta(minutes=5) + timedelta(days=days)
    current = history.current_level("desk-break", None, now)
    assert (current.value, str(current)) == (expected, said)


def test_a_clock_set_back_eases_nothing(history: History) -> None:
    record(history, 2, at=T0 + timedelta(days=3))  # "ends" three days after "now"
    assert history.current_level("desk-break", None, T0) == Level(3)


def test_easing_starts_from_the_capped_level(history: History) -> None:
    record(history, 9)
    current = history.current_level("desk-break", 4, T0 + timedelta(days=15))
    assert str(current) == "level 2, eased from 4 after 14 days"


def test_a_session_that_does_not_count_does_not_end_a_gap(history: History) -> None:
    record(history, 3)
    record(history, 4, at=T0 + timedelta(days=10), done=5)  # skipped through, ten days on
    assert level(history, T0 + timedelta(days=10, hours=1)) == 3  # eased from 4 after 10 days


def test_a_level_override_counts_like_any_other(history: History) -> None:
    record(history, 1)
    record(history, 7, at=T0 + timedelta(days=1))  # run with --level 7
    assert level(history, T0 + timedelta(days=1, hours=1)) == 8


def test_the_last_counted_session_is_the_latest_to_end(history: History) -> None:
    record(history, 5, at=T0 + timedelta(days=2))
    record(history, 2, at=T0)
    assert level(history, T0 + timedelta(days=3)) == 6


# A session as (program, minutes after T0 it started, minutes planned, seconds done, completed).
SESSION = st.tuples(
    st.sampled_from(["desk-break", "other"]),
    st.integers(0, 120) | st.integers(0, 60 * 24 * 30),  # often overlapping, or days apart
    st.sampled_from([0.5, 5, 90]),
    st.floats(0, 6000, allow_nan=False),
    st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(SESSION, max_size=12))
@example([("desk-break", 0, 90, 5400, True), ("desk-break", 10, 5, 300, True)])  # ends last
def test_the_latest_and_last_counted_sessions_are_read_from_the_newest_back(
    tmp_path_factory: pytest.TempPathFactory, made: list[tuple[str, int, float, float, bool]]
) -> None:
    # Recorded in any order (a resumed session starts before the last one ended): the rows
    # read from the newest back answer as the whole history, read in full, does.
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    history = History.open(path)
    for program, start, minutes, done, completed in made:
        record(
            history, 1, at=T0 + timedelta(minutes=start), minutes=minutes, done=done,
            completed=completed, program=program,
        )  # fmt: skip
    everything = history.sessions("desk-break")
    counted = [r for r in everything if r.counted]
    assert history.latest("desk-break") == (everything[-1] if everything else None)
    assert history.last_counted("desk-break") == max(
        counted, key=lambda r: (r.ended_at or r.started_at, r.id), default=None
    )
    history.close()


def test_a_start_reads_back_only_to_the_newest_session_that_answers(history: History) -> None:
    # Years of sessions are not read to start one: an old row that cannot be read is not
    # even looked at (`history` itself still says so).
    old = record(history, 1, at=T0)
    record(history, 2, at=T0 + timedelta(days=1))
    history.connection.execute("PRAGMA ignore_check_constraints = ON")
    history.connection.execute("UPDATE sessions SET pain_before = 99 WHERE uid = ?", (old,))
    history.connection.commit()
    latest = history.latest("desk-break")
    assert latest is not None and latest.level == 2
    assert history.current_level("desk-break", None, T0 + timedelta(days=1, hours=1)).value == 3
    assert history.warnings == []
    history.sessions()
    assert [w for w in history.warnings if f"session {old} cannot be read" in w]


# --- recording a session ------------------------------------------------------------------


def program_timeline(tmp_path: Path):
    path = tmp_path / "p.toml"
    path.write_text('prepare = 5\n[[steps]]\ntype = "stretch"\nhold = 20\nreps = 2\nrest = 10\n')
    return expand(load_program(path), 0)


@pytest.fixture
def writer(history: History) -> Iterator[HistoryWriter]:
    writer = HistoryWriter(history.path, warn=print)
    yield writer
    writer.close(5)


def test_a_session_is_recorded_from_its_start(
    history: History, writer: HistoryWriter, wall: WallClock, clock: FakeClock, tmp_path: Path
) -> None:
    timeline = program_timeline(tmp_path)
    session = Session(timeline, clock)
    recorder = SessionRecorder(
        history, writer, program="p", title="P", path="/p.toml", timeline=timeline
    )
    started: list[SessionRecord] = []

    def while_running() -> None:
        [row] = history.sessions()
        started.append(row)

    play_recorded(session, recorder, clock, writer, after_start=while_running)
    [row] = started
    assert (row.status, row.ended_at, row.pain_before, row.level) == ("running", None, 6, 0)
    assert writer.flush(5)
    [row] = history.sessions()
    assert row.status == "completed"
    # ends when the engine says, mapped to wall time: 55 s of session, minus 5, plus 100 paused
    assert row.ended_at == T0 + timedelta(seconds=55 - 5 + 100)
    assert (row.pain_before, row.pain_after, row.notes) == (6, 3, "easier today")
    kinds = [e[0] for e in history.events(row.id)]
    assert kinds == ["start", "pause", "resume", "adjust"]
    assert history.events(row.id)[3][4] == -5


@pytest.mark.parametrize("pid", ["abc", 0, -1, 1.5])
def test_a_running_row_whose_pid_is_no_process_is_recovered_not_fatal(
    tmp_path: Path, wall: WallClock, pid: object
) -> None:
    """Another program's row: opening the history ended with TypeError for a pid of text."""
    path = tmp_path / "h.sqlite3"
    history = History.open(path, now=wall)
    session_id = begin_running(history)
    history.connection.execute("UPDATE sessions SET pid = ? WHERE uid = ?", (pid, session_id))
    history.connection.commit()
    history.close()
    [row] = History.open(path, now=wall).sessions()
    assert row.status == "stopped"


def begin_running(history: History) -> str:
    return history.begin(
        program="p",
        title="P",
        path="/p",
        content_hash="x",
        level=0,
        planned_seconds=60,
        started_at=T0,
        pain_before=None,
    )


def test_a_running_session_of_a_live_process_is_left_alone(history: History) -> None:
    begin_running(history)
    assert history.recover() == 0
    assert history.sessions()[0].status == "running"


# --- files: corrupt, newer, concurrent ------------------------------------------------------


def test_a_corrupt_database_is_moved_aside_and_a_new_one_started(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    junk = b"this is not a database, but it is the user's file" * 100
    path.write_bytes(junk)
    history = History.open(path)
    assert (
        len(history.problems) == 1 and "moved to history.sqlite3.unreadable-" in history.problems[0]
    )
    [aside] = tmp_path.glob("history.sqlite3.unreadable-*")
    assert aside.read_bytes() == junk  # moved, never deleted
    record(history, 0)
    assert len(history.sessions()) == 1


def test_a_damaged_database_page_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history = History.open(path)
    for n in range(200):
        record(history, n % 5, notes="x" * 200)
    history.close()
    raw = bytearray(path.read_bytes())
    raw[4096 * 2 : 4096 * 2 + 512] = b"\xff" * 512  # scribble over a page in the middle
    path.write_bytes(bytes(raw))
    history = History.open(path)
    assert history.problems
    assert list(tmp_path.glob("history.sqlite3.unreadable-*"))
    assert history.sessions() == []


def test_a_database_from_a_newer_spasmtimer_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer spasmtimer"):
        History.open(path)
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.unreadable-*")) == []


def test_the_cli_keeps_working_with_a_corrupt_history(capsys) -> None:
    path = history_file()
    path.parent.mkdir(parents=True)
    path.write_text("garbage")
    assert main(["list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "is damaged (file is not a database)" in err and "moved to" in err
    assert json.loads(out)


# --- commands and exports -----------------------------------------------------------------


TRICKY = ["plain", 'commas, "quotes" and\nnew lines', "ünïcødé — 痛み ✓", "", "  spaces  ", None]


def fill(history: History) -> list[str]:
    ids = []
    for n, notes in enumerate(TRICKY):
        ids.append(
            record(
                history,
                n,
                at=T0 + timedelta(days=n),
                before=n % 11,
                after=(10 - n) % 11,
                notes=notes,
                program=["desk-break", "spasm-first-aid"][n % 2],
                completed=n != 2,
            )
        )
    record(history, 0, at=T0 + timedelta(days=9), before=None, after=None)
    return ids


def test_history_json_round_trips_what_was_entered(capsys) -> None:
    history = History.open(history_file())
    fill(history)
    expected = [{**r.as_json(), "events": []} for r in history.sessions()]
    assert main(["history", "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported == expected
    for session in exported:
        assert {
            "program",
            "level",
            "started_at",
            "ended_at",
            "completed",
            "pain_before",
            "pain_after",
        } <= set(session)
        datetime.fromisoformat(session["started_at"])
    assert [s["notes"] for s in exported[: len(TRICKY)]] == TRICKY


def test_history_csv_round_trips_what_was_entered(capsys) -> None:
    history = History.open(history_file())
    fill(history)
    assert main(["history", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    originals = history.sessions()
    assert len(rows) == len(originals)
    for row, r in zip(rows, originals, strict=True):
        assert row["program"] == r.program
        assert int(row["level"]) == r.level
        assert row["completed"] == str(r.completed)
        assert (row["pain_before"] or None) == (
            None if r.pain_before is None else str(r.pain_before)
        )
        assert (row["pain_after"] or None) == (None if r.pain_after is None else str(r.pain_after))
        assert datetime.fromisoformat(row["started_at"]) == r.started_at
        assert row["notes"] == (r.notes or "")


def test_exports_carry_every_event_with_its_time(capsys, clock: FakeClock, tmp_path: Path) -> None:
    history = History.open(history_file())
    writer = HistoryWriter(history.path, warn=print)
    timeline = program_timeline(tmp_path)
    session = Session(timeline, clock)
    recorder = SessionRecorder(
        history, writer, program="p", title="P", path="/p.toml", timeline=timeline
    )
    session.start()
    recorder.started(session, None)
    for seconds, operation in [
        (2, session.pause),
        (30, session.resume),
        (4, session.skip),
        (1, session.back),
        (3, lambda: session.adjust(5)),
        (2, lambda: session.adjust(-5)),
        (6, session.stop),
    ]:
        clock.advance(seconds)
        operation()
        recorder.sync(session)
    writer.close(5)
    assert main(["history", "--json"]) == 0
    [exported] = json.loads(capsys.readouterr().out)
    events = exported["events"]
    assert [(e["kind"], e["at"]) for e in events] == [
        ("pause", 2),
        ("resume", 32),
        ("skip", 36),
        ("back", 37),
        ("adjust", 40),
        ("adjust", 42),
        ("stop", 48),
    ]
    assert [e.get("seconds") for e in events if e["kind"] == "adjust"] == [5, -5]
    assert all(datetime.fromisoformat(e["time"]) for e in events)
    assert main(["history", "--csv"]) == 0
    [row] = csv.DictReader(io.StringIO(capsys.readouterr().out))
    assert json.loads(row["events"]) == events


def test_history_filter_and_text(capsys) -> None:
    history = History.open(history_file())
    fill(history)
    assert main(["history", "--program", "spasm-first-aid", "--json"]) == 0
    assert {s["program"] for s in json.loads(capsys.readouterr().out)} == {"spasm-first-aid"}
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "streak" in out and "desk-break" in out and "4 → 6" in out
    # The notes begin within 80 columns: no status column, "stopped" beside the time.
    assert out.splitlines()[2].endswith("notes") and len(out.splitlines()[2]) <= 80
    assert main(["history", "--program", "nothing-here"]) == 0
    assert "No sessions of that program." in capsys.readouterr().out


def test_history_lists_the_last_sessions_and_says_how_many_came_before(capsys) -> None:
    """Years of sessions would scroll past for seconds: the last 30, and how to see them all."""
    history = History.open(history_file())
    start = datetime.now(UTC) - timedelta(days=40)
    for n in range(35):
        record(history, n % 3, at=start + timedelta(days=n), notes=f"session {n}")
    history.close()
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"session (\d+)", out)
    assert listed == [str(n) for n in range(5, 35)]  # oldest first, as ever
    assert "… 5 earlier sessions: `spasmtimer history --all` lists every one" in out
    assert main(["history", "--all"]) == 0
    everything = capsys.readouterr().out
    assert re.findall(r"session (\d+)", everything) == [str(n) for n in range(35)]
    assert "earlier session" not in everything
    assert everything.splitlines()[0] == out.splitlines()[0]  # the same totals
    assert main(["history", "--json"]) == 0
    assert [s["notes"] for s in json.loads(capsys.readouterr().out)] == [
        f"session {n}" for n in range(35)
    ]


def test_history_when_empty(capsys) -> None:
    assert main(["history"]) == 0
    assert "No sessions yet." in capsys.readouterr().out
    assert main(["history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_totals_and_streak(history: History) -> None:
    # Monday to Wednesday of one week, one session a day; Thursday's was stopped early after
    # 4 minutes, and another skipped through in 6 seconds.
    for day in range(3):
        record(history, day, at=T0 + timedelta(days=day), minutes=10)
    record(history, 3, at=T0 + timedelta(days=3), minutes=4, completed=False)
    record(history, 3, at=T0 + timedelta(days=3, hours=1), minutes=10, done=6)
    t = totals(history.sessions(), T0 + timedelta(days=3, hours=5))
    # sessions that counted; every minute done, counted or not
    assert (t.sessions_this_week, round(t.minutes_this_week, 1), t.sessions) == (3, 34.1, 3)
    assert t.streak_days == 3  # Thursday has no counted session yet; the streak holds
    assert totals(history.sessions(), T0 + timedelta(days=5)).streak_days == 0


def test_a_session_in_the_future_counts_for_no_day_week_or_streak(history: History) -> None:
    # Monday to Wednesday; it is Thursday afternoon. Two sessions were dated by a clock that
    # was wrong: a year ahead, and later today.
    now = T0 + timedelta(days=3, hours=5)
    for day in range(3):
        record(history, day, at=T0 + timedelta(days=day), minutes=10)
    record(history, 3, at=now + timedelta(days=365), minutes=10)
    record(history, 3, at=now + timedelta(hours=2), minutes=10)
    t = totals(history.sessions(), now)
    assert (t.sessions_this_week, round(t.minutes_this_week), t.streak_days) == (3, 30, 3)
    assert (t.sessions, round(t.minutes)) == (5, 50)  # they were done, if not then


def test_a_session_a_few_minutes_ahead_is_now_and_later_is_the_future() -> None:
    def lasting(started: datetime, seconds: float) -> SessionRecord:
        return SessionRecord(
            id="1",
            program="desk-break",
            title="Desk break",
            path="/x",
            content_hash="h",
            level=0,
            started_at=started,
            ended_at=started + timedelta(seconds=seconds),
            status="completed",
            planned_seconds=seconds,
            done_seconds=seconds,
            pain_before=None,
            pain_after=None,
            notes=None,
        )

    four_minutes_ago = T0 - timedelta(minutes=4)
    # Ending as far ahead as another machine's clock may be fast: now.
    assert not lasting(four_minutes_ago, 240 + FUTURE_SKEW.total_seconds()).in_future(T0)
    assert lasting(four_minutes_ago, 240 + FUTURE_SKEW.total_seconds() + 1).in_future(T0)
    assert lasting(T0 + timedelta(minutes=6), 0).in_future(T0)


def test_this_week_and_the_streak_are_local_days_across_a_change_of_clocks(
    tmp_path: Path,
) -> None:
    london = ZoneInfo("Europe/London")  # Sunday 25 Oct 2026 has 25 hours: 01:00-02:00 twice
    with local_time("Europe/London"):
        history = History.open(tmp_path / "history.sqlite3")
        for at in (
            datetime(2026, 10, 18, 23, 30, tzinfo=london),  # Sunday: last week's
            datetime(2026, 10, 19, 0, 30, tzinfo=london),  # Monday at 00:30 BST, Sunday in UTC
            datetime(2026, 10, 24, 18, 0, tzinfo=london),  # Saturday
            datetime(2026, 10, 25, 0, 30, tzinfo=london),  # Sunday at 00:30 BST, Saturday in UTC
        ):
            record(history, 0, at=at, minutes=10)
        # The second 01:30 of the night, GMT: stopped early, it counts for no day.
        record(history, 0, at=datetime(2026, 10, 25, 1, 30, tzinfo=london, fold=1), done=60)
        late_sunday = datetime(2026, 10, 25, 23, 50, tzinfo=london)
        t = totals(history.sessions(), late_sunday)
        assert (t.sessions_this_week, round(t.minutes_this_week), t.streak_days) == (3, 31, 2)
        # 00:10 GMT: a new week, though by the summer time the last one began in it is 23:10.
        monday = datetime(2026, 10, 26, 0, 10, tzinfo=london)
        assert totals(history.sessions(), monday).sessions_this_week == 0
        history.close()


def test_history_marks_a_session_in_the_future(capsys) -> None:
    history = History.open(history_file())
    now = datetime.now(UTC)
    record(history, 0, at=now - timedelta(days=30), minutes=4)
    record(history, 1, at=now + timedelta(days=365), minutes=4)
    history.close()
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("This week: 0 sessions, 0 min · streak: 0 days · in all: 2 sessions")
    rows = [row for row in out.splitlines() if re.match(r". \d{4}-\d\d-\d\d ", row)]
    assert [row[0] for row in rows] == [" ", "!"]
    assert "\n! later than now: the clock that dated it was wrong" in out


def test_list_and_plan_show_the_current_level(capsys) -> None:
    history = History.open(history_file())
    now = datetime.now(UTC)
    record(history, 2, at=now - timedelta(hours=2), program="desk-break")
    assert main(["list", "--json"]) == 0
    levels = {i["name"]: i["level"] for i in json.loads(capsys.readouterr().out)}
    assert levels["desk-break"] == 3 and levels["core-support"] == 0
    assert main(["plan", "desk-break", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["level"] == 3
    assert main(["plan", "desk-break"]) == 0
    assert "Level 3 ·" in capsys.readouterr().out


def test_an_unwritable_data_folder_still_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    program = quick_program(tmp_path, seconds=0.1)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert main(["run", str(program), "--plain"]) == 0
    assert "history unavailable" in capsys.readouterr().err
    assert os.path.isfile(blocker)


def test_plan_and_list_say_when_a_level_was_eased(capsys) -> None:
    history = History.open(history_file())
    record(history, 3, at=datetime.now(UTC) - timedelta(days=12, minutes=5))
    eased = "level 3, eased from 4 after 12 days"
    assert main(["plan", "desk-break"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(f"{eased.capitalize()} · ")
    assert main(["plan", "desk-break", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["level"], plan["eased_from"], plan["idle_days"]) == (3, 4, 12)
    assert main(["list"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("desk-break")]
    assert "level 3" in line and line.endswith(f"({eased})")
    assert main(["list", "--json"]) == 0
    [item] = [i for i in json.loads(capsys.readouterr().out) if i["name"] == "desk-break"]
    assert (item["level"], item["eased_from"], item["idle_days"]) == (3, 4, 12)


def test_plan_at_a_chosen_level_is_not_eased(capsys) -> None:
    history = History.open(history_file())
    record(history, 3, at=datetime.now(UTC) - timedelta(days=12))
    assert main(["plan", "desk-break", "--level", "5", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["level"], plan["eased_from"]) == (5, None)


def test_the_host_a_session_is_recorded_on_is_the_one_socket_names() -> None:
    """Sessions recorded before spasmtimer read the host name from uname(2) were recorded with
    socket.gethostname(): a crashed one is only recognised as this machine's if they agree."""
    import socket

    from spasmtimer.history.records import host_name

    assert host_name() == socket.gethostname()


# --- one id per session, across machines ------------------------------------------------


def test_an_old_history_migrates_once_and_loses_nothing(tmp_path: Path) -> None:
    """A history of schema 2 (before sessions had an id) opens: each session is given one, in
    the order of their start, and every value and event is as it was."""
    from spasmtimer.history.database import MIGRATIONS

    path = tmp_path / "history.sqlite3"
    db = sqlite3.connect(path)
    for version in (1, 2):
        db.executescript(str(MIGRATIONS[version]))
    db.execute("PRAGMA user_version = 2")
    for n in range(3):
        at = f"2026-11-0{n + 2}T09:00:00.000+00:00"
        session = db.execute(
            "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
            "ended_at, updated_at, status, planned_seconds, done_seconds, pain_before, "
            "pain_after, notes, host, pid, position) VALUES ('desk-break', 'Desk break', '/x', "
            "'h', ?, ?, ?, ?, 'completed', 300, 300, 4, 2, ?, 'h', 1, 300)",
            (n, at, at, at, f"note {n}"),
        ).lastrowid
        db.execute(
            "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
            "VALUES (?, 'pause', ?, 12.5, 1, NULL)",
            (session, at),
        )
    db.commit()
    db.close()
    history = History.open(path)
    records = history.sessions()
    assert [(r.level, r.notes, r.pain_before, r.pain_after) for r in records] == [
        (n, f"note {n}", 4, 2) for n in range(3)
    ]
    ids = [r.id for r in records]
    assert len(set(ids)) == 3 and ids == sorted(ids)
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)
    assert [[e[0] for e in history.events(i)] for i in ids] == [["pause"]] * 3
    assert history.connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    history.close()
    again = History.open(path)
    assert [r.id for r in again.sessions()] == ids  # given once, never changed
    again.close()


def test_history_json_gives_each_session_its_id(capsys) -> None:
    history = History.open(history_file())
    first = record(history, 0)
    second = record(history, 1, at=T0 + timedelta(days=1))
    history.close()
    assert main(["history", "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in exported] == [first, second]
    assert all(isinstance(s["id"], str) for s in exported)


# --- a session's process: gone, or another with its number -------------------------------


def running_as(history: History, pid: int, started: str | None, heard: datetime = T0) -> str:
    """A session marked running, written by the process ``pid`` that started at ``started``."""
    session_id = begin_running(history)
    history.connection.execute(
        "UPDATE sessions SET pid = ?, process = ?, updated_at = ? WHERE uid = ?",
        (pid, started, iso(heard), session_id),
    )
    history.connection.commit()
    return session_id


def test_a_session_whose_process_number_lives_again_in_another_process_is_stopped(
    tmp_path: Path, wall: WallClock
) -> None:
    """In a container the session's process may be number 1, always alive outside it; after a
    reboot its number is someone else's. Its start tells them apart (issue 23)."""
    path = tmp_path / "h.sqlite3"
    history = History.open(path, now=wall)
    mine = this_process()
    other_start = f"{mine.started.split('/')[0]}/1" if mine.started else "boot/1"
    running_as(history, 1, other_start)  # number 1, but not the process that started then
    running_as(history, os.getpid(), other_start)  # this number, another start: a reboot
    running_as(history, os.getpid(), mine.started)  # this very process: still running
    history.close()
    statuses = [r.status for r in History.open(path, now=wall).sessions()]
    assert statuses == ["stopped", "stopped", "running"]


def test_a_session_not_heard_from_for_longer_than_any_lasts_is_stopped(
    tmp_path: Path, wall: WallClock
) -> None:
    path = tmp_path / "h.sqlite3"
    history = History.open(path, now=wall)
    running_as(history, os.getpid(), None, heard=T0 - LONGEST_SILENCE - timedelta(minutes=1))
    running_as(history, os.getpid(), None, heard=T0 - timedelta(minutes=1))
    history.close()
    statuses = [r.status for r in History.open(path, now=wall).sessions()]
    assert statuses == ["stopped", "running"]


def test_a_process_start_is_read_from_the_system() -> None:
    started = process_started(os.getpid())
    if started is None:
        pytest.skip("this system does not tell when a process started (/proc)")
    assert started == this_process().started
    assert process_started(os.getppid()) != started
    assert process_started(2**22 + 7) is None  # no such process


def test_totals_of_years_are_said_with_thousands_marked() -> None:
    """Ten years of hourly breaks: "46,030 sessions, 285,004 min", not "46030 … 285004"."""
    from spasmtimer.history.records import Totals

    said = Totals(1, 4.2, 3764, 46030, 285004.4).describe()
    assert said == (
        "This week: 1 session, 4 min · streak: 3,764 days · in all: 46,030 sessions, 285,004 min"
    )


def test_a_signal_cannot_land_half_way_through_queueing_a_write(tmp_path: Path) -> None:
    """Python runs a signal's handler (Ctrl-C's KeyboardInterrupt) between two steps of Python
    code: queueing a write runs none but `submit`'s own, so a Ctrl-C cannot leave the queue
    half-changed and the writer asleep (a `queue.Queue`'s `put` and `notify` are Python)."""
    import sys

    from spasmtimer.history.recording import HistoryWriter

    writer = HistoryWriter(tmp_path / "history.sqlite3", warn=print)
    called: list[str] = []

    def profile(frame: object, event: str, arg: object) -> None:
        if event == "call":
            called.append(frame.f_code.co_name)  # type: ignore[attr-defined]

    sys.setprofile(profile)
    try:
        writer.submit(lambda db: None)
    finally:
        sys.setprofile(None)
    writer.close(1.0)
    assert called == ["submit"]
