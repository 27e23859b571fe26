"""Real carriers of the sync folder: git (two clones of one repository, commits and pulls, each
machine adding to its own file so that no pull ever meets a conflict), and `sync HOST` over a
real OpenSSH server on a loopback port."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.history_support import Past
from tests.sync_support import Machine, at, ids
from tests.system.test_ssh import SSH, SSH_KEYGEN, SSHD, Server, sshd  # noqa: F401

pytestmark = pytest.mark.system

GIT = shutil.which("git")


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [GIT or "git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def clone(origin: Path, where: Path) -> Path:
    subprocess.run([GIT or "git", "clone", "-q", str(origin), str(where)], check=True)
    git(where, "config", "user.email", "me@example.org")
    git(where, "config", "user.name", "Me")
    git(where, "config", "pull.rebase", "false")
    return where


def commit_and_push(folder: Path, message: str) -> None:
    git(folder, "add", "-A")
    if git(folder, "status", "--porcelain").stdout:
        git(folder, "commit", "-q", "-m", message)
    git(folder, "pull", "-q", "--no-edit")  # a merge of two files, never a conflict
    git(folder, "push", "-q")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_git_carries_the_folder_without_a_conflict_ever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run([GIT or "git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    seed = clone(origin, tmp_path / "seed")
    (seed / "README").write_text("spasmtimer's sessions\n")
    git(seed, "add", "README")
    git(seed, "commit", "-q", "-m", "start")
    git(seed, "push", "-q", "origin", "HEAD:main")
    a, b = Machine(tmp_path / "a", None), Machine(tmp_path / "b", None)
    a.set_folder(clone(origin, tmp_path / "a-sync"))
    b.set_folder(clone(origin, tmp_path / "b-sync"))
    assert a.folder and b.folder
    day = 1
    for _ in range(3):
        # Both machines record and commit before either pulls: each pull merges.
        a.record(Past("desk-break", 0, at(day)))
        b.record(Past("gentle-mobility", 0, at(day, 18)))
        a.sessions(capsys)
        b.sessions(capsys)
        commit_and_push(a.folder, "a's sessions")
        commit_and_push(b.folder, "b's sessions")
        git(a.folder, "pull", "-q", "--no-edit")
        day += 1
    assert ids(a.sessions(capsys)) == ids(b.sessions(capsys))
    assert len(a.sessions(capsys)) == 6
    # Git saw only lines added, each to its own machine's file.
    log = git(a.folder, "log", "-p", "--format=", "--", "*.jsonl").stdout
    assert not [line for line in log.splitlines() if line.startswith("-") and not line.startswith("---")]


@pytest.mark.skipif(not (SSHD and SSH and SSH_KEYGEN), reason="OpenSSH is not installed")
def test_sync_host_over_a_real_sshd_twice(
    sshd: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    a, b = Machine(tmp_path / "a", None), Machine(tmp_path / "b", None)
    a.record(Past("desk-break", 0, at(1)), Past("desk-break", 1, at(2), notes="<b>ok</b>"))
    b.record(Past("gentle-mobility", 0, at(3)), Past("gentle-mobility", 1, at(4)))
    home = b.home
    remote = (
        f"env HOME={home} XDG_CONFIG_HOME={home / '.config'} "
        f"XDG_DATA_HOME={home / '.local' / 'share'} XDG_CACHE_HOME={home / '.cache'} "
        f"{Path(sys.executable).parent / 'spasmtimer'} sync --serve"
    )
    ssh = (
        f"{SSH} -p {sshd.port} -i {sshd.key} -o BatchMode=yes -o StrictHostKeyChecking=no "
        "-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
    )
    argv = ("sync", "127.0.0.1", "--ssh", ssh, "--remote-command", remote)
    status, out, err = a.command(capsys, *argv)
    assert (status, out) == (0, "Took 2 sessions from 127.0.0.1 and gave it 2.\n"), err
    status, out, err = a.command(capsys, *argv)
    assert (status, out) == (0, "Took 0 sessions from 127.0.0.1 and gave it 0.\n"), err
    on_a, on_b = a.sessions(capsys), b.sessions(capsys)
    assert ids(on_a) == ids(on_b) and len(on_a) == 4
    assert [s["notes"] for s in on_b if s["notes"]] == ["<b>ok</b>"]
    # A level earned on A is the level on B.
    _, out, _ = b.command(capsys, "plan", "desk-break", "--json")
    assert json.loads(out)["level"] == 2
