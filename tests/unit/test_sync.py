"""One history across machines, through a folder a sync tool carries: two homes on one
machine converge; levels follow; and what sync tools do to files (conflict copies, lines cut
short, files repeated, clocks apart, files from a later version) loses and doubles nothing."""

from __future__ import annotations

import json
import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spasmtimer.base import files
from spasmtimer.history import sync
from spasmtimer.history.store import History
from tests.history_support import Past
from tests.sync_support import Machine, at, ids, machines


def own_file(machine: Machine, folder: Path) -> Path:
    return folder / f"{_machine_id(machine)}.sessions.jsonl"


def _machine_id(machine: Machine) -> str:
    with machine.on():
        from spasmtimer.base.locations import history_file

        history = History.open(history_file())
        try:
            return sync.machine_id(history.connection)
        finally:
            history.close()


def test_sessions_on_both_machines_converge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)), Past("desk-break", 1, at(2)))
    b.record(Past("gentle-mobility", 0, at(2, 18)))
    first_a = a.sessions(capsys)  # writes A's out (and finds nothing of B's yet)
    both_b = b.sessions(capsys)  # takes A's in, writes B's out
    both_a = a.sessions(capsys)  # takes B's in
    assert len(first_a) == 2
    assert ids(both_a) == ids(both_b) and len(both_a) == 3
    # Nothing more moves, and nothing doubles, however often they look.
    for _ in range(2):
        assert ids(a.sessions(capsys)) == ids(b.sessions(capsys)) == ids(both_a)
    # Each writes only its own file, and the SQLite history never goes in the folder.
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and all(n.endswith(".sessions.jsonl") for n in names)


def test_a_level_earned_on_one_machine_is_the_level_on_the_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, _ = machines(tmp_path)
    a.record(*(Past("desk-break", n, at(1 + n)) for n in range(3)))
    a.command(capsys, "history")
    status, out, _ = b.command(capsys, "plan", "desk-break", "--json")
    assert status == 0 and json.loads(out)["level"] == 3


def test_ratings_given_after_a_session_reach_the_other_machine_and_an_old_copy_undoes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    [sid] = a.record(Past("desk-break", 0, at(1), before=5, after=3, notes="easier"))
    a.sessions(capsys)
    mine = own_file(a, folder)
    # An old copy: the session as it was before its ratings (its end alone), under a
    # Syncthing conflict copy's name, read after the newer one.
    [line] = [json.loads(x) for x in mine.read_text().splitlines()]
    stale = dict(
        line,
        session=dict(
            line["session"], pain_after=None, notes=None, updated_at=line["session"]["ended_at"]
        ),
    )
    [taken] = b.sessions(capsys)
    conflict = folder / (
        mine.name.removesuffix(".jsonl") + ".sync-conflict-20261207-101010-ABCDEFG.jsonl"
    )
    conflict.write_text(json.dumps(stale) + "\n")
    [kept] = b.sessions(capsys)
    assert kept["id"] == taken["id"] == sid
    assert (kept["pain_after"], kept["notes"]) == (3, "easier")


def test_a_conflict_copy_and_a_repeated_file_double_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(*(Past("desk-break", 0, at(n)) for n in (1, 2, 3)))
    a.sessions(capsys)
    mine = own_file(a, folder)
    shutil.copy(mine, folder / "copy of it.jsonl")
    shutil.copy(mine, folder / (mine.stem + " (Someone's conflicted copy 2026-12-07).jsonl"))
    assert len(b.sessions(capsys)) == 3
    # A's own file copied back to A under another name: A's sessions, not doubled either.
    assert len(a.sessions(capsys)) == 3


def test_a_line_cut_short_is_said_once_and_read_when_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)), Past("desk-break", 0, at(2)))
    a.sessions(capsys)
    mine = own_file(a, folder)
    whole = mine.read_bytes()
    mine.write_bytes(whole[: whole.index(b"\n") + 40])  # the second line carried half-way
    _, out, err = b.command(capsys, "history", "--json")
    assert len(json.loads(out)) == 1
    assert err.count("is not whole yet") == 1
    _, out, err = b.command(capsys, "history", "--json")
    assert "is not whole yet" not in err  # said once
    mine.write_bytes(whole)
    assert len(b.sessions(capsys)) == 2


