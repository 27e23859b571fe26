"""Break reminders on fake clocks: when a break falls due, what snoozing, skipping and a
session in the history do to it, the window's edges (over midnight too, and across a change
of clocks), and what a sleeping machine or a clock that is set does."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from spasmtimer.history.lookups import last_session
from spasmtimer.history.store import History
from spasmtimer.session.reminders import (
    AWAY,
    POLL_SECONDS,
    SNOOZE,
    LastSession,
    PlainReminders,
    Reminders,
    ReminderState,
    Window,
    due_line,
    every_problem,
    every_text,
    parse_window,
    waiting_text,
    when_text,
)
from tests.history_support import local_time
from tests.support import FakeClock, FakeWall

MINUTE = 60.0
START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday
WORKING_HOURS = Window(time(9), time(18))
OVERNIGHT = Window(time(22), time(2))


@pytest.fixture
def wall(clock: FakeClock) -> FakeWall:
    return FakeWall(clock, START)


def reminders(
    clock: FakeClock,
    wall: FakeWall,
    every: float = 45 * MINUTE,
    window: Window | None = None,
    **kw,
) -> Reminders:
    return Reminders(
        timedelta(seconds=every), window, wall=wall, clock=clock, zone=kw.pop("zone", UTC), **kw
    )


def session(at: datetime, number: int = 1, running: bool = False) -> LastSession:
    return LastSession(str(number), at, running)


# --- due, snooze, skip --------------------------------------------------------------------


def test_a_break_falls_due_one_wait_after_the_reminders_begin(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(45 * MINUTE - 1)
    state = r.state()
    assert not state.due
    assert state.remaining == pytest.approx(1)
    assert state.due_at == START + timedelta(minutes=45)
    clock.advance(1)
    assert r.state().due
    assert r.state().remaining == 0


def test_a_due_break_is_said_once(clock, wall) -> None:
    r = reminders(clock, wall)
    assert not r.newly_due()
    clock.advance(45 * MINUTE)
    assert r.newly_due()
    clock.advance(MINUTE)
    assert not r.newly_due()
    assert r.state().due  # still due until answered


def test_snooze_asks_again_in_ten_minutes(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(50 * MINUTE)
    assert r.newly_due()
    r.snooze()
    state = r.state()
    assert not state.due
    assert state.snoozed
    assert state.remaining == SNOOZE.total_seconds()
    clock.advance(SNOOZE.total_seconds() - 1)
    assert not r.state().due
    clock.advance(1)
    assert r.state().due
    assert r.newly_due()  # a snoozed break rings again


def test_skip_waits_a_whole_wait_from_now(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(47 * MINUTE)
    r.skip()
    state = r.state()
    assert not state.due and not state.snoozed
    assert state.due_at == START + timedelta(minutes=47 + 45)


def test_a_break_taken_here_starts_the_wait_again(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(45 * MINUTE)
    r.newly_due()
    clock.advance(5 * MINUTE)  # the session
    r.break_taken()
    assert r.state().due_at == START + timedelta(minutes=50 + 45)
    clock.advance(45 * MINUTE)
    assert r.newly_due()


# --- the history --------------------------------------------------------------------------


def test_a_session_run_elsewhere_starts_the_wait_again_from_its_end(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(20 * MINUTE)
    r.history_shows(session(START + timedelta(minutes=19)))
    assert r.state().due_at == START + timedelta(minutes=19 + 45)


def test_the_same_session_seen_again_changes_nothing(clock, wall) -> None:
    r = reminders(clock, wall)
    seen = session(START + timedelta(minutes=10))
    clock.advance(11 * MINUTE)
    r.history_shows(seen)
    clock.advance(50 * MINUTE)
    r.skip()  # due at 55 min, skipped at 61
    r.history_shows(seen)
    assert r.state().due_at == START + timedelta(minutes=61 + 45)


def test_a_session_run_elsewhere_while_a_break_is_due_answers_it(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(46 * MINUTE)
    assert r.newly_due()
    r.history_shows(session(wall(), running=True))  # started in another terminal
    assert not r.state().due
    clock.advance(5 * MINUTE)
    r.history_shows(session(wall()))  # and ended
    assert r.state().due_at == START + timedelta(minutes=51 + 45)


def test_a_running_session_keeps_putting_the_break_off(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(40 * MINUTE)
    for _ in range(20):  # a long session elsewhere, heard from every 30 s
        clock.advance(30)
        r.history_shows(session(wall(), running=True))
        assert not r.state().due
    assert r.state().due_at == START + timedelta(minutes=50 + 45)


def test_the_first_look_counts_a_session_less_than_a_wait_ago(clock, wall) -> None:
    r = reminders(clock, wall)
    r.history_shows(session(START - timedelta(minutes=10)))
    assert r.state().due_at == START + timedelta(minutes=35)


def test_the_first_look_does_not_ring_at_once_for_an_old_session(clock, wall) -> None:
    r = reminders(clock, wall)
    r.history_shows(session(START - timedelta(hours=3)))
    assert r.state().due_at == START + timedelta(minutes=45)


def test_a_later_look_never_moves_the_break_earlier(clock, wall) -> None:
    r = reminders(clock, wall)
    r.history_shows(None)
    clock.advance(MINUTE)
    # A session that ended before the reminders began, seen only now (it was being written).
    r.history_shows(session(START - timedelta(minutes=10), number=7))
    assert r.state().due_at == START + timedelta(minutes=45)


def test_a_session_from_a_clock_ahead_of_ours_counts_from_now(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(10 * MINUTE)
    r.history_shows(session(wall() + timedelta(hours=2)))
    assert r.state().due_at == START + timedelta(minutes=10 + 45)


def test_state_reads_the_history_every_few_seconds_and_once_more_when_due(clock, wall) -> None:
    reads: list[datetime] = []
    shown: list[LastSession | None] = [None]

    def read() -> LastSession | None:
        reads.append(wall())
        return shown[-1]

    r = reminders(clock, wall, last_session=read)
    r.state()
    r.state()
    assert len(reads) == 1
    clock.advance(POLL_SECONDS)
    r.state()
    assert len(reads) == 2
    # Due between two reads: the history is read once more before it is said.
    clock.advance(45 * MINUTE - POLL_SECONDS - 1)
    r.state()
    clock.advance(2)
    shown.append(session(wall() - timedelta(seconds=1)))  # a session that has just ended
    assert not r.state().due
    assert reads[-1] == wall()


def test_a_session_recorded_by_another_connection_is_read(tmp_path: Path, clock, wall) -> None:
    path = tmp_path / "history.sqlite3"
    assert last_session(path) is None  # no history yet: nothing, no file made
    assert not path.exists()
    other = History.open(path)  # as another process would: its own connection
    r = reminders(clock, wall, last_session=lambda: last_session(path))
    assert r.state().due_at == START + timedelta(minutes=45)
    clock.advance(20 * MINUTE)
    sid = other.begin(  # another program's session: a break from sitting all the same
        program="seated-hamstring",
        title="Seated hamstring",
        path="/y",
        content_hash="h",
        level=0,
        planned_seconds=257,
        started_at=wall(),
        pain_before=None,
    )
    clock.advance(POLL_SECONDS)
    running = last_session(path)
    assert running is not None and running.running and running.id == sid
    assert r.state().due_at == START + timedelta(minutes=20 + 45)  # from its start, so far
    clock.advance(257)
    other.end(sid, completed=True, ended_at=wall(), done_seconds=257)
    clock.advance(POLL_SECONDS)
    ended = wall() - timedelta(seconds=POLL_SECONDS)
    assert last_session(path) == LastSession(sid, ended, False)
    assert r.state().due_at == ended + timedelta(minutes=45)
    other.close()


def test_an_unreadable_row_is_passed_over(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history = History.open(path)
    for started in ("2026-11-16T09:00:00.000+00:00", "garbled"):
        history.connection.execute(
            "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
            "ended_at, updated_at, status, planned_seconds, host, pid) "
            "VALUES ('desk-break', 't', 'p', 'h', 0, ?, ?, ?, 'stopped', 1, 'h', 1)",
            (started, started, started),
        )
    history.connection.commit()
    assert last_session(path) == LastSession(
        "row-1", datetime(2026, 11, 16, 9, tzinfo=UTC), False  # added with no id: its number
    )
    (tmp_path / "not-a-db").write_text("hello")
    assert last_session(tmp_path / "not-a-db") is None
    history.close()


# --- the window ---------------------------------------------------------------------------


def at(hours: int, minutes: int = 0, day: int = 16) -> datetime:
    return datetime(2026, 11, day, hours, minutes, tzinfo=UTC)


def reminders_from(clock: FakeClock, moment: datetime, window: Window, every: float = 45 * MINUTE):
    wall = FakeWall(clock, moment)
    return reminders(clock, wall, every, window), wall


def test_before_the_window_the_wait_begins_as_it_opens(clock) -> None:
    r, _ = reminders_from(clock, at(7), WORKING_HOURS)
    state = r.state()
    assert state.due_at == at(9, 45)
    assert state.held


def test_inside_the_window_the_wait_is_as_usual(clock) -> None:
    r, _ = reminders_from(clock, at(12), WORKING_HOURS)
    assert r.state().due_at == at(12, 45)
    assert not r.state().held


@pytest.mark.parametrize(
    ("begins", "due"),
    [
        (at(17, 15), at(18, 0)),  # due as the window closes: still inside it
        (at(17, 16), at(9, 45, day=17)),  # a minute more and it would fall outside
        (at(18, 0), at(9, 45, day=17)),
        (at(9, 0), at(9, 45)),  # begun as it opens
        (at(8, 59), at(9, 45)),
    ],
)
def test_the_window_edges(clock, begins: datetime, due: datetime) -> None:
    r, _ = reminders_from(clock, begins, WORKING_HOURS)
    assert r.state().due_at == due


def test_a_snooze_that_would_end_after_the_window_waits_for_tomorrow(clock) -> None:
    r, _ = reminders_from(clock, at(17, 0), WORKING_HOURS)
    clock.advance(55 * MINUTE)  # due at 17:45; snoozed at 17:55
    r.snooze()
    state = r.state()
    assert state.due_at == at(9, 45, day=17)
    assert state.held and not state.snoozed


@pytest.mark.parametrize(
    ("begins", "due"),
    [
        (at(23, 30), at(0, 15, day=17)),  # over midnight, inside the window
        (at(1, 0), at(1, 45)),
        (at(1, 30), at(22, 45)),  # would end after 02:00: tonight's opening
        (at(12, 0), at(22, 45)),
        (at(22, 0), at(22, 45)),
    ],
)
def test_a_window_over_midnight(clock, begins: datetime, due: datetime) -> None:
    r, _ = reminders_from(clock, begins, OVERNIGHT)
    assert r.state().due_at == due


def test_a_window_to_midnight(clock) -> None:
    window = parse_window("18:00-24:00")
    assert window.over_midnight and window.length == timedelta(hours=6)
    r, _ = reminders_from(clock, at(23, 0), window)
    assert r.state().due_at == at(23, 45)
    r, _ = reminders_from(clock, at(23, 15), window)
    assert r.state().due_at == at(0, 0, day=17)
    r, _ = reminders_from(clock, at(23, 16), window)
    assert r.state().due_at == at(18, 45, day=17)


def test_the_window_keeps_to_the_local_clock_across_a_change_to_summer_time(clock) -> None:
    london = ZoneInfo("Europe/London")
    # 29 March 2026: at 01:00 GMT the clocks go forward to 02:00 BST.
    wall = FakeWall(clock, datetime(2026, 3, 29, 6, 0, tzinfo=london))
    r = reminders(clock, wall, 45 * MINUTE, WORKING_HOURS, zone=london)
    assert r.state().due_at == datetime(2026, 3, 29, 9, 45, tzinfo=london)
    assert r.state().due_at == datetime(2026, 3, 29, 8, 45, tzinfo=UTC)


def test_a_wait_across_a_change_of_clocks_is_as_long_as_any(clock) -> None:
    london = ZoneInfo("Europe/London")
    wall = FakeWall(clock, datetime(2026, 3, 29, 0, 30, tzinfo=UTC))  # 00:30 GMT
    r = reminders(clock, wall, 60 * MINUTE, zone=london)
    assert r.state().remaining == 3600
    clock.advance(3600)
    assert r.state().due
    # The wall clock there says 02:30: an hour of waiting, though it moved two.
    assert when_text(r.state().due_at, r.state().now, london) == "02:30"


# --- the window on the days the clocks change -------------------------------------------------
# Each case is read in the zone (zoneinfo) and as the machine's own zone (TZ set, zone None), as
# `remind` reads it.

NEW_YORK = "America/New_York"  # 8 Mar 2026: 02:00 EST -> 03:00 EDT; 1 Nov: 02:00 EDT -> 01:00 EST
SANTIAGO = "America/Santiago"  # 6 Sep 2026: 00:00 -> 01:00; 4 Apr: 24:00 -> 23:00 (midnight)
BEIRUT = "Asia/Beirut"  # 29 Mar 2026: 00:00 -> 01:00; 24 Oct: 24:00 -> 23:00
LONDON = "Europe/London"  # 29 Mar 2026: 01:00 GMT -> 02:00 BST; 25 Oct: 02:00 BST -> 01:00 GMT


@pytest.fixture(params=["zoneinfo", "system"])
def read_in(request: pytest.FixtureRequest) -> Iterator[Callable[[str], tzinfo | None]]:
    """Gives the zone to hand `Reminders` for a zone's name: its ZoneInfo, or None with the
    machine's own zone set to it."""
    with contextlib.ExitStack() as stack:

        def zone_of(name: str) -> tzinfo | None:
            if request.param == "zoneinfo":
                return ZoneInfo(name)
            stack.enter_context(local_time(name))
            return None

        yield zone_of


