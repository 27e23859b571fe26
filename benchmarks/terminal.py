"""What a session costs on the wire and on the machine, side by side with termdown.

    python benchmarks/terminal.py            # everything, medians of 3: about a quarter hour
    python benchmarks/terminal.py --quick    # one run each, shorter windows: a first look
    python benchmarks/terminal.py --startup-only    # only the start-up times (add --quick)

Each scenario runs `spasmtimer run` in a pseudo-terminal (stdlib `pty`) of 80x24 and of 200x60,
as a terminal emulator or sshd would start it, and reads everything it writes. Over a steady
window of the session (after start-up) it reports bytes per second, and the floor: the fewest
bytes a terminal needs to show the same frames (`floor.py`: the output replayed through pyte,
frame by frame, and only the changed cells written). termdown 2.0.0, a well-known countdown
timer, runs in the same run at each size for comparison (`pip install termdown==2.0.0`; it is
skipped if it is not on PATH); its bytes are a target at 80x24 only, as its digits do not grow
with the terminal and ours do. The window title spasmtimer keeps counts toward its bytes, and
toward the floor.

Then the machine: CPU time of each process during a hold (utime + stime from /proc, as a share
of one core) and peak RSS (VmHWM); and start-up: the time from spawning to the first frame of
`run`, next to the first frame of an idle Textual app, the first line of `run --plain`, and
`--version` and `--help`. `run` is timed for a program run before, which starts from the
cache (`spasmtimer.program.cache`, and the CSS the app parsed: `spasmtimer.app.kept_css`), for
the same with three years of daily sessions in its history, and for a program new to the cache
(on a fresh machine: nothing kept at all).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

from floor import FloorMeter, frames

STRETCH = """title = "Bench"
prepare = 0
[[steps]]
type = "stretch"
name = "Seated hamstring stretch"
hold = "{hold}"
cue = "Sit on the edge of the bed, one leg along it. Lean forward gently."
halfway = "Breathe out and let it go a little further."
{more}
"""

SCENARIOS = {
    "10-min hold": STRETCH.format(hold="10m", more=""),
    "2-min hold": STRETCH.format(hold="2m", more=""),
    "2-min hold, figure": STRETCH.format(hold="2m", more='figure = "seated-hamstring"'),
    "breathing, figure": """title = "Bench"
prepare = 0
[[steps]]
type = "breathe"
name = "Deep breathing 5-1-3"
figure = "deep-breathing"
inhale = 5
pause = 1
exhale = 3
cycles = 60
cue = "Picture a tight knot unravelling as you breathe in."
""",
    "breathing 5-1-3": """title = "Bench"
prepare = 0
[[steps]]
type = "breathe"
name = "Deep breathing 5-1-3"
inhale = 5
pause = 1
exhale = 3
cycles = 60
cue = "Picture a tight knot unravelling as you breathe in."
""",
    "a stretch with breath": STRETCH.format(hold="2m", more='breath = "5-1-3"'),
    "1-s phases": """title = "Bench"
prepare = 0
[[steps]]
type = "stretch"
name = "Pelvic tilt"
hold = 1
reps = 600
rest = 0
cue = "Flatten the small of your back into the floor, then let it go."
""",
}
TARGETS = {
    # The floor ratio at most, at each size; and termdown's bytes at most (as a share), where
    # one is set, at `SHARE_SIZE`: termdown's figures keep their size at 200x60, where the
    # clock's digits grow to be read from across a room.
    "10-min hold": (1.5, None),
    "2-min hold": (1.5, 0.5),
    "2-min hold, figure": (1.2, 0.5),
    "breathing, figure": (1.2, 1.0),
    "breathing 5-1-3": (1.2, 1.0),
    "a stretch with breath": (1.3, None),
    "1-s phases": (1.3, None),
}
SIZES = ((80, 24), (200, 60))
SHARE_SIZE = (80, 24)
IDLE_TEXTUAL = """from textual.app import App
from textual.widgets import Static
class Idle(App):
    def compose(self):
        yield Static("Bench idle")