def test_clocks_minutes_apart_lose_and_double_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, _ = machines(tmp_path)
    ahead = datetime.now(UTC) + timedelta(minutes=20)  # A's clock is 20 minutes fast
    [sid] = a.record(Past("desk-break", 0, ahead))
    a.sessions(capsys)
    [taken] = b.sessions(capsys)
    assert taken["id"] == sid
    # In B's past it counts nowhere yet (a session in the future), but it is there: once B's
    # clock passes it, it counts; it is never taken in twice.
    assert len(b.sessions(capsys)) == 1
    _, out, _ = b.command(capsys, "plan", "desk-break", "--json")
    assert json.loads(out)["level"] in (0, 1)


def test_a_file_from_a_later_version_is_left_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    line = json.loads(own_file(a, folder).read_text())
    later = dict(line, version=2, session={**line["session"], "id": "later-1", "new": [1]})
    (folder / "newer.sessions.jsonl").write_text(json.dumps(later) + "\n")
    status, out, err = b.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1
    assert "written by a later spasmtimer" in err


@pytest.mark.parametrize(
    "hostile",
    [
        b"\x00\x01\x02 binary\n",
        b"{}\n",
        b'{"format": "spasmtimer-sessions", "version": 1, "machine": "x", "session": {"id": 3}}\n',
        b"not json at all\n" * 3,
        b'{"format": "spasmtimer-sessions", "version": 1, "machine": "../../etc", "session": {}}\n',
        b'{"format": "spasmtimer-sessions", "version": 1, "machine": "m", "session": '
        b'{"id": "x", "program": "p", "title": "t", "path": "/", "content_hash": "",'
        b' "level": -1}}\n',
    ],
)
def test_a_line_that_is_no_session_is_passed_over_and_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile: bytes
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    (folder / "odd.jsonl").write_bytes(hostile)
    status, out, err = b.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1
    assert "that are no session: passed over" in err
    assert "Traceback" not in err


def test_what_is_not_a_file_in_the_folder_is_passed_over_without_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    os.mkfifo(folder / "fifo.jsonl")  # opening it to read would wait for a writer for ever
    os.symlink("loop.jsonl", folder / "loop.jsonl")
    (folder / "folder.jsonl").mkdir()
    status, out, err = b.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1
    assert "fifo.jsonl is a FIFO (a named pipe), not a file: passed over" in err
    assert "folder.jsonl is a folder, not a file" in err
    assert "loop.jsonl cannot be read: Too many levels of symbolic links" in err
    # Said once: the next command, with nothing changed, says nothing of them.
    assert b.command(capsys, "history", "--json")[2] == ""


def test_a_file_unchanged_since_is_not_opened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(*(Past("desk-break", 0, at(n)) for n in (1, 2)))
    a.sessions(capsys)
    b.sessions(capsys)
    opened: list[tuple[Path, int]] = []
    real = files.read_regular_part

    def counting(path: Path, start: int, *args: object) -> object:
        opened.append((Path(path), start))
        return real(path, start, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sync, "read_regular_part", counting)
    b.sessions(capsys)
    assert opened == []
    # One more session on A: only what was added is read, from where B left off.
    a.record(Past("desk-break", 0, at(3)))
    a.sessions(capsys)
    read_before = (
        own_file(a, folder).stat().st_size
        - len(own_file(a, folder).read_bytes().splitlines()[-1])
        - 1
    )
    assert len(b.sessions(capsys)) == 3
    # Read: the bytes before where B left off (to see they are unchanged), then the rest.
    assert opened and all(start >= read_before - sync.TAIL for _, start in opened)


def test_a_line_cut_short_in_this_machines_own_file_is_dropped_before_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    mine = own_file(a, folder)
    with mine.open("ab") as f:
        f.write(b'{"format": "spasmtimer-sessions", "vers')  # a crash mid-write
    a.record(Past("desk-break", 0, at(2)))
    a.sessions(capsys)
    # The line cut short is gone; the file was not as this machine left it, so all its sessions
    # went out again, which readers take once.
    lines = mine.read_bytes().splitlines()
    assert all(json.loads(line)["format"] == sync.FORMAT for line in lines)
    assert len({json.loads(line)["session"]["id"] for line in lines}) == 2
    assert len(b.sessions(capsys)) == 2


