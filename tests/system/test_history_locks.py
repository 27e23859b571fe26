"""The history under real locks, real processes and the real clock: another program holding
its lock (the session kept beside it and added later), a writer that cannot write, a process
killed, processes opening it together. Out of the unit layer, which runs on a fake clock only.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from spasmtimer.history.database import READ_TIMEOUT
from spasmtimer.history.kept import KeptSession, kept_files
from spasmtimer.history.recording import HistoryWriter, SessionRecorder
from spasmtimer.history.records import host_name
from spasmtimer.history.store import History
from spasmtimer.session.engine import Session
from tests.support import FakeClock
from tests.unit.test_history import T0, WallClock, begin_running, history, program_timeline, wall
from tests.unit.test_history import record as record_past
from tests.unit.test_unsaved import (
    GIVE_UP,
    Contents,
    a_kept_session,
    a_session_ended,
    contents,
    locked,
    path,
    record,
    recorded_freely,
)

__all__ = ["history", "path", "recorded_freely", "wall"]  # fixtures, used by name


def test_a_history_that_cannot_be_written_never_holds_up_the_session(
    history: History, clock: FakeClock, tmp_path: Path
) -> None:
    warnings: list[str] = []
    timeline = program_timeline(tmp_path)
    session = Session(timeline, clock)
    # A database in a folder that is not there: every write fails, and is tried again.
    writer = HistoryWriter(tmp_path / "gone" / "h.sqlite3", warn=warnings.append)
    recorder = SessionRecorder(
        history, writer, program="p", title="P", path="/p.toml", timeline=timeline
    )
    started = time.monotonic()
    session.start()
    recorder.started(session, None)
    clock.advance(3)
    session.pause()
    recorder.sync(session)
    session.stop()
    recorder.sync(session)
    recorder.rated(1, 2, None)
    assert time.monotonic() - started < 0.1  # nothing above waited for the disk
    writer.close(0.3)
    assert warnings == [
        "History: it cannot be opened; the session goes on and is saved when it can be.",
        # Nor beside it: its folder is not there.
        "History: 5 changes not saved: it cannot be opened; nor kept aside: No such file or "
        "directory.",
    ]


def test_a_crashed_session_is_recovered_as_stopped(tmp_path: Path, wall: WallClock) -> None:
    path = tmp_path / "h.sqlite3"
    history = History.open(path, now=wall)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # a process that has certainly ended
    session_id = begin_running(history)
    heard = T0 + timedelta(seconds=42)
    history.add_events(session_id, [], done_seconds=42, updated_at=heard)
    history.connection.execute("UPDATE sessions SET pid = ? WHERE uid = ?", (child.pid, session_id))
    history.connection.commit()
    history.close()
    [row] = History.open(path, now=wall).sessions()
    assert (row.status, row.ended_at, row.done_seconds) == ("stopped", heard, 42)


def _open_when_told(path: Path, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()
    History.open(path).close()  # raises, and so exits non-zero, if it cannot be had


def test_processes_creating_the_history_together_all_open_it(tmp_path: Path) -> None:
    # Two sessions started at once must both be recorded: opening a history that another
    # process is creating this very moment once failed now and then with "locked".
    context = multiprocessing.get_context("fork")
    for attempt in range(15):
        path = tmp_path / str(attempt) / "history.sqlite3"
        start = context.Barrier(6)
        openers = [context.Process(target=_open_when_told, args=(path, start)) for _ in range(6)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=30)
        assert [opener.exitcode for opener in openers] == [0] * 6, f"attempt {attempt}"
        assert not list(path.parent.glob("*unreadable*"))


def test_a_history_held_longer_than_one_lock_wait_is_still_opened(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE someone_elses (x)").connection.close()
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:  # another program, in the rollback mode a new file starts in
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        locked.set()
        release.wait(10)
        holder.execute("ROLLBACK")
        holder.close()

    holder = threading.Thread(target=hold)
    holder.start()
    locked.wait(10)
    threading.Timer(READ_TIMEOUT * 1.5, release.set).start()
    try:
        history = History.open(path)
    finally:
        release.set()
        holder.join()
    assert history.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    record_past(history, 0)
    assert len(history.sessions()) == 1


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
