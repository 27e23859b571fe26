"""A course: its file and located errors; what is due, kept and next, on local days and ISO
weeks, right on the days the clocks change; the report; the calendar, read back by two
independent readers."""

from __future__ import annotations

import datetime as dt
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from spasmtimer.base.locations import config_dir, history_file
from spasmtimer.cli import main
from spasmtimer.course.course import Course, CourseError, Item, load_course
from spasmtimer.course.ics import calendar
from spasmtimer.course.plan import next_due, today
from spasmtimer.course.report import report
from spasmtimer.history.records import SessionRecord, new_session_id
from spasmtimer.history.store import History
from tests.history_support import Past, local_time, record

COURSE = """title = "Back care, weeks 1-4"
start = 2026-12-07          # a Monday
weeks = 4

[[item]]
program = "gentle-mobility"
per_day = 2
at = ["08:00", "18:00"]

[[item]]
program = "core-support"
per_week = 3
at = ["12:30"]
"""
MONDAY = dt.date(2026, 12, 7)


def course_of(text: str = COURSE, tmp: Path | None = None) -> Course:
    path = (tmp or config_dir()) / "course.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return load_course(path)


def session(program: str, at: datetime, *, counted: bool = True) -> SessionRecord:
    planned = 300.0
    return SessionRecord(
        id=new_session_id(at),
        program=program,
        title=program,
        path="/x",
        content_hash="h",
        level=0,
        started_at=at,
        ended_at=at + timedelta(seconds=planned),
        status="completed" if counted else "stopped",
        planned_seconds=planned,
        done_seconds=planned,
        pain_before=None,
        pain_after=None,
        notes=None,
        updated_at=at + timedelta(seconds=planned),
    )


def utc(day: dt.date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# --- the file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("per_day = 2\n", ""), "course.toml:5:1: item[0]: give how often"),
        (("per_day = 2", "per_dya = 2"), "course.toml:7:1: item[0].per_dya: unknown key `per_dya` (did you mean `per_day`?)"),
        (("per_day = 2", "per_day = 2\nper_dya = 1"), "course.toml:8:1: item[0].per_dya: unknown key `per_dya` (did you mean `per_day`?)"),
        (('"18:00"', '"25:00"'), 'course.toml:8:16: item[0].at[1]: must be a time of day in quotes, 24-hour'),
        (("start = 2026-12-07", 'start = "next week"'), 'course.toml:2:9: start: must be a date, written without quotes'),
        (('"gentle-mobility"', '"gentle-mobilty"'), "course.toml:6:11: item[0].program: no program is called \"gentle-mobilty\" (did you mean 'gentle-mobility'?)"),
        (("weeks = 4", "weeks = 0"), "course.toml:3:9: weeks: must be 1 or more (got 0)"),
    ],
)
def test_a_course_file_that_is_wrong_is_said_at_its_line_and_column(
    change: tuple[str, str], said: str
) -> None:
    with pytest.raises(CourseError) as raised:
        course_of(COURSE.replace(*change, 1))
    assert said in str(raised.value).replace(str(config_dir()) + "/", "")


def test_without_a_course_today_says_how_to_set_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["today"]) == 1
    assert "no course is set: write one in" in capsys.readouterr().err


# --- due, kept and next -------------------------------------------------------------------


def test_a_per_day_item_counts_the_days_sessions_and_places_the_next() -> None:
    course = course_of()
    with local_time("UTC"):
        morning = [session("gentle-mobility", utc(MONDAY, 8, 5))]
        [mobility, core] = today(course, morning, utc(MONDAY, 9))
        assert (mobility.due, mobility.kept, mobility.next_at) == (2, 1, utc(MONDAY, 18))
        [mobility, _] = today(course, morning, utc(MONDAY, 19))
        assert mobility.next_at == utc(MONDAY, 18)  # due since 18:00
        both = [*morning, session("gentle-mobility", utc(MONDAY, 18, 10))]
        [mobility, _] = today(course, both, utc(MONDAY, 19))
        assert (mobility.kept, mobility.next_at) == (2, utc(MONDAY + timedelta(days=1), 8))
        # The per-week item: one a day while the week wants them, on its spread days.
        assert (core.due, core.week_due, core.next_at) == (1, 3, utc(MONDAY, 12, 30))