def test_a_sync_folder_that_is_not_there_is_said_and_nothing_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = Machine(tmp_path / "a", None)
    a.set_folder(tmp_path / "nowhere")
    a.record(Past("desk-break", 0, at(1)))
    status, out, err = a.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1
    assert "is not there" in err


# --- sync HOST: the exchange over a pair of pipes (over a real sshd: tests/system) ----------


def far_end(machine: Machine) -> str:
    """What `--remote-command` runs: spasmtimer in the other machine's home."""
    home = machine.home
    return (
        f"env HOME={home} XDG_CONFIG_HOME={home / '.config'} "
        f"XDG_DATA_HOME={home / '.local' / 'share'} XDG_CACHE_HOME={home / '.cache'} "
        f"{sys.executable} -m spasmtimer sync --serve"
    )


# An "ssh" that runs the far end's command here: the arguments are "--", the host, the command.
LOCAL_SSH = "sh -c 'exec sh -c \"$3\"' ssh"


def test_sync_host_gives_each_side_every_session_of_both_and_then_moves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = Machine(tmp_path / "a", None), Machine(tmp_path / "b", None)  # no sync folder
    a.record(Past("desk-break", 0, at(1)), Past("desk-break", 1, at(2), before=4, after=2))
    b.record(Past("gentle-mobility", 0, at(3)))
    argv = ("sync", "box", "--ssh", LOCAL_SSH, "--remote-command", far_end(b))
    status, out, err = a.command(capsys, *argv, "--dry-run")
    assert (status, out) == (0, "Would take 1 session from box and give it 2.\n"), err
    assert len(b.sessions(capsys)) == 1  # a dry run moves nothing
    status, out, err = a.command(capsys, *argv)
    assert (status, out) == (0, "Took 1 session from box and gave it 2.\n"), err
    assert ids(a.sessions(capsys)) == ids(b.sessions(capsys))
    assert len(a.sessions(capsys)) == 3
    [rated] = [s for s in b.sessions(capsys) if s["level"] == 1]
    assert (rated["pain_before"], rated["pain_after"]) == (4, 2)
    status, out, _ = a.command(capsys, *argv)
    assert out == "Took 0 sessions from box and gave it 0.\n"


def test_sync_host_says_why_when_the_far_end_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = Machine(tmp_path / "a", None)
    a.record(Past("desk-break", 0, at(1)))
    status, _, err = a.command(
        capsys, "sync", "box", "--ssh", LOCAL_SSH, "--remote-command", "no-such-spasmtimer"
    )
    assert status == 1
    assert "spasmtimer was not found at the far end" in err
    for host in ("-oProxyCommand=touch x", "two words", "new\nline"):
        status, _, err = a.command(capsys, "sync", host)
        assert status == 1 and "is not a host ssh can be given" in err
    assert not Path("x").exists()


def test_status_takes_in_what_is_new_and_otherwise_only_looks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = machines(tmp_path)
    b.sessions(capsys)  # B's history, as it is before A's news
    a.record(Past("desk-break", 0, datetime.now(UTC) - timedelta(minutes=30)))
    a.sessions(capsys)
    opened: list[Path] = []
    real_open = History.open.__func__  # type: ignore[attr-defined]

    def counting(cls: type[History], path: Path, *args: object) -> History:
        opened.append(path)
        opened_history: History = real_open(cls, path, *args)
        return opened_history

    monkeypatch.setattr(History, "open", classmethod(counting))
    status, out, _ = b.command(capsys, "status", "desk-break")
    assert status == 0 and "1 today" in out
    assert len(opened) == 1  # opened to write once, to take A's session in
    status, out, _ = b.command(capsys, "status", "desk-break")
    assert "1 today" in out and len(opened) == 1  # nothing new: only looked


# --- what a review found -------------------------------------------------------------------


def test_a_line_nested_a_thousand_deep_is_no_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    deep = b'{"format": "spasmtimer-sessions", "version": 1, "machine": "m", "session": '
    (folder / "deep.jsonl").write_bytes(deep + b"[" * 5000 + b"]" * 5000 + b"}\n")
    status, out, err = b.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1
    assert "no session: passed over" in err and "internal error" not in err


