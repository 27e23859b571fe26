"""How exactly `spasmtimer run --plain` keeps time.

    python benchmarks/plain_timing.py

Real runs: programs of 20 s nominal made of 20 x 1 s, 200 x 0.1 s and 2,000 x 0.01 s phases,
run in a subprocess. The overrun is the time from the first phase's line to the "Session
complete" line, minus 20 s; start-up (Python, imports, loading the program) comes before the
first line and is reported separately.

Fake clock: a 30-minute program run through the same `PlainRunner` loop, with every sleep
oversleeping by a random 0-5 ms, to show that lateness never accumulates.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from spasmtimer.cli.plain import PlainRunner
from spasmtimer.program.loader import load_program
from spasmtimer.program.timeline import expand
from spasmtimer.session.engine import Session


def program(folder: Path, count: int, seconds: float) -> Path:
    path = folder / f"p{count}.toml"
    path.write_text(
        f'title = "Bench"\nprepare = 0\n[[steps]]\ntype = "stretch"\n'
        f"hold = {seconds}\nreps = {count}\nrest = 0\n"
    )
    return path


def real_run(path: Path) -> tuple[float, float, int]:
    # Its own history and settings, so that no run pays for creating the real ones.
    env = dict(
        os.environ,
        XDG_DATA_HOME=str(path.parent / "data"),
        XDG_CONFIG_HOME=str(path.parent / "config"),
    )
    launched = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(path), "--plain"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout and proc.stderr
    done_at: list[float] = []

    def watch_stderr() -> None:
        assert proc.stderr
        for line in proc.stderr:
            if line.startswith("Session complete"):
                done_at.append(time.monotonic())

    watcher = threading.Thread(target=watch_stderr)
    watcher.start()
    proc.stdout.readline()
    first = time.monotonic()
    lines = 1 + len(proc.stdout.read().splitlines())
    proc.wait()
    watcher.join()
    return first - launched, done_at[0] - first, lines


def fake_clock_run(minutes: int = 30) -> tuple[float, float, int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        # About 30 minutes of 5-1-3 breathing and 20 s holds: many phases of varied length.
        path = Path(tmp) / "long.toml"
        path.write_text(
            'title = "Long"\nrounds = 11\n[[steps]]\ntype = "breathe"\ninhale = 5\npause = 1\n'
            'exhale = 3\ncycles = 6\n[[steps]]\ntype = "stretch"\nhold = 20\nreps = 2\n'
            'sides = "both"\nrest = 5\n'
        )
        timeline = expand(load_program(path), 0)
    now = [0.0]
    rng = random.Random(1)

    def sleep(seconds: float) -> None:
        now[0] += seconds + rng.uniform(0, 0.005)

    session = Session(timeline, lambda: now[0])
    runner = PlainRunner(
        session,
        title="Long",
        stdin=io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        sleep=sleep,
    )
    started = time.perf_counter()
    runner.run()
    cpu = time.perf_counter() - started
    ended = session.ended_at()
    assert session.started_at is not None and ended is not None
    overrun = ended - session.started_at - timeline.total_seconds
    return timeline.total_seconds, overrun, len(timeline.phases), cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'real run, 20 s nominal':<28} {'phases':>7} {'start-up':>9} {'overrun':>9}")
        for count, seconds in ((20, 1.0), (200, 0.1), (2000, 0.01)):
            startup, took, lines = real_run(program(folder, count, seconds))
            assert lines == count, (lines, count)
            print(
                f"{f'{count} x {seconds:g} s':<28} {lines:>7} {startup * 1000:>6.0f} ms "
                f"{(took - 20) * 1000:>6.1f} ms"
            )
    total, overrun, phases, cpu = fake_clock_run()
    print(
        f"\nfake clock: {total / 60:.0f} min, {phases} phases, every sleep 0-5 ms late: "
        f"overrun {overrun * 1000:.3f} ms (computed in {cpu * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