def test_a_session_that_does_not_count_keeps_nothing() -> None:
    course = course_of()
    with local_time("UTC"):
        stopped = [session("gentle-mobility", utc(MONDAY, 8, 5), counted=False)]
        [mobility, _] = today(course, stopped, utc(MONDAY, 9))
        assert mobility.kept == 0 and mobility.next_at == utc(MONDAY, 8)


def test_a_per_week_item_is_kept_over_the_week() -> None:
    course = course_of()
    with local_time("UTC"):
        done = [session("core-support", utc(MONDAY + timedelta(days=n), 12)) for n in (0, 1, 2)]
        [_, core] = today(course, done, utc(MONDAY + timedelta(days=3), 9))
        assert (core.due, core.week_kept, core.week_due) == (0, 3, 3)
        # Next week's first placed day: Monday at 12:30.
        assert core.next_at == utc(MONDAY + timedelta(weeks=1), 12, 30)


def test_the_first_and_last_days_of_a_course() -> None:
    course = course_of()
    with local_time("UTC"):
        [before, _] = today(course, [], utc(MONDAY - timedelta(days=1), 9))
        assert (before.due, before.next_at) == (0, utc(MONDAY, 8))
        last = MONDAY + timedelta(weeks=4) - timedelta(days=1)
        [on_last, _] = today(course, [], utc(last, 9))
        assert on_last.due == 2
        [after, _] = today(course, [], utc(last + timedelta(days=1), 9))
        assert (after.due, after.next_at) == (0, None)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # Spring forward in London: 01:00 GMT becomes 02:00 BST on 29 March 2026.
        ("Europe/London", dt.date(2026, 3, 29), "08:00:00+01:00"),
        # Fall back in New York: 02:00 EDT becomes 01:00 EST on 1 November 2026.
        ("America/New_York", dt.date(2026, 11, 1), "08:00:00-05:00"),
    ],
)
def test_times_of_day_are_local_on_the_days_the_clocks_change(
    zone: str, day: dt.date, expected: str
) -> None:
    course = course_of(COURSE.replace("start = 2026-12-07", f"start = {day - timedelta(days=7)}"))
    local = ZoneInfo(zone)
    with local_time(zone):
        # Just after midnight, local time, on the day of the change.
        now = datetime.combine(day, dt.time(0, 30), tzinfo=local).astimezone(UTC)
        # A session at 23:30 the day before, local time, is not today's.
        yesterday = datetime.combine(day - timedelta(days=1), dt.time(23, 30), tzinfo=local)
        [mobility, _] = today(course, [session("gentle-mobility", yesterday)], now)
        assert mobility.kept == 0
        assert mobility.next_at is not None
        assert mobility.next_at.astimezone(local).isoformat().endswith(f"T{expected}")


def test_the_next_due_is_the_soonest() -> None:
    course = course_of()
    with local_time("UTC"):
        items = today(course, [], utc(MONDAY, 10))
        soonest = next_due(items)
        assert soonest is not None and soonest.item.program == "gentle-mobility"
        assert soonest.next_at == utc(MONDAY, 8)  # overdue: the first


# --- the report -----------------------------------------------------------------------------


