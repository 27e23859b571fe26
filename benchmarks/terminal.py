"""What a session costs on the wire and on the machine, measured in a pseudo-terminal.

    python benchmarks/terminal.py            # all measurements, about two minutes
    python benchmarks/terminal.py --quick    # shorter windows, for a first look

For each scenario, `spasmtimer run` is started in an 80x24 pseudo-terminal (stdlib `pty`), as a
terminal emulator or sshd would start it. Everything it writes is read and counted. Over a
steady window of the session (after start-up), it reports:

- bytes written to the terminal per second;
- CPU time of the process, as a percentage of one core (utime + stime from /proc);
- peak RSS (VmHWM from /proc).

Start-up: the time from spawning to the first frame of the app (the first output that paints
the session's countdown), and for `--plain`, to the first line.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from pathlib import Path

HOLD = """title = "Bench hold"
prepare = 0
[[steps]]
type = "stretch"
name = "Seated hamstring stretch"
hold = "10m"
cue = "Sit on the edge of the bed, one leg along it. Lean forward gently."
halfway = "Breathe out and let it go a little further."
"""

BREATHING = """title = "Bench breathing"
prepare = 0
[[steps]]
type = "breathe"
name = "Deep breathing 5-1-3"
inhale = 5
pause = 1
exhale = 3
cycles = 60
cue = "Picture a tight knot unravelling as you breathe in."
"""

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Terminal:
    """A child process in an 80x24 pseudo-terminal, with every byte it writes counted."""

    pid: int
    fd: int
    output: bytearray

    @classmethod
    def spawn(
        cls, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)
    ) -> Terminal:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        return cls(pid, fd, bytearray())

    def read_for(self, seconds: float) -> int:
        """Read for ``seconds``; returns how many bytes arrived."""
        before = len(self.output)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.output += chunk
        return len(self.output) - before

    def wait_for(self, marker: bytes, timeout: float = 10) -> float:
        """Seconds until ``marker`` appears in the output."""
        start = time.monotonic()
        while marker not in self.output:
            if time.monotonic() - start > timeout:
                raise TimeoutError(marker)
            self.read_for(0.005)
        return time.monotonic() - start

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            self.read_for(0.5)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def environment(tmp: Path, term: str = "xterm-256color") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TERM=term,
        COLUMNS="80",
        LINES="24",
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_DATA_HOME=str(tmp / "data"),
    )
    env.pop("NO_COLOR", None)
    return env


def spasmtimer() -> str:
    return str(Path(sys.executable).parent / "spasmtimer")


def steady(
    program: Path, env: dict[str, str], settle: float, window: float
) -> tuple[float, float, float]:
    """Bytes per second, CPU % of one core, and peak RSS over a steady window of a session."""
    term = Terminal.spawn([spasmtimer(), "run", str(program), "--no-bell"], env)
    try:
        term.read_for(settle)
        cpu_before = cpu_seconds(term.pid)
        started = time.monotonic()
        count = term.read_for(window)
        took = time.monotonic() - started
        cpu = (cpu_seconds(term.pid) - cpu_before) / took * 100
        rss = peak_rss_mb(term.pid)
    finally:
        term.close()
    return count / took, cpu, rss


def first_frame(program: Path, env: dict[str, str]) -> float:
    """Spawn to the first painted frame of the session: the title in the header."""
    started = time.monotonic()
    term = Terminal.spawn([spasmtimer(), "run", str(program), "--no-bell"], env)
    try:
        term.wait_for(b"Bench hold")
        return time.monotonic() - started
    finally:
        term.close()


def first_plain_line(program: Path, env: dict[str, str]) -> float:
    started = time.monotonic()
    proc = subprocess.Popen(
        [spasmtimer(), "run", str(program), "--plain"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    proc.stdout.readline()
    took = time.monotonic() - started
    proc.kill()
    proc.wait()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter measuring windows")
    args = parser.parse_args()
    settle, window, runs = (3.0, 10.0, 3) if args.quick else (5.0, 30.0, 7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = environment(folder)
        hold, breathing = folder / "hold.toml", folder / "breathing.toml"
        hold.write_text(HOLD)
        breathing.write_text(BREATHING)
        print(f"{'while':<28} {'bytes/s':>9} {'CPU':>7} {'peak RSS':>9}")
        for label, program in (("a stretch hold", hold), ("a breathing drill", breathing)):
            rate, cpu, rss = steady(program, env, settle, window)
            print(f"{label:<28} {rate:>7.0f} B {cpu:>6.2f}% {rss:>6.1f} MB")
        frames = [first_frame(hold, env) for _ in range(runs)]
        lines = [first_plain_line(hold, env) for _ in range(runs)]
        print(
            f"\nfirst frame of `run`:        median {statistics.median(frames) * 1000:.0f} ms "
            f"(min {min(frames) * 1000:.0f}, max {max(frames) * 1000:.0f})"
        )
        print(
            f"first line of `run --plain`: median {statistics.median(lines) * 1000:.0f} ms "
            f"(min {min(lines) * 1000:.0f}, max {max(lines) * 1000:.0f})"
        )


if __name__ == "__main__":
    main()
