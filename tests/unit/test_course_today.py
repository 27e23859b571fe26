"""The course where a person looks: the status line, the library's line, the summary's, and
break reminders at the course's times — on fake clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spasmtimer.app.course_today import CourseToday
from spasmtimer.base.locations import config_dir
from spasmtimer.cli import main
from spasmtimer.course.plan import course_status, due_today_text, next_placed, today
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.status import status_line
from spasmtimer.session.reminders import Reminders
from tests.app_support import FakeHistory, Recorded
from tests.history_support import Past, local_time, record
from tests.support import FakeClock, FakeWall
from tests.unit.test_course import COURSE, MONDAY, course_of, session, utc


def test_the_status_line_gives_the_courses_next_session_and_todays_count() -> None:
    course = course_of()
    with local_time("UTC"):
        now = utc(MONDAY, 9)
        morning = [session("gentle-mobility", utc(MONDAY, 8, 5))]
        status = course_status(today(course, morning, now), morning, now)
        assert status is not None
        # Next: core-support at 12:30; 1 of 3 kept (2 mobility and 1 core due today).
        assert status_line(status) == "core-support in 3h30m · 1 of 3 today"
        done = [
            *morning,
            session("core-support", utc(MONDAY, 12, 40)),
            session("gentle-mobility", utc(MONDAY, 18, 5)),
        ]
        evening = utc(MONDAY, 19)
        status = course_status(today(course, done, evening), done, evening)
        assert status is not None
        assert status_line(status) == "gentle-mobility tomorrow 08:00 · 3 of 3 today"
        overdue = utc(MONDAY, 8, 30)
        status = course_status(today(course, [], overdue), [], overdue)
        assert status is not None and status_line(status).startswith("gentle-mobility due ·")


def test_status_without_program_or_every_follows_the_course(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    course_of()
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY, 9))
    with local_time("UTC"):
        assert main(["status"]) == 0
        assert main(["status", "desk-break"]) == 0
    followed, asked = capsys.readouterr().out.splitlines()
    assert followed == "gentle-mobility due · 0 of 3 today"
    assert asked.startswith("desk-break due")


def test_status_with_a_course_counts_the_streak_from_before_this_week(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a course, status reads this week's sessions for what is due: the streak still
    runs back through the weeks before."""
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.store import History

    course_of()
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY, 9))
    with local_time("UTC"):
        history = History.open(history_file(), now=lambda: utc(MONDAY, 9))
        days = [utc(MONDAY, 8) - timedelta(days=n) for n in range(10)]
        record(history, *(Past("gentle-mobility", 0, at) for at in reversed(days)))
        history.close()
        assert main(["status"]) == 0
    assert capsys.readouterr().out.strip() == (
        "core-support in 3h30m · 1 of 3 today · 10-day streak"
    )


def test_the_line_of_what_is_due_today() -> None:
    course = course_of()
    with local_time("UTC"):
        now = utc(MONDAY, 9)
        morning = [session("gentle-mobility", utc(MONDAY, 8, 5))]
        line = due_today_text(today(course, morning, now), now)
        assert line == (
            "Due today: core-support 0 of 1, next at 12:30 · gentle-mobility 1 of 2, next at 18:00"
        )
        assert due_today_text(today(course, [], now), now).startswith(
            "Due today: gentle-mobility 0 of 2, due now"
        )
        sunday = utc(MONDAY + timedelta(days=6), 9)
        # The week's three core-support sessions are done, so none is due on its Sunday.
        kept = [
            *(session("core-support", utc(MONDAY + timedelta(days=n), 12)) for n in (0, 2, 4)),
            session("gentle-mobility", sunday - timedelta(hours=1)),
            session("gentle-mobility", sunday),
        ]
        assert (
            due_today_text(today(course, kept, sunday), sunday)
            == "Course: today's sessions are all kept"
        )


def test_the_summary_counts_the_session_just_ended_before_it_is_written() -> None:
    course_of()
    with local_time("UTC"):
        morning = session("gentle-mobility", utc(MONDAY, 8, 5))
        # The history holds the session as it was when the writer last wrote it: running.
        running = session("gentle-mobility", utc(MONDAY, 8, 5), counted=False)
        history = FakeHistory(Recorded(), sessions=[running])
        at_nine = CourseToday(history, lambda: utc(MONDAY, 9))
        assert at_nine.after(morning, "gentle-mobility") == "Course: 1 of 2 today — next at 18:00"
        assert at_nine.after(None, "gentle-mobility") == "Course: 0 of 2 today — due since 08:00"
        assert at_nine.after(morning, "desk-break") is None  # not in the course
        assert CourseToday(history, lambda: utc(MONDAY, 9)).due_line() is not None