def test_the_reports_json_agrees_with_the_history(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    course_of()
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY + timedelta(weeks=3), 9))
    with local_time("UTC"):
        history = History.open(history_file())
        past = [
            Past("gentle-mobility", 0, utc(MONDAY, 8), 6, 4, "<script>alert(1)</script>", 359, 359),
            Past("gentle-mobility", 1, utc(MONDAY, 18), 5, 3, None, 359, 359),
            Past("gentle-mobility", 2, utc(MONDAY + timedelta(days=1), 8), 4, 2, None, 359, 359),
            Past("gentle-mobility", 2, utc(MONDAY + timedelta(days=8), 8), 3, 2, None, 20, 359),
            Past("core-support", 0, utc(MONDAY + timedelta(days=2), 12), 3, 3, None, 253, 253),
        ]
        record(history, *past)
        history.close()
        for form in ("--json", "--html"):
            assert main(["report", form, "--since", "2026-12-07", "--until", "2026-12-20"]) == 0
        out = capsys.readouterr().out
    document, _, html = out.partition("\n<!DOCTYPE html>")
    made = json.loads(document)
    weeks = {w["week"]: {i["program"]: (i["prescribed"], i["kept"]) for i in w["items"]} for w in made["weeks"]}
    assert weeks == {
        "2026-12-07": {"gentle-mobility": (14, 3), "core-support": (3, 1)},
        # The session of the 15th stopped at 20 s of 6: it keeps nothing.
        "2026-12-14": {"gentle-mobility": (14, 0), "core-support": (3, 0)},
    }
    [mobility, core] = made["programs"]
    assert (mobility["sessions"], mobility["counted"], mobility["levels"]) == (4, 3, [0, 2])
    assert mobility["pain_before"] == [5.5, 3.5]
    assert (core["sessions"], core["counted"], core["levels"]) == (1, 1, [0, 0])
    # The page holds the same numbers, and the note as text.
    assert "3 of 14" in html and "1 of 3" in html and "0 of 14" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    ).split("<!--")[0]


def test_a_report_of_a_period_without_sessions() -> None:
    course = course_of()
    made = report(course, [], MONDAY, MONDAY + timedelta(days=6), utc(MONDAY, 9))
    assert made.share == 0.0 and made.sessions == ()
    assert [i.prescribed for i in made.weeks[0].items] == [14, 3]


# --- the calendar ---------------------------------------------------------------------------


def test_the_calendar_is_read_back_by_two_readers() -> None:
    import icalendar
    import vobject

    course = course_of()
    data, left_out = calendar(course, "Europe/London", utc(MONDAY, 9))
    assert left_out == []
    # icalendar: the events, their rules, alarms and zone.
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 3
    for event in events:
        starts = event.decoded("DTSTART")
        assert isinstance(starts, datetime) and starts.tzinfo is not None
        assert str(event["DTSTART"].params["TZID"]) == "Europe/London"
        assert "spasmtimer run" in str(event["DESCRIPTION"])
        assert [a["ACTION"] for a in event.walk("VALARM")] == ["DISPLAY"]
    assert list(parsed.walk("VTIMEZONE"))
    # vobject, on its own: every occurrence, in the zone, up to the course's end.
    read = vobject.readOne(data.decode())
    occurrences = {}
    for event in read.vevent_list:
        dates = list(event.getrruleset())
        occurrences[event.summary.value, event.dtstart.value.time()] = dates
        assert dates[-1].date() < MONDAY + timedelta(weeks=4)
        assert all(d.utcoffset() == timedelta(0) for d in dates)  # London in winter
    mobility = [d for (s, _), ds in occurrences.items() if "gentle" in s for d in ds]
    assert len(mobility) == 56  # 4 weeks at 2 a day
    core = [d for (s, _), ds in occurrences.items() if "core" in s for d in ds]
    assert len(core) == 12 and {d.weekday() for d in core} == {0, 2, 4}


def test_an_item_without_times_is_left_out_of_the_calendar_and_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    course_of(COURSE + '\n[[item]]\nprogram = "desk-break"\nper_day = 6\n')
    assert main(["course", "--ics"]) == 0
    captured = capsys.readouterr()
    assert "desk-break is not in the calendar" in captured.err
    assert captured.out.startswith("BEGIN:VCALENDAR\r\n")


def test_an_open_ended_course_recurs_without_end() -> None:
    course = course_of(COURSE.replace("weeks = 4\n", ""))
    data, _ = calendar(course, "UTC", utc(MONDAY, 9))
    assert b"COUNT=" not in data and b"UNTIL=" not in data