def local(
    name: str, year: int, month: int, day: int, hour: int, minute: int, fold: int = 0
) -> datetime:
    """A reading of the clock in zone ``name`` (``fold=1``: the second of a repeated hour), as
    an instant in UTC."""
    reading = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(name), fold=fold)
    return reading.astimezone(UTC)


def state_at(
    clock: FakeClock, moment: datetime, window: str, minutes: float, zone: tzinfo | None
) -> tuple[ReminderState, str]:
    """What reminders begun at ``moment`` say: their state and the words under the wait."""
    r = Reminders(
        timedelta(minutes=minutes),
        parse_window(window),
        wall=FakeWall(clock, moment),
        clock=clock,
        zone=zone,
    )
    state = r.state()
    return state, waiting_text(state, r.window, zone)


def test_a_window_in_the_hour_the_clocks_skip_is_not_open_that_day(clock, read_in) -> None:
    # The clocks go from 01:59 to 03:00: no break can fall between 02:00 and 03:00 that day.
    zone = read_in(NEW_YORK)
    state, words = state_at(clock, local(NEW_YORK, 2026, 3, 8, 1, 0), "02:00-03:00", 59, zone)
    assert state.due_at == local(NEW_YORK, 2026, 3, 9, 2, 59)
    assert words == "Breaks 02:00–03:00: the next at 02:59 tomorrow"


