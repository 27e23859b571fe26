"""Faults from outside, on real processes: signals at any moment, another program holding the
history's lock, a full disk, closed standard streams.

docs/history.md, "Nothing lost, whatever happens": the session is recorded (a kill -9 loses at
most 2 seconds of it), the timer never waits for the disk, nothing already recorded is lost,
and the database is never moved aside or left corrupt.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spasmtimer.history.records import SessionRecord
from spasmtimer.history.store import History
from tests.pty_support import Pty

HOLD = 'title = "Long hold"\nprepare = 0\n[[steps]]\ntype = "stretch"\nhold = 60\n'
SECONDS = (
    'title = "Seconds"\nprepare = 0\n[[steps]]\ntype = "stretch"\nhold = 1\nreps = {n}\nrest = 0\n'
)


def environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "TERM": "xterm-256color",
    }


def history_path(home: Path) -> Path:
    return home / "data" / "spasmtimer" / "history.sqlite3"


def sessions(home: Path) -> list[SessionRecord]:
    """The sessions as the next run of spasmtimer sees them (which recovers dead ones)."""
    path = history_path(home)
    if not path.exists():
        return []
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    history = History.open(path)
    try:
        return history.sessions()
    finally:
        history.close()


def assert_recorded_truly(home: Path, signalled_at: datetime) -> None:
    """If the session had started, it is recorded as stopped, its done time within 2 s of the
    time it really ran."""
    found = sessions(home)
    assert len(found) <= 1
    if found:
        [row] = found
        assert row.status == "stopped"
        truth = (signalled_at - row.started_at).total_seconds()
        assert abs(row.done_seconds - truth) <= 2.0, (row.done_seconds, truth)
    assert not list(history_path(home).parent.glob("*unreadable*"))


EXPECTED_STATUS: dict[int, set[int]] = {
    signal.SIGINT: {130},
    signal.SIGTERM: {143, -signal.SIGTERM},  # -15: killed before Python handled anything
    signal.SIGHUP: {129, -signal.SIGHUP},
    signal.SIGKILL: {-signal.SIGKILL},
}
MOMENTS = random.Random(20261121).sample([round(0.05 * n, 2) for n in range(1, 40)], 6)
"""When the signal comes, in seconds after the process starts: during start-up, and once the
session runs (the same moments every run, so that a failure can be repeated)."""


@pytest.mark.parametrize("signum", list(EXPECTED_STATUS), ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("moment", MOMENTS)
def test_a_signal_at_any_moment_of_a_plain_run(tmp_path: Path, signum: int, moment: float) -> None:
    program = tmp_path / "hold.toml"
    program.write_text(HOLD)
    run = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(tmp_path),
        text=True,
    )
    time.sleep(moment)
    run.send_signal(signum)
    signalled_at = datetime.now(UTC)
    _, err = run.communicate(timeout=15)
    assert run.returncode in EXPECTED_STATUS[signum], (run.returncode, err)
    assert "Traceback" not in err
    assert_recorded_truly(tmp_path, signalled_at)


def app_of_a_long_hold(home: Path) -> list[str]:
    """The app's command line for a minute's hold, the safety notice seen."""
    program = home / "hold.toml"
    program.write_text(HOLD)
    safety = home / "data" / "spasmtimer"
    safety.mkdir(parents=True)
    (safety / "safety-seen").touch()
    return [sys.executable, "-m", "spasmtimer", "run", str(program)]


@pytest.mark.parametrize("signum", list(EXPECTED_STATUS), ids=lambda s: signal.Signals(s).name)
@pytest.mark.parametrize("moment", [0.1, 0.4, 1.0, 2.5])
def test_a_signal_at_any_moment_of_the_app(tmp_path: Path, signum: int, moment: float) -> None:
    argv = app_of_a_long_hold(tmp_path)
    with Pty(argv, env=environment(tmp_path)) as app:
        deadline = time.monotonic() + moment
        while time.monotonic() < deadline:
            app._read(0.05)
        os.kill(app.pid, signum)
        signalled_at = datetime.now(UTC)
        status = app.wait(timeout=15)
    assert status in EXPECTED_STATUS[signum], status
    assert b"Traceback" not in app.output
    assert_recorded_truly(tmp_path, signalled_at)


APP_WITH = """
import os, signal, sys
{prelude}
sys.argv = ["spasmtimer", *{arguments!r}]
import spasmtimer.__main__
spasmtimer.__main__.main()
"""
"""The app (`app_of_a_long_hold`), with a ``prelude`` run first."""

SIGNALLED_AS = """
from {module} import {cls} as patched
original = patched.{method}
def signalled_first(self, *args, **kwargs):
    os.kill(os.getpid(), {signum})
    return original(self, *args, **kwargs)