Idle().run()
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
    """A child process in a pseudo-terminal, with every byte it writes kept with its time."""

    pid: int
    fd: int
    started: float
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    @classmethod
    def spawn(cls, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> Terminal:
        started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        return cls(pid, fd, started)

    @property
    def output(self) -> bytes:
        return b"".join(chunk for _, chunk in self.chunks)

    def read_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.chunks.append((time.monotonic() - self.started, chunk))

    def wait_for(self, marker: bytes, timeout: float = 15) -> float:
        """Seconds from spawning until ``marker`` appears in the output."""
        while marker not in self.output:
            if time.monotonic() - self.started > timeout:
                raise TimeoutError(marker)
            self.read_for(0.002)
        return self.chunks[-1][0]

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            self.read_for(0.5)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def environment(tmp: Path, size: tuple[int, int], cache: Path | None = None) -> dict[str, str]:
    """Settings and history of their own in ``tmp``: each run starts as on a fresh machine,
    where nothing is offered for resuming. Its cache too, unless ``cache`` is given: one
    shared by runs, where a program run before is kept (`spasmtimer.program.cache`)."""
    tmp = Path(tempfile.mkdtemp(dir=tmp))
    env = dict(os.environ)
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(size[0]),
        LINES=str(size[1]),
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_DATA_HOME=str(tmp / "data"),
        XDG_CACHE_HOME=str(cache or tmp / "cache"),
    )
    for name in ("NO_COLOR", "TMUX", "STY"):
        env.pop(name, None)
    (tmp / "data" / "spasmtimer").mkdir(parents=True, exist_ok=True)
    (tmp / "data" / "spasmtimer" / "safety-seen").touch()  # straight to the session
    return env


YEARS_OF_SESSIONS = 3 * 365
PHASES_PER_SESSION = 120


def lived_in(env: dict[str, str], history: Path) -> dict[str, str]:
    """``env`` with ``history`` (`years_of_history`) as its history, as a faithful user's
    start-up meets it."""
    shutil.copyfile(history, Path(env["XDG_DATA_HOME"]) / "spasmtimer" / "history.sqlite3")
    return env


def years_of_history(folder: Path, program: str) -> Path:
    """A history of one session a day for three years, each with its phases' events."""
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from spasmtimer.history.records import iso
    from spasmtimer.history.store import History

    path = folder / "years.sqlite3"
    History.open(path).close()  # the schema, as spasmtimer makes it
    db = sqlite3.connect(path)
    with db:
        first = datetime.now(UTC) - timedelta(days=YEARS_OF_SESSIONS)
        for day in range(YEARS_OF_SESSIONS):
            started = iso(first + timedelta(days=day))
            session = db.execute(
                "INSERT INTO sessions (program, title, path, content_hash, level, started_at, "
                "ended_at, updated_at, status, planned_seconds, done_seconds, host, pid, "
                "position) VALUES (?, 'Bench', '/x', 'h', 1, ?, ?, ?, 'completed', 600, 600, "
                "'bench', 1, 600)",
                (program, started, started, started),
            ).lastrowid
            db.executemany(
                "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
                "VALUES (?, 'phase', ?, ?, ?, 5)",
                [(session, started, n * 5.0, n) for n in range(PHASES_PER_SESSION)],
            )
    db.close()
    return path


def spasmtimer() -> str:
    return str(Path(sys.executable).parent / "spasmtimer")


@dataclass
class Wire:
    bytes_per_second: float
    floor_per_second: float
    cpu_percent: float
    peak_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.bytes_per_second / self.floor_per_second