def test_a_window_ending_in_the_skipped_hour_closes_as_the_clocks_change(clock, read_in) -> None:
    zone = read_in(NEW_YORK)
    # 01:58 is inside 01:00-02:30: the next break is a minute away, today.
    state, words = state_at(clock, local(NEW_YORK, 2026, 3, 8, 1, 58), "01:00-02:30", 1, zone)
    assert state.due_at == local(NEW_YORK, 2026, 3, 8, 1, 59)
    assert words == "Next break at 01:59"
    # Half an hour from 01:30 is the change itself (02:00 EST, 03:00 EDT): still in.
    state, words = state_at(clock, local(NEW_YORK, 2026, 3, 8, 1, 30), "01:00-02:30", 30, zone)
    assert state.due_at == local(NEW_YORK, 2026, 3, 8, 3, 0)
    assert words == "Next break at 03:00"
    # A minute later, and it would fall after the window closed: tomorrow's.
    state, words = state_at(clock, local(NEW_YORK, 2026, 3, 8, 1, 31), "01:00-02:30", 30, zone)
    assert state.due_at == local(NEW_YORK, 2026, 3, 9, 1, 30)
    assert words == "Breaks 01:00–02:30: the next at 01:30 tomorrow"


def test_a_window_starting_in_the_skipped_hour_opens_as_the_clocks_change(clock, read_in) -> None:
    zone = read_in(NEW_YORK)
    state, words = state_at(clock, local(NEW_YORK, 2026, 3, 8, 1, 0), "02:30-04:00", 45, zone)
    assert state.due_at == local(NEW_YORK, 2026, 3, 8, 3, 45)
    assert words == "Breaks 02:30–04:00: the next at 03:45"


