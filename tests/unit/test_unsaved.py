"""A session the history cannot take by exit is kept beside it, and added at the next open."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from spasmtimer.history.kept import KeptSession, add_kept, kept_files
from spasmtimer.history.recording import HistoryWriter, SessionRecorder
from spasmtimer.history.records import SessionRecord, host_name
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


def test_a_session_locked_out_from_its_start_is_kept_and_added_next_time(
    path: Path, tmp_path: Path, recorded_freely: Contents
) -> None:
    with locked(path):
        said = record(path, tmp_path)
        [kept] = kept_files(path)
        assert contents(path) == []  # nothing of it could be written meanwhile
    assert said[-1] == (
        "History: not saved yet (it is locked by another program): kept in "
        f"{kept}, and added to the history the next time spasmtimer runs a session or shows "
        "the history."
    )
    assert kept.stat().st_mode & 0o777 == 0o600
    assert contents(path) == recorded_freely
    assert kept_files(path) == []


def test_a_session_locked_out_after_its_start_is_completed_not_doubled(
    path: Path, tmp_path: Path, recorded_freely: Contents
) -> None:
    # The start and its first event are written; then another program takes the lock.
    holder = locked(path)
    record(path, tmp_path, after_start=holder.__enter__)
    try:
        [row] = History.open(path).sessions()
        assert row.status == "running"  # as a crash would leave it, until the lock goes
    finally:
        holder.__exit__(None, None, None)
    assert contents(path) == recorded_freely


def test_adding_a_kept_session_twice_changes_nothing(
    path: Path, tmp_path: Path, recorded_freely: Contents
) -> None:
    with locked(path):
        record(path, tmp_path)
    [kept] = kept_files(path)
    copy = tmp_path / "copy.json"
    shutil.copyfile(kept, copy)
    assert contents(path) == recorded_freely
    # As if killed between adding it and removing the file.
    shutil.copyfile(copy, kept)
    assert contents(path) == recorded_freely
    assert kept_files(path) == []


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


def test_a_resumed_session_locked_out_at_its_end_is_added_to_its_own_row(
    path: Path, tmp_path: Path
) -> None:
    first = a_session_ended(path, completed=False, at=T0, done=20)
    [stopped] = History.open(path).sessions()
    with locked(path):
        record(path, tmp_path, resuming=stopped)
    [row] = History.open(path).sessions()
    assert (row.id, row.status, row.started_at) == (first, "completed", T0)
    assert (row.pain_before, row.pain_after, row.notes) == (6, 3, "easier today")
    kinds = [event[0] for event in History.open(path).events(first)]
    assert kinds == ["start", "pause", "resume", "adjust"]


def test_a_history_still_locked_at_the_next_open_keeps_the_file_for_later(
    path: Path, tmp_path: Path, recorded_freely: Contents
) -> None:
    with locked(path):
        record(path, tmp_path)
        history = History.open(path)
        assert (history.sessions(), history.problems) == ([], [])
        history.close()
        assert len(kept_files(path)) == 1
    assert contents(path) == recorded_freely


def test_sessions_kept_one_after_the_other_are_each_added(path: Path, tmp_path: Path) -> None:
    with locked(path):
        record(path, tmp_path)
        record(path, tmp_path, wall=WallClock(T0 + timedelta(hours=1)))
        assert len(kept_files(path)) == 2
    first, second = contents(path)
    assert (first[0].started_at, second[0].started_at) == (T0, T0 + timedelta(hours=1))
    assert first[1] != second[1]  # each has its own events


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
    "host": "h",
    "pid": 1,
    "type": "kept-2",
}


def a_kept_session(**changes: object) -> bytes:
    """A kept session's file as spasmtimer writes it, with ``changes`` to its session's fields
    (``events``, ``host``, ``pid`` and ``final`` are the file's own)."""
    kept = dict(KEPT_SESSION)
    session = dict(kept["session"])  # type: ignore[call-overload]
    for key, value in changes.items():
        if key in ("events", "host", "pid", "final"):
            kept[key] = value
        else:
            session[key] = value
    kept["session"] = session
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


def test_a_kept_file_that_cannot_be_removed_is_added_again_to_no_effect(
    path: Path, tmp_path: Path, recorded_freely: Contents, monkeypatch: pytest.MonkeyPatch
) -> None:
    with locked(path):
        record(path, tmp_path)
    real_unlink = Path.unlink

    def read_only_folder(self: Path, missing_ok: bool = False) -> None:
        if ".unsaved-" in self.name:
            raise PermissionError(13, "Permission denied")
        real_unlink(self, missing_ok)

    with monkeypatch.context() as patched:
        patched.setattr(Path, "unlink", read_only_folder)
        assert contents(path) == recorded_freely
        assert len(kept_files(path)) == 1
        assert contents(path) == recorded_freely  # and again: nothing doubled
    assert contents(path) == recorded_freely
    assert kept_files(path) == []


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


def test_a_session_waiting_on_the_lock_is_kept_as_it_goes_until_written(
    path: Path, tmp_path: Path
) -> None:
    """Kept while it waits, so that a kill -9 meanwhile loses no more than it would of a
    session written; left alone by other opens while its process lives; gone once written."""
    said: list[str] = []
    history = History.open(path, now=WallClock())
    clock = FakeClock()
    timeline = program_timeline(tmp_path)
    writer = HistoryWriter(path, warn=said.append)
    recorder = SessionRecorder(
        history, writer, program="p", title="P", path="/p.toml", timeline=timeline
    )
    session = Session(timeline, clock)
    with locked(path):
        session.start()
        recorder.started(session, pain_before=6)
        clock.advance(8)
        session.pause()
        recorder.sync(session)
        deadline = time.monotonic() + 10
        while not (files := kept_files(path)) and time.monotonic() < deadline:
            time.sleep(0.05)  # the writer's thread: waiting out the lock
        [kept] = files
        while time.monotonic() < deadline:  # until it has the pause as well
            live = msgspec.json.decode(kept.read_bytes(), type=KeptSession)
            if len(live.events) == 2:
                break
            time.sleep(0.05)
        assert (live.final, live.session.status, live.session.done_seconds) == (
            False,
            "stopped",
            8,
        )
        assert [event.kind for event in live.events] == ["start", "pause"]
        other = History.open(path)  # its process is alive: not added from here
        assert (other.sessions(), other.problems) == ([], [])
        other.close()
        assert kept.exists()
    assert writer.flush(5)
    assert kept_files(path) == []
    [row] = history.sessions()
    assert (row.status, row.done_seconds) == ("running", 8)
    writer.close(GIVE_UP)
    assert said == [
        "History: it is locked by another program; the session goes on and is saved when it "
        "can be.",
        "History: writing again.",
    ]


def test_a_session_kept_as_it_goes_by_a_process_now_gone_is_added(path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    live = a_kept_session(final=False, status="stopped", pid=int(gone.stdout), host=host_name())
    path.with_name(f"{path.name}.unsaved-1-live.json").write_bytes(live)
    [row] = History.open(path).sessions()
    assert (row.program, row.status) == ("p", "stopped")


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
