"""A real SSH session: OpenSSH's server on a loopback port, `ssh -tt`, the app at the far end.

It proves what users on a headless box rely on: the session runs and draws over SSH, keys
reach it, the terminal bell arrives at this end, and a dropped connection (the ssh client
killed) leaves the session recorded as stopped. Skipped, with the reason, where sshd is not
installed; `.ci/run` installs it (Debian's openssh-server).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from spasmtimer.history.store import History
from tests.pty_support import Pty

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
SSH = shutil.which("ssh")
SSH_KEYGEN = shutil.which("ssh-keygen")

pytestmark = pytest.mark.skipif(
    not (SSHD and SSH and SSH_KEYGEN),
    reason="OpenSSH is not installed (Debian: apt-get install openssh-server openssh-client)",
)

PROGRAM = """title = "Over SSH"
prepare = 2
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = 3
reps = 20
rest = 1
"""


OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def bells(output: bytes) -> int:
    """The terminal bells in ``output``: BELs outside escape sequences."""
    return OSC.sub(b"", output).count(b"\x07")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    key: Path
    folder: Path


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Server]:
    assert SSHD and SSH_KEYGEN
    for name in ("host_key", "user_key"):
        subprocess.run(
            [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / name)], check=True
        )
    (tmp_path / "authorized_keys").write_text((tmp_path / "user_key.pub").read_text())
    port = free_port()
    config = tmp_path / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {tmp_path / 'host_key'}\n"
        f"AuthorizedKeysFile {tmp_path / 'authorized_keys'}\nPidFile {tmp_path / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "UsePAM no\nStrictModes no\nPermitRootLogin yes\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(
                    f"sshd did not start: {server.stderr.read().decode() if server.stderr else ''}"
                )
            time.sleep(0.05)
    try:
        yield Server(port, tmp_path / "user_key", tmp_path)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_session_over_ssh(sshd: Server, tmp_path: Path) -> None:
    program = tmp_path / "over-ssh.toml"
    program.write_text(PROGRAM)
    data = tmp_path / "data"
    spasmtimer = Path(sys.executable).parent / "spasmtimer"
    remote_command = (
        f"env TERM=xterm-256color XDG_CONFIG_HOME={tmp_path / 'config'} XDG_DATA_HOME={data} "
        f"{spasmtimer} run {program}"
    )
    assert SSH
    remote = Pty(
        [
            SSH,
            "-tt",
            "-p",
            str(sshd.port),
            "-i",
            str(sshd.key),
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
            "127.0.0.1",
            remote_command,
        ]
    )
    try:
        remote.read_until(b"When to see a doctor")  # the first time, the safety notice first
        remote.send(b"\r")
        remote.read_until(b"Over SSH")  # the app draws at this end
        remote.read_until(b"HOLD")  # and the session counts on into the first hold
        remote.read_until(b"\x1b]2;0:02 \xc2\xb7 Knee to chest")  # so does the window title
        remote.send(b" ")  # a key crosses the other way
        remote.read_until(b"PAUSED")
        remote.send(b" ")
        time.sleep(1)
        # The terminal bell crossed the connection: BELs of their own, not the ones that end
        # the title's escape sequences.
        assert bells(bytes(remote.output)) >= 2
    finally:
        # The connection drops: the client dies without a word to the server.
        remote.close()
    history = data / "spasmtimer" / "history.sqlite3"
    deadline = time.monotonic() + 15
    while (
        subprocess.run(["pgrep", "-f", f"spasmtimer run {program}"], capture_output=True).returncode
        == 0
    ):
        assert time.monotonic() < deadline, "the app outlived its connection"
        time.sleep(0.1)
    # The app ended the session itself on SIGHUP: a stop event, not a crash found later.
    connection = sqlite3.connect(history)
    status, ended = connection.execute("SELECT status, ended_at FROM sessions").fetchone()
    kinds = [k for (k,) in connection.execute("SELECT kind FROM events ORDER BY id")]
    connection.close()
    assert status == "stopped" and ended is not None
    assert kinds == ["start", "pause", "resume", "stop"]
    [session] = History.open(history).sessions()
    assert session.program == "over-ssh"
    assert session.ended_at is not None and session.ended_at > session.started_at