def test_a_window_from_midnight_opens_at_one_where_the_day_begins_at_one(clock, read_in) -> None:
    zone = read_in(SANTIAGO)
    evening = local(SANTIAGO, 2026, 9, 5, 23, 30)
    state, words = state_at(clock, evening, "00:00-08:00", 45, zone)
    assert state.due_at == local(SANTIAGO, 2026, 9, 6, 1, 45)
    assert words == "Breaks 00:00–08:00: the next at 01:45 tomorrow"
    # Over midnight into the skipped hour: it closes at the change, 00:00 that became 01:00.
    state, words = state_at(clock, evening, "22:00-00:30", 30, zone)
    assert state.due_at == local(SANTIAGO, 2026, 9, 6, 1, 0)
    assert words == "Next break at 01:00 tomorrow"
    state, words = state_at(clock, evening, "22:00-00:30", 45, zone)
    assert state.due_at == local(SANTIAGO, 2026, 9, 6, 22, 45)
    assert words == "Breaks 22:00–00:30: the next at 22:45 tomorrow"


def test_a_window_to_midnight_where_midnight_is_skipped(clock, read_in) -> None:
    zone = read_in(BEIRUT)
    state, words = state_at(clock, local(BEIRUT, 2026, 3, 28, 23, 30), "18:00-24:00", 15, zone)
    assert state.due_at == local(BEIRUT, 2026, 3, 28, 23, 45)
    assert words == "Next break at 23:45"
    state, words = state_at(clock, local(BEIRUT, 2026, 3, 28, 23, 50), "18:00-24:00", 15, zone)
    assert state.due_at == local(BEIRUT, 2026, 3, 29, 18, 15)
    assert words.endswith("the next at 18:15 tomorrow")