def test_a_course_with_a_mistake_says_so_in_the_library_and_nothing_in_the_summary() -> None:
    course_of()
    (config_dir() / "course.toml").write_text(COURSE.replace("per_day = 2", "per_day = two"))
    today_of = CourseToday(FakeHistory(Recorded()), lambda: utc(MONDAY, 9))
    assert today_of.due_line() == "Course: course.toml has a mistake; `spasmtimer today` says where"
    assert today_of.after(None, "gentle-mobility") is None
    # No course at all: no line.
    (config_dir() / "course.toml").unlink()
    assert today_of.due_line() is None


# --- reminders at the course's times ---------------------------------------------------------


def test_reminders_follow_the_courses_times(clock: FakeClock) -> None:
    course = course_of()
    wall = FakeWall(clock, utc(MONDAY, 7))
    kept: list[SessionRecord] = []
    with local_time("UTC"):

        def placed(after: datetime | None) -> datetime | None:
            return next_placed(course, "gentle-mobility", kept, wall(), after)

        r = Reminders(wall=wall, clock=clock, zone=UTC, placed=placed, last_session=lambda: None)
        assert r.state().due_at == utc(MONDAY, 8)
        clock.advance(3600)
        assert r.newly_due() and not r.newly_due()  # said once
        # Skipped: the next is the evening's.
        r.skip()
        assert r.state().due_at == utc(MONDAY, 18)
        # Snoozed at 18:00: ten minutes; then the evening's session is kept elsewhere, and the
        # next is tomorrow morning's, to be said again when it comes.
        clock.advance(10 * 3600)
        assert r.newly_due()
        r.snooze()
        assert r.state().due_at == utc(MONDAY, 18, 10)
        kept.append(session("gentle-mobility", utc(MONDAY, 18, 1)))
        clock.advance(60)
        assert r.state().due_at == utc(MONDAY + timedelta(days=1), 8)
        clock.advance(14 * 3600)
        assert r.newly_due()


def test_remind_without_every_says_it_follows_the_course(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    course_of()
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY, 7))
    monkeypatch.setattr("spasmtimer.cli.plain.signals_interrupt", _interrupted_at_once)
    with local_time("UTC"):
        for asked in ([], ["gentle-mobility"], ["--every", "1h"]):
            main(["remind", "--plain", *asked])
    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith(
        "spasmtimer: reminding: gentle-mobility at the course's times: 08:00, 18:00"
    )
    assert said[1] == said[0]
    assert "every 1 h" in said[2]


class _interrupted_at_once:
    def __enter__(self) -> None:
        from spasmtimer.cli.plain import Interrupted

        raise Interrupted(2)

    def __exit__(self, *exc: object) -> None:
        pass


def test_times_are_placed_in_utc_as_told(clock: FakeClock) -> None:
    course = course_of()
    with local_time("America/New_York"):
        first = next_placed(course, "gentle-mobility", [], datetime(2026, 12, 7, 5, tzinfo=UTC))
        assert first == datetime(2026, 12, 7, 13, tzinfo=UTC)  # 08:00 in New York


def test_remind_with_a_course_that_has_a_mistake_says_so_and_reminds_as_ever(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    course_of()
    (config_dir() / "course.toml").write_text(COURSE.replace("per_day = 2", "per_day = two"))
    monkeypatch.setattr("spasmtimer.cli.plain.signals_interrupt", _interrupted_at_once)
    main(["remind", "--plain"])
    said = capsys.readouterr().err
    assert "the course has a mistake (spasmtimer today says where)" in said
    assert "reminding: Desk break every 45 min" in said


def test_status_with_a_course_sees_a_session_begun_before_the_week_running_still(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sunday 23:55, a session begun; Monday 00:05, still running: "now", not "due" (the
    course reads this week's sessions, and this one began the week before)."""
    from spasmtimer.base.locations import history_file
    from spasmtimer.history.store import History

    course_of()
    now = utc(MONDAY, 0, 5)
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: now)
    with local_time("UTC"):
        history = History.open(history_file(), now=lambda: now)
        begun = history.begin(
            program="gentle-mobility",
            title="Gentle mobility",
            path="/x",
            content_hash="h",
            level=0,
            planned_seconds=600,
            started_at=now - timedelta(minutes=10),
            pain_before=None,
        )
        # As it runs, its row is written every second.
        history.add_events(begun, [], done_seconds=598, updated_at=now - timedelta(seconds=2))
        history.close()
        assert main(["status"]) == 0
    assert capsys.readouterr().out.startswith("gentle-mobility now ·")