def test_a_link_to_a_file_that_reads_on_for_ever_is_read_as_what_its_size_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    os.symlink("/proc/self/pagemap", folder / "pagemap.jsonl")  # size 0; reads gigabytes
    status, out, _ = b.command(capsys, "history", "--json")
    assert status == 0 and len(json.loads(out)) == 1


def test_lines_of_a_later_version_are_taken_once_this_version_knows_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    line = json.loads(own_file(a, folder).read_text())
    later = dict(line, version=2, session={**line["session"], "id": "later-1"})
    (folder / "newer.sessions.jsonl").write_text(json.dumps(later) + "\n")
    assert len(b.sessions(capsys)) == 1
    monkeypatch.setattr(sync, "VERSION", 2)  # spasmtimer upgraded on B
    assert ids(b.sessions(capsys)) == sorted([line["session"]["id"], "later-1"])


def test_a_new_sync_folder_gets_every_session_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, _ = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)), Past("desk-break", 0, at(2)))
    a.sessions(capsys)
    moved = tmp_path / "Elsewhere"
    moved.mkdir()
    a.set_folder(moved)
    b.set_folder(moved)
    a.sessions(capsys)
    assert len(b.sessions(capsys)) == 2


def test_senders_at_once_send_each_change_once_in_whole_lines(tmp_path: Path) -> None:
    """Four processes' sends at once (a status line taking news in while the app sends): one
    at a time, so each change goes out once; and after a crash left a line cut short, whole
    lines, every session, no NUL."""
    import threading

    a, _, folder = machines(tmp_path)
    with a.on():
        from spasmtimer.base.locations import history_file

        first = History.open(history_file())
        machine = sync.machine_id(first.connection)
        first.close()
    mine = folder / f"{machine}.sessions.jsonl"
    failed: list[BaseException] = []

    def send_at_once() -> None:
        start = threading.Barrier(4)

        def send() -> None:  # as another process would: a connection of its own
            with a.on():
                history = History.open(history_file())
            try:
                start.wait()
                sync.send_out(history.connection, folder, machine)
            except BaseException as e:
                failed.append(e)
            finally:
                history.close()

        threads = [threading.Thread(target=send) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    for round_ in range(5):
        a.record(
            *(Past("desk-break", 0, at(1, 8 + round_) + timedelta(minutes=n)) for n in range(10))
        )
        send_at_once()
        assert len(mine.read_bytes().splitlines()) == 10 * (round_ + 1)  # none sent twice
    with mine.open("ab") as f:
        f.write(b'{"format": "spasmtimer-sessions", "ver')  # a crash mid-write
    a.record(Past("desk-break", 0, at(2)))
    send_at_once()
    assert failed == []
    data = mine.read_bytes()
    assert b"\0" not in data and data.endswith(b"\n")
    assert len({json.loads(line)["session"]["id"] for line in data.splitlines()}) == 51


def test_a_history_copied_to_another_host_writes_a_file_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, folder = machines(tmp_path)
    a.record(Past("desk-break", 0, at(1)))
    a.sessions(capsys)
    before = _machine_id(a)
    monkeypatch.setattr(sync, "host_name", lambda: "the-new-laptop")
    after = _machine_id(a)
    assert after != before and after.startswith("the-new-laptop-")
    a.sessions(capsys)
    assert (folder / f"{after}.sessions.jsonl").exists()


def test_a_row_another_program_added_without_an_id_is_sent_once_it_has_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, _ = machines(tmp_path)
    [sid] = a.record(Past("desk-break", 0, at(1)))
    with a.on():
        from spasmtimer.base.locations import history_file

        history = History.open(history_file())
        with history.connection as db:  # as another program would add a row: no id, no number
            db.execute(
                "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
                "ended_at, updated_at, status, planned_seconds, done_seconds, host, pid) "
                "SELECT program, title, path, content_hash, level, "
                "replace(started_at, '2026-12-01', '2026-12-02'), "
                "replace(ended_at, '2026-12-01', '2026-12-02'), "
                "replace(updated_at, '2026-12-01', '2026-12-02'), status, planned_seconds, "
                "done_seconds, host, pid FROM sessions WHERE uid = ?",
                (sid,),
            )
        history.close()
    a.sessions(capsys)
    assert len(b.sessions(capsys)) == 2
    assert len(b.sessions(capsys)) == 2  # and never again under another id