def test_the_repeated_hour_is_in_a_window_once_the_first_time(clock, read_in) -> None:
    zone = read_in(NEW_YORK)
    # 00:30-01:30 closes at the first 01:30 and does not open again at the second 01:00.
    first = local(NEW_YORK, 2026, 11, 1, 1, 20)
    state, words = state_at(clock, first, "00:30-01:30", 15, zone)
    assert state.due_at == local(NEW_YORK, 2026, 11, 2, 0, 45)
    assert words == "Breaks 00:30–01:30: the next at 00:45 tomorrow"
    second = local(NEW_YORK, 2026, 11, 1, 1, 10, fold=1)
    state, words = state_at(clock, second, "00:30-01:30", 15, zone)
    assert state.due_at == local(NEW_YORK, 2026, 11, 2, 0, 45)
    assert words == "Breaks 00:30–01:30: the next at 00:45 tomorrow"
    # 01:30-03:00 opens at the first 01:30 and stays open through the repeated hour: an hour
    # after the first 01:50 is the second, which is said as such.
    state, words = state_at(clock, local(NEW_YORK, 2026, 11, 1, 1, 50), "01:30-03:00", 60, zone)
    assert state.due_at == local(NEW_YORK, 2026, 11, 1, 1, 50, fold=1)
    assert state.due_at - state.now == timedelta(hours=1)
    assert words == "Next break at 01:50 EST"
    state, words = state_at(clock, local(NEW_YORK, 2026, 11, 1, 0, 50), "00:30-03:00", 45, zone)
    assert words == "Next break at 01:35 EDT"


def test_the_repeated_hour_at_midnight(clock, read_in) -> None:
    zone = read_in(SANTIAGO)  # 4 Apr 2026: 23:00 to 23:59 twice
    first = local(SANTIAGO, 2026, 4, 4, 23, 15)
    state, words = state_at(clock, first, "22:00-23:30", 20, zone)
    assert state.due_at == local(SANTIAGO, 2026, 4, 5, 22, 20)
    assert words == "Breaks 22:00–23:30: the next at 22:20 tomorrow"
    second = local(SANTIAGO, 2026, 4, 4, 23, 10, fold=1)
    state, words = state_at(clock, second, "22:00-23:30", 20, zone)
    assert state.due_at == local(SANTIAGO, 2026, 4, 5, 22, 20)
    # A wait through the change is as long as on any night.
    state, words = state_at(clock, first, "20:00-02:00", 90, zone)
    assert state.due_at == local(SANTIAGO, 2026, 4, 4, 23, 45, fold=1)
    assert words == "Next break at 23:45 -04"  # the zone's name for its winter time