def on_the_wire(
    argv: list[str], folder: Path, size: tuple[int, int], settle: float, window: float
) -> Wire:
    """Bytes and their floor per second over ``window`` seconds after ``settle``."""
    term = Terminal.spawn(argv, environment(folder, size), size)
    try:
        term.read_for(settle)
        cpu_before, at = cpu_seconds(term.pid), time.monotonic()
        term.read_for(window)
        cpu = (cpu_seconds(term.pid) - cpu_before) / (time.monotonic() - at) * 100
        rss = peak_rss_mb(term.pid)
    finally:
        term.close()
    meter = FloorMeter(*size)
    given = floor = 0
    for start, frame in frames(term.chunks):
        cost = meter.feed(frame)  # every frame, so that the emulator's screen is right
        if settle <= start < settle + window:
            given += len(frame)
            floor += cost.total
    return Wire(given / window, floor / window, cpu, rss)


def first_frame(argv: list[str], env: dict[str, str], marker: bytes) -> float:
    term = Terminal.spawn(argv, env, (80, 24))
    try:
        return term.wait_for(marker)
    finally:
        term.close()


def whole_run(argv: list[str], env: dict[str, str]) -> float:
    """From spawning to the end of a command that prints and exits."""
    started = time.monotonic()
    subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    return time.monotonic() - started