patched.{method} = signalled_first
"""
"""A prelude: the app sends itself a signal at one exact moment, as ``module.cls.method`` is
called."""


def app_with(argv: list[str], prelude: str) -> list[str]:
    return [sys.executable, "-c", APP_WITH.format(prelude=prelude, arguments=argv[3:])]


def app_signalled_as(
    argv: list[str], method: str, signum: int, *, cls: str = "SpasmtimerApp",
    module: str = "spasmtimer.app.app",
) -> list[str]:  # fmt: skip
    prelude = SIGNALLED_AS.format(module=module, cls=cls, method=method, signum=int(signum))
    return app_with(argv, prelude)


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: signal.Signals(s).name
)
@pytest.mark.parametrize(
    "moment",
    [
        "run_async",  # Textual's loop has started, and asyncio's own SIGINT handler is in place
        "_catch_signals",  # the terminal is the app's, which is about to take signals
    ],
)
def test_a_signal_as_the_app_starts_ends_it_with_its_status(
    tmp_path: Path, signum: int, moment: str
) -> None:
    # asyncio's SIGINT handler cancels Textual's main task, which Textual took for a clean
    # exit (status 0); SIGTERM and SIGHUP killed the app with the terminal in its modes.
    argv = app_signalled_as(app_of_a_long_hold(tmp_path), moment, signum)
    with Pty(argv, env=environment(tmp_path)) as app:
        status = app.wait(timeout=15)
    assert status == 128 + signum, (status, bytes(app.output)[-400:])
    assert b"Traceback" not in app.output
    output = bytes(app.output)
    if b"\x1b[?1049h" in output:  # the terminal was taken: it is given back
        assert output.rindex(b"\x1b[?1049l") > output.rindex(b"\x1b[?1049h")
    assert sessions(tmp_path) == []


def test_a_second_hang_up_while_the_history_is_saved_at_exit_is_held(tmp_path: Path) -> None:
    # bash sends its jobs a second SIGHUP as their terminal goes: it used to land while the
    # app wrote the session's last changes, and kill it there (status -1).
    argv = app_signalled_as(
        app_of_a_long_hold(tmp_path), "close", signal.SIGHUP,
        module="spasmtimer.history.service", cls="StoredHistory",
    )  # fmt: skip
    with Pty(argv, env=environment(tmp_path)) as app:
        app.read_until(b"HOLD")
        time.sleep(1)
        os.kill(app.pid, signal.SIGHUP)
        signalled_at = datetime.now(UTC)
        status = app.wait(timeout=15)
    assert status == 129, (status, bytes(app.output)[-400:])
    assert_recorded_truly(tmp_path, signalled_at)
    [record] = sessions(tmp_path)
    assert record.done_seconds > 0.5


def test_a_hang_up_ignored_as_the_app_starts_stays_ignored(tmp_path: Path) -> None:
    # `nohup spasmtimer run ...`: the session goes on through a SIGHUP.
    argv = app_with(app_of_a_long_hold(tmp_path), "signal.signal(signal.SIGHUP, signal.SIG_IGN)")
    with Pty(argv, env=environment(tmp_path)) as app:
        app.read_until(b"HOLD")
        os.kill(app.pid, signal.SIGHUP)
        time.sleep(1.5)
        assert app.status is None and os.waitpid(app.pid, os.WNOHANG) == (0, 0)
        app.send(b"\x03")
        assert app.wait(timeout=15) == 130


def test_a_terminal_that_goes_away_ends_the_app(tmp_path: Path) -> None:
    # Closing a tmux pane or an SSH connection: the terminal is gone, and the shell sends its
    # jobs SIGHUP and then SIGCONT (bash does). The app must not take the SIGCONT for a return
    # from Ctrl-Z and start drawing again on a terminal that is gone: it would hang for ever,
    # holding the history open.
    argv = app_of_a_long_hold(tmp_path)
    app = Pty(argv, env=environment(tmp_path))
    try:
        app.read_until(b"HOLD")
        os.close(app.fd)  # the terminal goes away: the app is sent SIGHUP by the kernel
        os.kill(app.pid, signal.SIGHUP)
        os.kill(app.pid, signal.SIGCONT)
        signalled_at = datetime.now(UTC)
        deadline = time.monotonic() + 15
        while not (ended := os.waitpid(app.pid, os.WNOHANG))[0]:
            assert time.monotonic() < deadline, "the app did not exit"
            time.sleep(0.05)
        app.status = os.waitstatus_to_exitcode(ended[1])
    finally:
        if app.status is None:
            os.kill(app.pid, signal.SIGKILL)
            os.waitpid(app.pid, 0)
    assert app.status in EXPECTED_STATUS[signal.SIGHUP], app.status
    assert_recorded_truly(tmp_path, signalled_at)


def stopped_within(pid: int, seconds: float) -> int:
    """The wait status of ``pid`` once it has stopped; fails, rather than waits for ever, if it
    has not within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found, status = os.waitpid(pid, os.WUNTRACED | os.WNOHANG)
        if found:
            return status
        time.sleep(0.02)
    raise AssertionError(f"the app did not stop within {seconds} s of SIGTSTP")