@pytest.mark.parametrize(
    ("name", "day", "skipped"),
    [
        (NEW_YORK, date(2026, 3, 8), 2),
        (LONDON, date(2026, 3, 29), 1),
        (SANTIAGO, date(2026, 9, 6), 0),
        (BEIRUT, date(2026, 3, 29), 0),
    ],
)
@pytest.mark.parametrize("minutes", [1, 30, 45])
def test_on_the_day_the_clocks_go_forward_every_break_is_later_and_inside(
    clock, read_in, name: str, day: date, skipped: int, minutes: int
) -> None:
    """From every quarter hour of the night of the change: the break is a whole wait or more
    away, and the clock reads a time inside the window just before it falls."""
    zone = read_in(name)
    windows = [
        Window(time((skipped - 1) % 24), time(skipped, 30)),  # ends in the skipped hour
        Window(time(skipped, 30), time((skipped + 2) % 24)),  # starts in it
        Window(time(skipped), time(skipped + 1)),  # is it
        Window(time((skipped - 2) % 24), time((skipped + 2) % 24)),  # holds it
    ]
    night = local(name, day.year, day.month, day.day, 0, 0) - timedelta(hours=3)
    for window in windows:
        for quarter in range(36):
            now = night + timedelta(minutes=15 * quarter)
            between = f"{window.start:%H:%M}-{window.end:%H:%M}"
            state, _ = state_at(clock, now, between, minutes, zone)
            assert state.due_at >= now + timedelta(minutes=minutes), (window, now)
            reading = (state.due_at - timedelta(seconds=1)).astimezone(ZoneInfo(name)).time()
            if window.over_midnight:
                inside = reading >= window.start or reading < window.end
            else:
                inside = window.start <= reading < window.end
            assert inside, (window, now, reading)


# --- a sleeping machine, a clock that is set ---------------------------------------------------