def test_a_course_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    course_of()
    assert main(["course"]) == 0
    out = capsys.readouterr().out
    assert "gentle-mobility: 2 a day, 08:00, 18:00" in out
    assert "core-support: 3 a week on Mon, Wed, Fri, 12:30" in out


def test_item_every() -> None:
    assert Item("p", "p", 2, None).every == "2 a day"
    assert Item("p", "p", None, 3).every == "3 a week"


# --- the starter, and the schema ------------------------------------------------------------


def test_new_course_gives_each_program_as_often_as_it_suggests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("spasmtimer.base.clocks.utc_now", lambda: utc(MONDAY, 9))
    assert main(["new", "--course", "--with", "gentle-mobility", "--with", "desk-break"]) == 0
    written = (config_dir() / "course.toml").read_text()
    course = load_course(None)
    [mobility, desk] = course.items
    assert (course.start, course.weeks) == (MONDAY, 4)
    assert (mobility.program, mobility.per_day) == ("gentle-mobility", 2)
    assert [f"{t:%H:%M}" for t in mobility.at] == ["08:00", "18:00"]
    assert (desk.per_day, len(desk.at), desk.days) == (8, 8, (0, 1, 2, 3, 4))
    # Another program that suggests a frequency is there, in comments, ready to take up.
    assert '# program = "core-support"\n# per_week = 3\n' in written
    assert main(["today"]) == 0
    # Never over a course that is there.
    assert main(["new", "--course"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert (config_dir() / "course.toml").read_text() == written


def test_a_starter_course_holds_any_program_name_as_data(tmp_path: Path) -> None:
    odd = 'it\'s "mine" \\ [[item]]'
    folder = config_dir() / "programs"
    folder.mkdir(parents=True)
    (folder / f"{odd}.toml").write_text(
        'suggest = { per_week = 2 }\n[[steps]]\ntype = "rest"\nname = "Rest"\nseconds = 30\n'
    )
    made = tmp_path / "mine.toml"
    assert main(["new", "--course", str(made), "--with", odd]) == 0
    [item] = load_course(made).items
    assert (item.program, item.per_week) == (odd, 2)


def test_a_starter_course_names_a_program_that_is_not_there(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["new", "--course", "--with", "gentle-mobilty"]) == 1
    assert "did you mean gentle-mobility?" in capsys.readouterr().err
    assert not (config_dir() / "course.toml").exists()


def test_the_course_schema_takes_the_starter_and_flags_what_the_loader_refuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import tomllib

    import jsonschema

    assert main(["schema", "--course"]) == 0
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.validators.validator_for(schema)(schema)

    def as_editors_see(text: str) -> Any:  # taplo gives a TOML date to JSON as a string
        data = tomllib.loads(text)
        return {**data, "start": str(data["start"])}

    assert list(validator.iter_errors(as_editors_see(COURSE))) == []
    for change in (
        ("per_day = 2", "per_day = 25"),
        ("per_day = 2", "per_day = 2\nper_week = 2"),
        ("per_day = 2\n", ""),
        ('"18:00"', '"25:00"'),
        ("weeks = 4", "weeks = 105"),
    ):
        assert list(validator.iter_errors(as_editors_see(COURSE.replace(*change, 1)))), change


def test_a_session_counts_on_the_local_day_of_the_zone_the_machine_is_in_now() -> None:
    # Done at 23:30 in New York on the 8th, which is 04:30 on the 9th in London: the person
    # flew, and the machine now keeps London time. It is the 9th's, as their day is now.
    course = course_of()
    evening = datetime(2026, 12, 8, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    done = [session("gentle-mobility", evening)]
    with local_time("America/New_York"):
        [mobility, _] = today(course, done, evening.astimezone(UTC) + timedelta(minutes=10))
        assert mobility.kept == 1
    with local_time("Europe/London"):
        ninth = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
        [mobility, _] = today(course, done, ninth)
        assert mobility.kept == 1
        [mobility, _] = today(course, done, ninth + timedelta(days=1))  # the 10th: not its day
        assert (mobility.kept, mobility.week_kept) == (0, 1)