def test_the_app_suspended_and_continued_draws_again(tmp_path: Path) -> None:
    # The SIGCONT that does follow a suspend (Ctrl-Z in a shell, then `fg`) still resumes.
    argv = app_of_a_long_hold(tmp_path)
    with Pty(argv, env=environment(tmp_path)) as app:
        app.read_until(b"HOLD")
        os.kill(app.pid, signal.SIGTSTP)
        status = stopped_within(app.pid, 20)
        assert os.WIFSTOPPED(status)
        app.read_until(b"\x1b[?1049l")  # it gave the terminal back before stopping
        del app.output[:]
        os.kill(app.pid, signal.SIGCONT)
        app.read_until(b"\x1b[?1049h")  # and takes it again
        app.send(b" ")
        app.read_until(b"PAUSED")
        app.send(b"\x03")
        assert app.wait(timeout=10) == 130


# --- the history's lock held by another program ------------------------------------------


@contextmanager
def lock_held_by_another_program(path: Path) -> Iterator[None]:
    """A history at ``path``, whose write lock another program holds until the block ends."""
    History.open(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sqlite3, sys\ndb = sqlite3.connect({str(path)!r})\n"
            "db.execute('BEGIN EXCLUSIVE')\nprint('locked', flush=True)\nsys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout and holder.stdout.readline() == "locked\n"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_held_by_another_program_never_holds_up_the_timer(tmp_path: Path) -> None:
    """The lock is held for the first 3 seconds of a session of 1-second phases."""
    path = history_path(tmp_path)
    program = tmp_path / "seconds.toml"
    program.write_text(SECONDS.format(n=6))
    arrivals = []
    with lock_held_by_another_program(path):
        run = subprocess.Popen(
            [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment(tmp_path),
            text=True,
        )
        assert run.stdout and run.stderr
        for _ in range(3):
            run.stdout.readline()
            arrivals.append(time.monotonic())
    for _ in range(3):
        run.stdout.readline()
        arrivals.append(time.monotonic())
    assert run.wait(timeout=20) == 0
    err = run.stderr.read()
    # one phase a second, whatever the lock does
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(0.7 < gap < 1.3 for gap in gaps), gaps
    assert "locked by another program" in err and "Traceback" not in err
    [row] = sessions(tmp_path)
    assert (row.status, row.done_seconds) == ("completed", 6)
    assert not list(path.parent.glob("*unreadable*"))


def test_a_session_the_lock_outlasts_is_kept_and_added_by_the_next_command(
    tmp_path: Path,
) -> None:
    """The lock is held from before the session until after spasmtimer has given up waiting
    at exit: the session is kept beside the history, and the next `history` lists it."""
    path = history_path(tmp_path)
    with lock_held_by_another_program(path):
        program = tmp_path / "seconds.toml"
        program.write_text(SECONDS.format(n=2))
        run = subprocess.run(
            [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=environment(tmp_path),
            text=True,
            timeout=30,
        )
        assert run.returncode == 0
        [kept] = path.parent.glob("history.sqlite3.unsaved-*.json")
        assert (
            f"not saved yet (it is locked by another program): kept in {kept}, and added to "
            "the history the next time spasmtimer runs a session or shows the history."
            in run.stderr
        )
    listed = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "history", "--json"],
        capture_output=True,
        env=environment(tmp_path),
        text=True,
        timeout=30,
    )
    assert listed.returncode == 0, listed.stderr
    [session] = json.loads(listed.stdout)
    assert (session["program"], session["status"], session["done_seconds"]) == (
        "seconds",
        "completed",
        2,
    )
    assert not kept.exists()


def test_kill_9_while_the_lock_is_held_loses_at_most_2_seconds(tmp_path: Path) -> None:
    """docs/history.md: even kill -9 loses at most 2 seconds of a session. Under another program's lock
    nothing reaches the database; what is kept beside it does, and the next command adds it."""
    path = history_path(tmp_path)
    with lock_held_by_another_program(path):
        program = tmp_path / "seconds.toml"
        program.write_text(SECONDS.format(n=60))
        run = subprocess.Popen(
            [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=environment(tmp_path),
            text=True,
        )
        assert run.stdout
        for _ in range(6):  # phases of a second: 5 s into the session
            run.stdout.readline()
        run.kill()
        run.wait()
    [row] = sessions(tmp_path)
    assert row.status == "stopped"
    assert 5 - 2 <= row.done_seconds <= 5.5


# --- a full disk --------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """The history's folder on a tmpfs of 2 MiB (mounting needs root)."""
    folder = history_path(tmp_path).parent
    folder.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk under ``folder`` to the last byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        for size in (65536, 4096, 1):
            try:
                while f.write(b"\0" * size):
                    pass
            except OSError:
                pass  # full, at this size
    return filler


def test_a_full_disk_loses_nothing_recorded_and_waits(tmp_path: Path, small_disk: Path) -> None:
    path = history_path(tmp_path)
    history = History.open(path)
    for level in range(3):
        sid = history.begin(
            program="seconds",
            title="Seconds",
            path="/x",
            content_hash="h",
            level=level,
            planned_seconds=6,
            started_at=history.now(),
            pain_before=None,
        )
        history.end(sid, completed=True, ended_at=history.now(), done_seconds=6)
    history.close()
    program = tmp_path / "seconds.toml"
    program.write_text(SECONDS.format(n=6))
    run = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain", "--level", "3"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(tmp_path),
        text=True,
    )
    assert run.stdout and run.stderr
    run.stdout.readline()  # the session has begun
    filler = fill(small_disk)
    arrivals = [time.monotonic()]
    for n in range(5):
        run.stdout.readline()
        arrivals.append(time.monotonic())
        if n == 2:
            filler.unlink()  # space again, three seconds on
    assert run.wait(timeout=20) == 0
    err = run.stderr.read()
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(0.7 < gap < 1.3 for gap in gaps), gaps
    assert "the disk is full" in err and "Traceback" not in err
    found = sessions(tmp_path)
    assert [(r.level, r.status) for r in found] == [
        (0, "completed"),
        (1, "completed"),
        (2, "completed"),
        (3, "completed"),
    ]
    assert not list(small_disk.glob("*unreadable*"))


# --- odd command lines --------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "spasmtimer list >&-",
        "spasmtimer list 2>&- >&-",
        "spasmtimer plan desk-break >&-",
        "spasmtimer history >&-",
        "spasmtimer run {program} --plain <&- >&-",
        "spasmtimer run {program} --plain <&-",
        "spasmtimer check {program} <&- >&- 2>&-",
        "spasmtimer plan '~nosuchuser/x.toml'",
        "spasmtimer --version >&-",
    ],
)
def test_closed_streams_and_odd_paths_give_no_traceback(tmp_path: Path, command: str) -> None:
    program = tmp_path / "quick.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.2\n')
    script = shutil.which("spasmtimer", path=str(Path(sys.executable).parent))
    assert script is not None
    shell_command = command.replace("spasmtimer", script).format(program=program)
    # stderr is a file of its own, so that a command that closes it can still be checked
    err_file = tmp_path / "stderr"
    with err_file.open("w") as err:
        result = subprocess.run(
            ["sh", "-c", shell_command], stderr=err, env=environment(tmp_path), timeout=30
        )
    assert result.returncode in (0, 1), (result.returncode, err_file.read_text())
    assert "Traceback" not in err_file.read_text()
    assert not list(tmp_path.glob("data/spasmtimer/*unreadable*"))