def test_a_machine_asleep_for_a_while_counts_as_a_break(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(30 * MINUTE)
    wall.set_by(timedelta(hours=1))  # the lid closed over lunch
    state = r.state()
    assert not state.due
    assert state.due_at == wall() + timedelta(minutes=45)


def test_a_due_break_slept_through_is_answered(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(50 * MINUTE)
    assert r.newly_due()
    wall.set_by(AWAY)
    assert not r.state().due


def test_a_short_nap_or_a_clock_set_forward_a_little_keeps_the_time_waited(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(10 * MINUTE)
    wall.set_by(AWAY - timedelta(seconds=1))
    assert r.state().remaining == 35 * MINUTE


def test_a_clock_set_back_keeps_the_time_waited(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(10 * MINUTE)
    wall.set_by(-timedelta(hours=3))
    assert r.state().remaining == 35 * MINUTE
    clock.advance(35 * MINUTE)
    assert r.state().due


def test_a_clock_read_a_little_late_is_not_a_clock_set(clock, wall) -> None:
    r = reminders(clock, wall)
    clock.advance(10 * MINUTE)
    wall.set_by(timedelta(seconds=1))
    assert r.state().remaining == 35 * MINUTE - 1


def test_a_clock_set_back_just_before_a_break_still_reads_the_history_first(clock, wall) -> None:
    reads: list[float] = []

    def read() -> LastSession | None:
        reads.append(clock.now)
        return None

    r = reminders(clock, wall, last_session=read)
    clock.advance(45 * MINUTE - 3)
    r.state()
    read_before = len(reads)
    wall.set_by(-timedelta(hours=1))
    clock.advance(3)
    assert r.state().due
    assert len(reads) == read_before + 1


def test_the_wall_clock_must_say_its_zone(clock) -> None:
    with pytest.raises(ValueError, match="aware"):
        Reminders(wall=lambda: datetime(2026, 1, 1), clock=clock)


# --- what --between and --every accept --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("09:00-18:00", time(9), time(18)),
        ("9:30-17:45", time(9, 30), time(17, 45)),
        (" 22:00 – 02:00 ", time(22), time(2)),
        ("18:00-24:00", time(18), time(0)),
        ("00:00-23:59", time(0), time(23, 59)),
    ],
)
def test_parse_window(text: str, start: time, end: time) -> None:
    assert parse_window(text) == Window(start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00-18:00", "has 25:00, which is not a time of the day"),
        ("09:60-18:00", "has 09:60, which is not a time of the day"),
        ("24:00-18:00", "has 24:00, which is not a time of the day"),
        ("09:00-24:30", "has 24:30, which is not a time of the day"),
        ("09:00-09:00", "starts and ends at the same time"),
        ("9-17", "two times of the day"),
        ("09:00", "two times of the day"),
        ("", "two times of the day"),
        ("09:00-18:00-20:00", "two times of the day"),
    ],
)
def test_parse_window_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_window(text)


def test_every_problem() -> None:
    assert every_problem(timedelta(minutes=45), None) is None
    assert every_problem(timedelta(minutes=45), WORKING_HOURS) is None
    assert every_problem(timedelta(seconds=59), None) == "must be from 1m to 24h"
    assert every_problem(timedelta(hours=25), None) == "must be from 1m to 24h"
    short = Window(time(9), time(9, 30))
    assert every_problem(timedelta(minutes=45), short) == (
        "is longer than the window 09:00–09:30 (30 min): no break would ever be due"
    )
    with pytest.raises(ValueError, match="no break would ever be due"):
        Reminders(timedelta(minutes=45), short)


# --- words --------------------------------------------------------------------------------


def test_every_text() -> None:
    assert every_text(timedelta(minutes=45)) == "45 min"
    assert every_text(timedelta(minutes=90)) == "1 h 30 min"
    assert every_text(timedelta(seconds=90)) == "1 min 30 s"
    assert every_text(timedelta(hours=2)) == "2 h"


def test_when_text() -> None:
    now = at(14, 0)
    assert when_text(at(14, 50), now, UTC) == "14:50"
    assert when_text(at(9, 45, day=17), now, UTC) == "09:45 tomorrow"
    assert when_text(at(9, 45, day=19), now, UTC) == "Thu 09:45"


def test_waiting_text(clock) -> None:
    r, _ = reminders_from(clock, at(7), WORKING_HOURS)
    assert waiting_text(r.state(), WORKING_HOURS, UTC) == "Breaks 09:00–18:00: the next at 09:45"
    clock.advance(3 * 3600)
    r.snooze()
    assert waiting_text(r.state(), WORKING_HOURS, UTC) == "Snoozed until 10:10"
    r.skip()
    assert waiting_text(r.state(), WORKING_HOURS, UTC) == "Next break at 10:45"


def test_due_line_quotes_a_path_for_the_shell() -> None:
    line = due_line(at(14, 5), "Evening", "4:17", "/tmp/my drills/evening.toml", UTC)
    assert (
        line
        == "14:05  Time for a break: Evening, 4:17. spasmtimer run '/tmp/my drills/evening.toml'"
    )


# --- remind --plain -------------------------------------------------------------------------


def test_plain_says_one_line_per_due_break_and_sleeps_between(clock, wall) -> None:
    out = io.StringIO()
    sleeps: list[float] = []
    bells: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.advance(seconds)

    r = reminders(clock, wall, 45 * MINUTE)
    plain = PlainReminders(
        r,
        describe=lambda: ("Desk break", "4:17"),
        program="desk-break",
        out=out,
        bell=lambda: bells.append(clock.now),
        sleep=sleep,
    )
    plain.run(breaks=2)
    assert out.getvalue().splitlines() == [
        "09:45  Time for a break: Desk break, 4:17. spasmtimer run desk-break",
        "10:30  Time for a break: Desk break, 4:17. spasmtimer run desk-break",
    ]
    assert len(bells) == 2
    assert max(sleeps) <= POLL_SECONDS  # it looks at the history between


def test_plain_is_put_off_by_a_session_in_the_history(clock, wall) -> None:
    out = io.StringIO()
    ended = START + timedelta(minutes=40)

    def history() -> LastSession | None:
        return session(ended) if wall() >= ended else None

    r = reminders(clock, wall, 45 * MINUTE, last_session=history)
    plain = PlainReminders(
        r,
        describe=lambda: ("Desk break", "4:17"),
        program="desk-break",
        out=out,
        sleep=clock.advance,
    )
    plain.run(breaks=1)
    assert (
        out.getvalue() == "10:25  Time for a break: Desk break, 4:17. spasmtimer run desk-break\n"
    )


def test_plain_describes_the_program_as_it_is_when_each_break_is_due(clock, wall) -> None:
    out = io.StringIO()
    lengths = iter(["4:17", "4:47"])  # a level moved on between the two breaks
    plain = PlainReminders(
        reminders(clock, wall, 45 * MINUTE),
        describe=lambda: ("Desk break", next(lengths)),
        program="desk-break",
        out=out,
        sleep=clock.advance,
    )
    plain.run(breaks=2)
    assert [line.split(", ")[1][:4] for line in out.getvalue().splitlines()] == ["4:17", "4:47"]
