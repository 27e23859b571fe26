"""`spasmtimer list` as a process, on a library loaded for the first time: on every core the
machine has, with the same listing as the next, and nothing left running after a Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spasmtimer.base import exits
from spasmtimer.base.forked import usable_cores
from spasmtimer.base.locations import cache_dir, user_programs_dir

PROGRAM = """title = "Clinic program {n}"
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = {hold}
reps = 2
[[steps]]
type = "breathe"
inhale = 4
exhale = 6
cycles = 5
progress = {{ cycles = {{ by = 1, every = 2, max = 9 }} }}
"""


def library(count: int) -> None:
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    for n in range(count):
        (folder / f"clinic-{n:04d}.toml").write_text(PROGRAM.format(n=n, hold=10 + n % 50))
    (folder / "broken.toml").write_text('title = "Broken"\n[[steps]]\ntype = "strech"\n')


def spasmtimer_list(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spasmtimer", "list", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_first_listing_gives_what_the_next_gives() -> None:
    library(120)
    first = spasmtimer_list()
    assert first.returncode == 0, first.stderr
    assert len(list(cache_dir().glob("*.pickle"))) == 1  # one kept library, not 120 files
    again = spasmtimer_list()
    assert again.returncode == 0
    assert again.stdout == first.stdout
    lines = first.stdout.splitlines()
    assert sum("Clinic program" in line for line in lines) == 120
    assert [line for line in lines if "cannot be loaded" in line] == [
        next(line for line in lines if line.startswith("broken "))
    ]


def test_a_listing_started_with_sigchld_ignored_lists_all() -> None:
    """A parent that ignores SIGCHLD passes that on to what it starts (a supervisor, a shell
    script): the listing still waits for the processes it forks, and lists everything."""
    library(120)

    def ignore_sigchld() -> None:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)

    ignoring = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=ignore_sigchld,
    )
    assert ignoring.returncode == 0, ignoring.stderr
    assert ignoring.stdout == spasmtimer_list().stdout


def processes_in_group(group: int) -> list[tuple[int, int, str]]:
    """Each process of a process group still running (not a zombie): pid, parent, state."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, parent, pgrp = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(pgrp) == group and state != "Z":
            found.append((int(entry), int(parent), state))
    return found


def start_listing(count: int) -> subprocess.Popen[bytes]:
    """A first listing of ``count`` programs, in a session of its own, once it has forked."""
    if usable_cores() < 2:
        pytest.skip("one core: nothing is forked")
    library(count)
    listing = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not any(parent == listing.pid for _, parent, _ in processes_in_group(listing.pid)):
        assert listing.poll() is None and time.monotonic() < deadline, "it never forked"
        time.sleep(0.01)
    return listing


def nothing_left(group: int) -> bool:
    """Nothing of the group runs within half a second: no process finishes its share."""
    deadline = time.monotonic() + 0.5
    while processes_in_group(group):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_ctrl_c_during_a_first_listing_leaves_nothing_running() -> None:
    """The terminal sends Ctrl-C to the whole process group: the listing and every process it
    forked end at once, and the listing says it was interrupted."""
    listing = start_listing(6000)
    os.killpg(listing.pid, signal.SIGINT)
    out, _ = listing.communicate(timeout=30)
    assert listing.returncode == exits.INTERRUPTED
    assert out == b""  # no part of a listing
    assert nothing_left(listing.pid)


def test_a_listing_killed_leaves_nothing_running() -> None:
    """The listing alone killed (kill -9): what it forked stops too, rather than load its
    share for no one."""
    listing = start_listing(6000)
    listing.kill()
    listing.wait(timeout=30)  # not its output: what it forked holds a copy of the pipe
    assert nothing_left(listing.pid)