def test_remind_plain_with_stdout_closed_says_so_rather_than_reminding_no_one(
    tmp_path: Path,
) -> None:
    script = shutil.which("spasmtimer", path=str(Path(sys.executable).parent))
    result = subprocess.run(
        ["sh", "-c", f"{script} remind desk-break --plain >&-"],
        capture_output=True,
        text=True,
        env=environment(tmp_path),
        timeout=30,
    )
    assert (result.returncode, result.stderr) == (
        1,
        "spasmtimer: remind --plain reminds on stdout, and it is closed\n",
    )


def test_a_session_killed_in_a_pid_namespace_is_not_running_for_ever(tmp_path: Path) -> None:
    """In a container the session's process is number 1 — always alive outside it: the
    session stayed "running", never stopped nor offered again (issue 23). Its start tells."""
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run(
        [unshare, "-fp", "--mount-proc", "true"], capture_output=True
    ).returncode:
        pytest.skip("no pid namespaces here (unshare -fp needs root or user namespaces)")
    program = tmp_path / "long.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 60\n')
    spasmtimer = str(Path(sys.executable).parent / "spasmtimer")
    inside = subprocess.Popen(
        [unshare, "-fp", "--mount-proc", "--kill-child", spasmtimer, "run", str(program), "--plain"],
        env=environment(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert inside.stdout is not None
    inside.stdout.readline()  # the first phase: the session is recorded, as process 1
    time.sleep(1.5)
    inside.kill()  # unshare, and with it (--kill-child) the session: no chance to say so
    inside.wait()
    [row] = sessions(tmp_path)  # read outside, where number 1 is this machine's init
    assert row.status == "stopped"


def test_a_history_on_a_read_only_mount_is_still_read(small_disk: Path, tmp_path: Path) -> None:
    """status and history could not read a history on a read-only mount at all: SQLite could
    not make the WAL's side files there (issue 23). It is read as it is, and a session still
    runs."""
    spasmtimer = str(Path(sys.executable).parent / "spasmtimer")
    program = tmp_path / "q.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    env = environment(tmp_path)
    ran = subprocess.run(
        [spasmtimer, "run", str(program), "--plain"], env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    remounted = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True
    )
    assert remounted.returncode == 0, remounted.stderr
    for command in (["status", str(program)], ["history", "--json"]):
        result = subprocess.run([spasmtimer, *command], env=env, capture_output=True, text=True)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    history = subprocess.run(
        [spasmtimer, "history", "--json"], env=env, capture_output=True, text=True
    )
    assert [s["program"] for s in json.loads(history.stdout)] == ["q"]
    again = subprocess.run(
        [spasmtimer, "run", str(program), "--plain"], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0 and "Rest: rest" in again.stdout
    assert "cannot be written here" in again.stderr and "Traceback" not in again.stderr
