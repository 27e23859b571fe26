"""A session the history cannot take by exit is kept beside it, and added at the next open."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from spasmtimer.history.kept import add_kept, kept_files
from spasmtimer.history.recording import HistoryWriter, SessionRecorder
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.store import History
from spasmtimer.session.engine import Session
from tests.history_support import play_recorded
from tests.support import FakeClock
from tests.unit.test_history import T0, WallClock, program_timeline

Contents = list[tuple[SessionRecord, list[tuple[str, str, float, int, float | None]]]]

GIVE_UP = 0.3
"""How long the writers here wait at exit: long enough for a write, short for a test."""


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another program holds the history's write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def record(
    path: Path,
    tmp_path: Path,
    *,
    after_start: Callable[[], object] | None = None,
    resuming: SessionRecord | None = None,
    wall: WallClock | None = None,
) -> list[str]:
    """Run one session (pause, resume, adjust, finish, rate) recorded into the history at
    ``path``, ``after_start`` called once its start is written; what the writer said."""
    said: list[str] = []
    history = History.open(path, now=wall or WallClock())
    clock = FakeClock()
    timeline = program_timeline(tmp_path)
    writer = HistoryWriter(path, warn=said.append)
    recorder = SessionRecorder(
        history,
        writer,
        program="p",
        title="P",
        path="/p.toml",
        timeline=timeline,
        resuming=resuming,
    )
    play_recorded(Session(timeline, clock), recorder, clock, writer, after_start)
    writer.close(GIVE_UP)
    history.close()
    return said


def contents(path: Path) -> Contents:
    """Every session of the history with its events, as a person would compare them."""
    history = History.open(path)
    try:
        return [
            (msgspec.structs.replace(row, id=0), history.events(row.id))
            for row in history.sessions()
        ]
    finally:
        history.close()


@pytest.fixture
def recorded_freely(tmp_path: Path) -> Contents:
    """The session as a history nobody else holds records it."""
    path = tmp_path / "free" / "history.sqlite3"
    path.parent.mkdir()
    assert record(path, tmp_path) == []
    return contents(path)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "held" / "history.sqlite3"
    path.parent.mkdir()
    History.open(path).close()
    return path


def a_session_ended(path: Path, *, completed: bool, at: datetime, done: float) -> str:
    """A session of "p" begun at `T0`, ended ``at``, in the history at ``path``; its id."""
    history = History.open(path, now=WallClock())
    session_id = history.begin(
        program="p",
        title="P",
        path="/p.toml",
        content_hash="x",
        level=0,
        planned_seconds=55,
        started_at=T0,
        pain_before=5,
    )
    history.end(session_id, completed=completed, ended_at=at, done_seconds=done)
    history.close()
    return session_id


KEPT_SESSION: dict[str, object] = {
    "session": {
        "id": "0196f3b2-0c00-7000-8000-000000000001",
        "program": "p",
        "title": "P",
        "path": "/p.toml",
        "content_hash": "x",
        "level": 0,
        "started_at": "2026-11-02T09:00:00.000+00:00",
        "ended_at": "2026-11-02T09:01:00.000+00:00",
        "status": "completed",
        "planned_seconds": 55,
        "done_seconds": 55,
        "pain_before": None,
        "pain_after": None,
        "notes": None,
        "position": 55,
        "updated_at": "2026-11-02T09:01:00.000+00:00",
    },
    "events": [["start", "2026-11-02T09:00:00.000+00:00", 0.0, 0, None]],
    "runner": {"host": "h", "pid": 1},
    "type": "kept-2",
}


def a_kept_session(**changes: object) -> bytes:
    """A kept session's file as spasmtimer writes it, with ``changes`` to its session's fields
    (``events`` and ``final`` are the file's own; ``host``, ``pid`` and ``started`` its
    runner's)."""
    kept = dict(KEPT_SESSION)
    session = dict(kept["session"])  # type: ignore[call-overload]
    runner = dict(kept["runner"])  # type: ignore[call-overload]
    for key, value in changes.items():
        if key in ("events", "final"):
            kept[key] = value
        elif key in ("host", "pid", "started"):
            runner[key] = value
        else:
            session[key] = value
    kept["session"], kept["runner"] = session, runner
    return msgspec.json.encode(kept)


def test_a_kept_session_written_by_hand_is_added(path: Path) -> None:
    path.with_name(f"{path.name}.unsaved-1-aaaa.json").write_bytes(a_kept_session())
    [row] = History.open(path).sessions()
    assert (row.program, row.status, row.done_seconds) == ("p", "completed", 55)


HOSTILE: dict[str, Callable[[Path], object]] = {
    "binary": lambda p: p.write_bytes(os.urandom(256)),
    "empty": lambda p: p.write_bytes(b""),
    "other JSON": lambda p: p.write_text('{"program": "p"}'),
    "an unknown field": lambda p: p.write_bytes(a_kept_session()[:-1] + b',"x":1}'),
    "a pain of 11": lambda p: p.write_bytes(a_kept_session(pain_after=11)),
    "a level below 0": lambda p: p.write_bytes(a_kept_session(level=-1)),
    "a time of another form": lambda p: p.write_bytes(a_kept_session(ended_at="2026-11-02")),
    "a time that is none": lambda p: p.write_bytes(a_kept_session(updated_at="\x1b]0;x\x07")),
    "an event's time": lambda p: p.write_bytes(
        a_kept_session(events=(("start", "yesterday", 0.0, 0, None),))
    ),
    "a level past SQLite's integers": lambda p: p.write_bytes(a_kept_session(level=2**64 - 1)),
    "a phase past SQLite's integers": lambda p: p.write_bytes(
        a_kept_session(events=(("start", "2026-11-02T09:00:00.000+00:00", 0.0, 2**63, None),))
    ),
    "an id that is not text": lambda p: p.write_bytes(a_kept_session(id="\x1b]0;x\x07")),
    "negative seconds": lambda p: p.write_bytes(a_kept_session(done_seconds=-55)),
    "the year 9999": lambda p: p.write_bytes(
        a_kept_session(started_at="9999-12-31T23:59:59.999+00:00")
    ),
    "the year 1": lambda p: p.write_bytes(a_kept_session(ended_at="0001-01-01T00:00:00.000+00:00")),
    "a FIFO": lambda p: os.mkfifo(p),
    "a folder": lambda p: p.mkdir(),
    "a link loop": lambda p: p.symlink_to(p.name),
    "huge": lambda p: p.write_bytes(b" " * (16 * 1024 * 1024 + 1)),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_kept_file_that_is_not_one_is_set_aside_and_said_once(path: Path, kind: str) -> None:
    bad = path.with_name(f"{path.name}.unsaved-1-\x1b[31m.json")
    HOSTILE[kind](bad)
    history = History.open(path)
    assert history.sessions() == []
    [problem] = history.problems
    assert problem.startswith(f"A kept session, {bad.name}, cannot be read (")
    assert problem.endswith(f"it is left as {bad.name}.unreadable.")
    history.close()
    assert not os.path.lexists(bad)
    assert History.open(path).problems == []  # said once


def test_a_kept_file_another_spasmtimer_has_just_added_is_not_said_to_be_unreadable(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = path.with_name(f"{path.name}.unsaved-1-gone.json")  # listed, then removed
    monkeypatch.setattr("spasmtimer.history.kept.kept_files", lambda database: [gone])
    history = History.open(path)
    assert add_kept(history.connection, path, T0) == []
    assert history.sessions() == []


def test_a_kept_run_older_than_its_row_adds_its_events_and_leaves_the_row(
    path: Path,
) -> None:
    """A resumed session kept aside, then resumed again from the history before the file was
    added: the later run's row stands."""
    later = T0 + timedelta(minutes=10)
    first = a_session_ended(path, completed=True, at=later, done=55)
    kept = a_kept_session(
        id=first,
        status="stopped",
        done_seconds=15,
        position=15,
        ended_at="2026-11-02T09:05:00.000+00:00",
        updated_at="2026-11-02T09:05:00.000+00:00",
        events=(("pause", "2026-11-02T09:04:00.000+00:00", 15.0, 1, None),),
    )
    path.with_name(f"{path.name}.unsaved-1-old.json").write_bytes(kept)
    history = History.open(path)
    [row] = history.sessions()
    assert (row.status, row.done_seconds, row.ended_at) == ("completed", 55, later)
    assert [event[0] for event in history.events(first)] == ["pause"]


def test_events_alike_to_the_millisecond_are_each_added_once(path: Path) -> None:
    """Two presses of +5 s in one read of the keyboard: two events, not one, and not four."""
    twins = tuple(("adjust", "2026-11-02T09:00:10.000+00:00", 10.0, 1, 5.0) for _ in range(2))
    kept = a_kept_session(events=twins)
    file = path.with_name(f"{path.name}.unsaved-1-twins.json")
    file.write_bytes(kept)
    [(_, events)] = contents(path)
    assert [event[0] for event in events] == ["adjust", "adjust"]
    file.write_bytes(kept)  # added again
    [(_, events)] = contents(path)
    assert [event[0] for event in events] == ["adjust", "adjust"]


def test_a_session_kept_by_the_version_before_is_still_added(path: Path) -> None:
    """A kept file as spasmtimer wrote it before sessions had an id: an upgrade in between
    loses nothing."""
    before = {
        "program": "p",
        "title": "P",
        "path": "/p.toml",
        "content_hash": "x",
        "level": 0,
        "planned_seconds": 55,
        "started_at": "2026-11-02T09:00:00.000+00:00",
        "host": "h",
        "pid": 1,
        "status": "completed",
        "ended_at": "2026-11-02T09:01:00.000+00:00",
        "updated_at": "2026-11-02T09:01:00.000+00:00",
        "done_seconds": 55,
        "position": 55,
        "pain_before": 5,
        "pain_after": 3,
        "notes": "kept",
        "rated": True,
        "resumes": None,
        "events": [["adjust", "2026-11-02T09:00:10.000+00:00", 10.0, 1, 5.0]],
    }
    path.with_name(f"{path.name}.unsaved-1-old.json").write_bytes(msgspec.json.encode(before))
    history = History.open(path)
    [row] = history.sessions()
    assert (row.program, row.status, row.pain_before, row.pain_after, row.notes) == (
        "p",
        "completed",
        5,
        3,
        "kept",
    )
    assert [e[0] for e in history.events(row.id)] == ["adjust"]
    assert history.problems == [] and kept_files(path) == []