def first_line(argv: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    process = subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    process.stdout.readline()
    took = time.monotonic() - started
    process.kill()
    process.wait()
    return took


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms"


def idle_ratio(ours: list[float], idle: list[float]) -> str:
    """Our median over the idle app's, and the middle half of our starts over that median."""
    idle_ms = statistics.median(idle)
    low, median, high = (q / idle_ms for q in statistics.quantiles(ours, n=4))
    return f"{median:.2f} × the idle app's; middle half of the starts {low:.2f}–{high:.2f} ×"


def on_the_wire_tables(
    programs: dict[str, Path], folder: Path, settle: float, window: float, runs: int
) -> None:
    termdown = shutil.which("termdown")
    print(f"Bytes per second to the terminal, medians of {runs} over {window:.0f} s windows.")
    print("floor: the fewest bytes that show the same frames (benchmarks/floor.py).\n")
    header = f"{'size':<8}{'while':<24}{'spasmtimer':>11}{'floor':>7}{'ratio':>7}"
    print(f"{header}{'termdown':>10}{'share':>7}  target")
    cpu_rows = []
    for size in SIZES:
        theirs = None
        if termdown:
            runs_of_termdown = [
                on_the_wire([termdown, "10m"], folder, size, settle, window) for _ in range(runs)
            ]
            theirs = statistics.median(w.bytes_per_second for w in runs_of_termdown)
            cpu_rows.append((size, "termdown, 10 min", runs_of_termdown))
        for name, program in programs.items():
            argv = [spasmtimer(), "run", str(program), "--no-bell"]
            wires = [on_the_wire(argv, folder, size, settle, window) for _ in range(runs)]
            if name == "10-min hold":
                cpu_rows.append((size, "spasmtimer, 10-min hold", wires))
            given = statistics.median(w.bytes_per_second for w in wires)
            floor = statistics.median(w.floor_per_second for w in wires)
            ratio, share_limit = TARGETS[name]
            if size != SHARE_SIZE:
                share_limit = None
            share = given / theirs if theirs else None
            target = f"≤ {ratio} × floor" + (f", ≤ {share_limit} × termdown" if share_limit else "")
            if share_limit is not None and share is None:
                verdict = "not checked: termdown is not on PATH"
            elif given <= ratio * floor and (share_limit is None or (share or 0) <= share_limit):
                verdict = "met"
            else:
                verdict = "NOT MET"
            beside = f"{theirs:>10.0f}{share:>7.2f}" if theirs and share else f"{'-':>17}"
            print(
                f"{f'{size[0]}x{size[1]}':<8}{name:<24}{given:>9.0f} B{floor:>7.0f}"
                f"{given / floor:>7.2f}{beside}  {target}: {verdict}"
            )

    print("\nDuring a 10-minute hold (median of the runs):")
    for size, label, wires in cpu_rows:
        cpu = statistics.median(w.cpu_percent for w in wires)
        rss = statistics.median(w.peak_rss_mb for w in wires)
        print(
            f"  {size[0]}x{size[1]}  {label:<26} CPU {cpu:5.2f} % of a core, peak RSS {rss:5.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each, shorter windows")
    parser.add_argument(
        "--startup-only", action="store_true", help="skip the bytes and CPU: start-up times only"
    )
    args = parser.parse_args()
    settle, window, runs = (3.0, 8.0, 1) if args.quick else (4.0, 20.0, 3)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        programs = {}
        for name, text in SCENARIOS.items():
            programs[name] = folder / f"{name.replace(' ', '-')}.toml"
            programs[name].write_text(text)

        if not args.startup_only:
            on_the_wire_tables(programs, folder, settle, window, runs)

        idle = folder / "idle.py"
        idle.write_text(IDLE_TEXTUAL)
        # Many rounds: on a shared machine one start can take half as long again as the next.
        starts = 5 if args.quick else 21
        hold = str(programs["10-min hold"])

        def fresh() -> dict[str, str]:
            return environment(folder, (80, 24))

        # A program run before starts from the cache; one new to it pays for the loader too.
        cache = folder / "known-cache"

        def known() -> dict[str, str]:
            return environment(folder, (80, 24), cache)

        subprocess.run([spasmtimer(), "plan", hold], env=known(), capture_output=True, check=True)
        run = [spasmtimer(), "run", hold, "--no-bell"]
        first_frame(run, known(), b"Bench")  # and the app's parsed CSS, as an earlier run keeps it
        years = years_of_history(folder, programs["10-min hold"].stem)
        # Alternated, so that all of them meet the machine in the same state.
        ours, new, textual, lived = [], [], [], []
        for _ in range(starts):
            ours.append(first_frame(run, known(), b"Bench"))
            lived.append(first_frame(run, lived_in(known(), years), b"Bench"))
            new.append(first_frame(run, fresh(), b"Bench"))
            textual.append(first_frame([sys.executable, str(idle)], fresh(), b"Bench idle"))
        plain_run = [spasmtimer(), "run", hold, "--plain"]
        plain, plain_new = [], []
        for _ in range(starts):
            plain.append(first_line(plain_run, known()))
            plain_new.append(first_line(plain_run, fresh()))
        figured = [spasmtimer(), "run", str(programs["2-min hold, figure"]), "--no-bell"]
        first_frame(figured, known(), b"Bench")
        with_figure = [first_frame(figured, known(), b"Bench") for _ in range(starts)]
        figure_argv = [spasmtimer(), "figure", "knee-to-chest"]
        figure = [whole_run(figure_argv, known()) for _ in range(starts)]
        version = [first_line([spasmtimer(), "--version"], fresh()) for _ in range(starts)]
        helped = [first_line([spasmtimer(), "--help"], fresh()) for _ in range(starts)]
        print(f"\nStart-up, medians of {starts}:")
        print(
            f"  first frame of `run`: {median_ms(ours)}, an idle Textual app's: "
            f"{median_ms(textual)} ({idle_ratio(ours, textual)})"
        )
        print(
            f"  first frame of `run` with {YEARS_OF_SESSIONS:,} sessions of history "
            f"({years.stat().st_size / 1e6:.0f} MB): {median_ms(lived)} "
            f"({idle_ratio(lived, textual)})"
        )
        print(
            f"  first frame of `run`, a program new to the cache: {median_ms(new)} "
            f"({idle_ratio(new, textual)})"
        )
        print(
            f"  first line of `run --plain`: {median_ms(plain)}; a program new to the cache: "
            f"{median_ms(plain_new)}"
        )
        print(
            f"  first frame of `run`, a hold with a figure: {median_ms(with_figure)} "
            f"({idle_ratio(with_figure, textual)})"
        )
        print(f"  `figure knee-to-chest`, start to end: {median_ms(figure)}")
        print(f"  --version: {median_ms(version)}, --help: {median_ms(helped)}")


if __name__ == "__main__":
    main()
