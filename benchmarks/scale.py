"""Ten years of history and a clinic's library: every command beside the same on an empty one.

    python benchmarks/scale.py              # everything, in one run: about 5 minutes
    python benchmarks/scale.py --quick      # fewer repeats, and no 5,000-program library

It builds, in a temporary folder, homes of their own (``HOME`` and the ``XDG_*`` folders):

- *empty*: no history, and only the bundled programs;
- *large*: 50,000 sessions over some ten years, with their events — a person who takes a desk
  break every hour of a working day, and a few on other days — written through the project's
  own write path (`spasmtimer.history.merge.merge`, one transaction), and a library of 700
  programs of one's own;
- *clinic* (not with ``--quick``): a library of 5,000 programs, no history; its first loads
  are stopped after ``--limit`` seconds (ten minutes), and said to be.

Each command runs as a person runs it, ``spasmtimer ...`` in a new process, timed from spawn to
exit (the median of several runs), stdout read through a pipe. Python is told to keep bytecode
(``PYTHONDONTWRITEBYTECODE`` is unset in these processes, and the package compiled once before
timing), so that no import is compiled again in a run, as for an installed package. Peak memory
is the process's own high-water mark (``VmHWM`` in ``/proc/PID/status``, read as it ends):
``ru_maxrss`` (`resource.getrusage`) would also count the pages of the benchmark's own process,
from which each is forked, before its exec.

The app is measured headless (Textual's ``run_test``) in a process of its own: the library's
first frame and when it is filled, the longest the UI thread did not answer a 10-ms timer while
it filled, then ``h``: when the history screen is shown, when its charts and the first rows of
its table are in, and the process's peak RSS.

Merging (what the sync work builds on): the 50,000 sessions into a new history in one
transaction (which builds the large home), another machine's 50,000 into a copy of it, and
the same 50,000 again (nothing changed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

SESSIONS = 50_000
PROGRAMS = 700
CLINIC_PROGRAMS = 5_000
PRESCRIBED = 10
"""Of the library's programs, those the person has run."""
NOW = datetime.now(UTC)

SPASMTIMER = [sys.executable, "-c", "from spasmtimer.__main__ import main; main()"]
"""The console script's own two lines, without the ``re`` that pip's wrapper imports."""


@dataclass
class Home:
    name: str
    root: Path

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            HOME=str(self.root),
            XDG_CONFIG_HOME=str(self.root / ".config"),
            XDG_DATA_HOME=str(self.root / ".local" / "share"),
            XDG_CACHE_HOME=str(self.root / ".cache"),
        )
        return env

    @property
    def programs(self) -> Path:
        return self.root / ".config" / "spasmtimer" / "programs"

    @property
    def history(self) -> Path:
        return self.root / ".local" / "share" / "spasmtimer" / "history.sqlite3"

    @property
    def cache(self) -> Path:
        return self.root / ".cache" / "spasmtimer"

    def forget_programs(self) -> None:
        """Forget every program kept, as for a library never loaded before. The rest of the
        cache stays: the history's integrity check, kept there, is done once on a machine (by
        its first command), not by each first listing of a library."""
        for kept in self.cache.glob("*.pickle"):
            kept.unlink()


def make_home(folder: Path, name: str) -> Home:
    home = Home(name, folder / name)
    home.programs.mkdir(parents=True)
    home.history.parent.mkdir(parents=True)
    (home.history.parent / "safety-seen").touch()  # the notice was read: straight to the library
    return home


# --- the library --------------------------------------------------------------------------


def write_library(home: Home, count: int) -> None:
    """``count`` programs of one's own: the bundled ones, each under a title of its own."""
    from spasmtimer.base.locations import bundled_programs_dir

    bundled = bundled_programs_dir()
    bodies = [p.read_text() for p in sorted(bundled.glob("*.toml"))]
    for n in range(count):
        body = bodies[n % len(bodies)]
        lines = [
            f'title = "Clinic program {n:04d}"' if line.startswith("title = ") else line
            for line in body.splitlines()
        ]
        # An include names a file beside the bundled program: here, the bundled one itself.
        lines = [
            line.replace('include = "', f'include = "{bundled}/') if "include" in line else line
            for line in lines
        ]
        lines.append(f"# prescribed for patient {n}")
        (home.programs / f"clinic-{n:04d}.toml").write_text("\n".join(lines) + "\n")


# --- the history --------------------------------------------------------------------------

OTHER_PROGRAMS = ("gentle-mobility", "seated-hamstring", "breathing-5-1-3", "core-support")


def session_times(count: int, seed: int) -> list[datetime]:
    """``count`` session starts back from an hour ago: on a working day one at about each hour
    from 8:00 to 18:00 and a few more, on a weekend four; local time."""
    rng = random.Random(seed)
    times: list[datetime] = []
    day = NOW.astimezone().date()
    while len(times) < count:
        hours = range(8, 19) if day.weekday() < 5 else (9, 12, 16, 20)
        for hour in hours:
            for extra in range(2 if day.weekday() < 5 and hour % 2 == 0 else 1):
                local = datetime(day.year, day.month, day.day, hour, rng.randrange(60))
                at = local.astimezone().astimezone(UTC) + timedelta(minutes=20 * extra)
                if at < NOW - timedelta(hours=1):
                    times.append(at)
        day -= timedelta(days=1)
    return sorted(times[:count])


def sessions(count: int, seed: int, host: str) -> list[tuple[object, tuple[object, ...]]]:
    """``count`` past sessions and their events, as the recorder would have written them."""
    from spasmtimer.history.records import EventRecord, SessionRecord, new_session_id

    rng = random.Random(seed)
    levels: dict[str, int] = {}
    made: list[tuple[object, tuple[object, ...]]] = []
    for at in session_times(count, seed):
        roll = rng.random()
        if roll < 0.7:
            program = "desk-break"
        elif roll < 0.95:
            program = OTHER_PROGRAMS[rng.randrange(len(OTHER_PROGRAMS))]
        else:  # a few of the clinic's, prescribed
            program = f"clinic-{rng.randrange(PRESCRIBED):04d}"
        planned = 257.0 if program == "desk-break" else 600.0
        stopped = rng.random() < 0.08
        done = planned * (rng.uniform(0.1, 0.7) if stopped else 1.0)
        level = levels.get(program, 0)
        if not stopped:
            levels[program] = min(level + 1, 12)
        rated = rng.random() < 0.3
        before = rng.randrange(0, 8) if rated else None
        after = max(0, before - rng.randrange(0, 3)) if before is not None else None
        ended = at + timedelta(seconds=done + (30 if stopped else 0))
        events = [EventRecord("start", at, 0.0, 0)]
        if rng.random() < 0.2:
            events += [
                EventRecord("pause", at + timedelta(seconds=40), 40.0, 3),
                EventRecord("resume", at + timedelta(seconds=70), 70.0, 3),
            ]
        if stopped:
            events.append(EventRecord("stop", ended, done, 5))
        record = SessionRecord(
            id=new_session_id(at),
            program=program,
            title=program.replace("-", " ").capitalize(),
            path=f"/home/someone/.config/spasmtimer/programs/{program}.toml",
            content_hash=f"{rng.getrandbits(64):016x}",
            level=level,
            started_at=at,
            ended_at=ended,
            status="stopped" if stopped else "completed",
            planned_seconds=planned,
            done_seconds=round(done, 3),
            pain_before=before,
            pain_after=after,
            notes="a bit stiff after the meeting" if rng.random() < 0.02 else None,
            position=round(done, 3),
            updated_at=ended,
        )
        made.append((record, tuple(events)))
    return made


def merge_all(path: Path, made: list[tuple[object, tuple[object, ...]]], host: str) -> float:
    """Merge ``made`` into the history at ``path`` in one transaction; the seconds it took."""
    from spasmtimer.history.liveness import Runner
    from spasmtimer.history.merge import merge
    from spasmtimer.history.store import History

    history = History.open(path)
    runner = Runner(host, 4242, None)
    try:
        start = time.perf_counter()
        with history.connection as db:
            for record, events in made:
                merge(db, record, events, runner=runner)  # type: ignore[arg-type]
        return time.perf_counter() - start
    finally:
        history.close()


# --- measuring ----------------------------------------------------------------------------


def run(home: Home, *args: str, limit: float | None = None) -> tuple[float, bytes]:
    """Run ``spasmtimer ARGS`` in ``home``: seconds from spawn to exit, and its stdout. Past
    ``limit`` seconds it is stopped, and the time given is infinite."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [*SPASMTIMER, *args], env=home.env, capture_output=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return float("inf"), b""
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"spasmtimer {' '.join(args)} failed ({done.returncode}): {done.stderr!r}")
    return elapsed, done.stdout


PEAK_OF = """import atexit, os, sys
def _peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                os.write(int(os.environ["PEAK_FD"]), line.split()[1].encode())
atexit.register(_peak)
from spasmtimer.__main__ import main
main()
"""


def peak_of(home: Home, *args: str) -> float:
    """The peak RSS, in MB, of one run of ``spasmtimer ARGS``: its own (VmHWM), as its exit
    finds it. Not `ru_maxrss`, which counts the pages of the process it was forked from."""
    read, write = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-c", PEAK_OF, *args],
        env={**home.env, "PEAK_FD": str(write)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write,),
    )
    os.close(write)
    with os.fdopen(read, "rb") as peak:
        kb = peak.read()
    process.wait()
    return int(kb) / 1024


def median_ms(home: Home, args: tuple[str, ...], runs: int) -> float:
    run(home, *args)  # warm: the page cache, and bytecode written
    return statistics.median(run(home, *args)[0] for _ in range(runs)) * 1000


def python_start_ms(runs: int) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]) * 1000


APP_PROBE = r"""
import asyncio, json, sys, time

def rss_mb(field="VmRSS:"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024

async def drawn(screen):
    # Once the screen has been drawn: its first frame.
    done = asyncio.Event()
    screen.call_after_refresh(done.set)
    await done.wait()

async def main(programs_expected, press_h):
    from textual.widgets import DataTable

    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.app.screens.library import LibraryScreen
    from spasmtimer.cli.context import Context, say
    from spasmtimer.history.service import NoHistory, StoredHistory

    context = Context()
    history = context.history
    stored = StoredHistory(history, say) if history else NoHistory()
    app = SpasmtimerApp(settings=context.settings, history=stored)
    facts = {}
    ticks = []
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
        while not isinstance(app.screen, LibraryScreen):
            await asyncio.sleep(0.002)
        await drawn(app.screen)
        facts["library_frame"] = time.perf_counter() - start
        screen = app.screen
        table = screen.query_one(DataTable)
        while table.row_count < programs_expected or getattr(screen, "loading_programs", False):
            await asyncio.sleep(0.005)
        facts["library_filled"] = time.perf_counter() - start
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        facts["longest_stall"] = max(gaps, default=facts["library_filled"])
        facts["rss_library"] = rss_mb()
        if press_h:
            ticks.clear()
            pressed = time.perf_counter()
            await pilot.press("h")
            while type(app.screen).__name__ != "HistoryScreen":
                await asyncio.sleep(0.002)
            await drawn(app.screen)
            facts["history_frame"] = time.perf_counter() - pressed
            shown = app.screen
            while getattr(shown, "loading", False):
                await asyncio.sleep(0.005)
            await pilot.pause()
            facts["history_ready"] = time.perf_counter() - pressed
            tables = shown.query(DataTable)
            facts["history_rows"] = tables.first().row_count if tables else 0
            gaps = [b - a for a, b in zip(ticks, ticks[1:])]
            facts["history_stall"] = max(gaps, default=facts["history_ready"])
    # Its own peak (VmHWM): ru_maxrss would count the benchmark's pages, forked before exec.
    facts["peak_rss"] = rss_mb("VmHWM:")
    print(json.dumps(facts))

asyncio.run(main(int(sys.argv[1]), sys.argv[2] == "h"))
"""


def app_probe(
    home: Home, programs: int, press_h: bool, limit: float | None = None
) -> dict[str, float]:
    """The app's figures (see `APP_PROBE`); past ``limit`` seconds, each is infinite."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", APP_PROBE, str(programs), "h" if press_h else "-"],
            env=home.env,
            capture_output=True,
            check=True,
            timeout=limit,
        ).stdout
    except subprocess.TimeoutExpired:
        return {"library_frame": math.inf, "library_filled": math.inf, "longest_stall": math.inf}
    facts: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return facts


def app_median(home: Home, programs: int, press_h: bool, runs: int) -> dict[str, float]:
    app_probe(home, programs, press_h)  # warm: the programs kept, bytecode written
    probes = [app_probe(home, programs, press_h) for _ in range(runs)]
    return {key: statistics.median(p[key] for p in probes) for key in probes[0]}


def first_validation_ms(home: Home) -> float:
    """Loading a program with the loader (no cache), once pydantic and the models are ready:
    the median over the home's programs."""
    from spasmtimer.program.loader import load_program

    paths = sorted(home.programs.glob("*.toml"))[:200]
    load_program(paths[0])
    times = []
    for path in paths[1:]:
        start = time.perf_counter()
        load_program(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


# --- the report ---------------------------------------------------------------------------


def ms(seconds: float) -> str:
    if math.isinf(seconds):
        return "stopped"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def line(what: str, small: str, large: str, target: str = "") -> None:
    print(f"{what:<48} {small:>14} {large:>14}   {target}")


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; no clinic")
    parser.add_argument(
        "--limit",
        type=float,
        default=600,
        metavar="SECONDS",
        help="stop a clinic's first load after this long (default 600: ten minutes)",
    )
    parser.add_argument("--keep", metavar="DIR", help="build the homes here, and keep them")
    args = parser.parse_args()
    runs = 5 if args.quick else 21
    app_runs = 1 if args.quick else 3

    import spasmtimer

    package = Path(spasmtimer.__file__).parent
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=True)

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="spasmtimer-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        empty = make_home(folder, "empty")
        large = make_home(folder, "large")
        write_library(large, PROGRAMS)

        print(f"spasmtimer from {package}", flush=True)
        print(f"building {SESSIONS:,} sessions ...", flush=True)
        made = sessions(SESSIONS, seed=1, host="this-machine")
        merge_new = merge_all(large.history, made, "this-machine")
        events = sum(len(e) for _, e in made)
        size = large.history.stat().st_size / 1e6
        first, last = made[0][0].started_at, made[-1][0].started_at  # type: ignore[attr-defined]
        print(
            f"  {SESSIONS:,} sessions and {events:,} events, {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
            f"{size:.1f} MB",
            flush=True,
        )
        synced = folder / "synced.sqlite3"
        shutil.copy(large.history, synced)
        other = sessions(SESSIONS, seed=2, host="other-machine")
        merge_other = merge_all(synced, other, "other-machine")
        merge_again = merge_all(synced, other, "other-machine")
        synced.unlink()

        print("measuring ...", flush=True)
        python = python_start_ms(runs)
        figures: dict[str, tuple[float, float]] = {}
        for key, command in {
            "status": ("status",),
            "history": ("history",),
            "history --json": ("history", "--json"),
            "history --csv": ("history", "--csv"),
        }.items():
            figures[key] = (
                median_ms(empty, command, runs),
                median_ms(large, command, 3 if command != ("status",) else runs),
            )
        peaks = {
            key: (peak_of(empty, *command), peak_of(large, *command))
            for key, command in {
                "history": ("history",),
                "history --json": ("history", "--json"),
            }.items()
        }
        json_sessions = len(json.loads(run(large, "history", "--json")[1]))

        list_first = []
        for home in (empty, large):
            times = []
            for _ in range(3 if not args.quick else 1):
                home.forget_programs()
                times.append(run(home, "list")[0])
            list_first.append(statistics.median(times) * 1000)
        list_again = (median_ms(empty, ("list",), runs), median_ms(large, ("list",), runs))

        bundled = len(run(empty, "list", "--names")[1].splitlines())
        listed = len(run(large, "list", "--names")[1].splitlines())
        app_small = app_median(empty, bundled, True, app_runs)
        app_large = app_median(large, listed, True, app_runs)
        large.forget_programs()
        app_large_first = app_probe(large, listed, False)
        validation = first_validation_ms(large)

        clinic_list = clinic_app = None
        if not args.quick:
            clinic = make_home(folder, "clinic")
            write_library(clinic, CLINIC_PROGRAMS)
            clinic_listed = len(run(clinic, "list", "--names")[1].splitlines())
            clinic.forget_programs()
            clinic_list = run(clinic, "list", limit=args.limit)[0]
            clinic.forget_programs()
            clinic_app = app_probe(clinic, clinic_listed, False, limit=args.limit)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    print()
    print(f"Python's own start (python -c pass): {python:.0f} ms; medians of {runs} runs")
    print()
    line("", "empty/bundled", f"{SESSIONS:,} / {PROGRAMS}", "target")
    status_small, status_large = figures["status"]
    line(
        "status",
        f"{status_small:.0f} ms",
        f"{status_large:.0f} ms",
        f"≤ 40 ms: {verdict(status_large, 40)}",
    )
    for key in ("history", "history --json", "history --csv"):
        small, large_ms = figures[key]
        line(key, ms(small / 1000), ms(large_ms / 1000))
    for key, (small, large_mb) in peaks.items():
        line(f"{key}: peak RSS", f"{small:.0f} MB", f"{large_mb:.0f} MB")
    line("  (sessions in history --json)", "", f"{json_sessions:,}")
    line(
        "app: history screen (h) shown",
        ms(app_small["history_frame"]),
        ms(app_large["history_frame"]),
    )
    line(
        "app: history screen, charts and table in",
        ms(app_small["history_ready"]),
        ms(app_large["history_ready"]),
    )
    line(
        "app: history screen, longest UI stall",
        ms(app_small["history_stall"]),
        ms(app_large["history_stall"]),
    )
    line(
        "app: peak RSS, library then history",
        f"{app_small['peak_rss']:.0f} MB",
        f"{app_large['peak_rss']:.0f} MB",
        f"≤ 80 MB: {verdict(app_large['peak_rss'], 80)}",
    )
    line(
        "  (rows in the history table when shown)",
        f"{app_small['history_rows']:.0f}",
        f"{app_large['history_rows']:.0f}",
    )
    line(
        "list, first time",
        ms(list_first[0] / 1000),
        ms(list_first[1] / 1000),
        f"≤ 1 s: {verdict(list_first[1], 1000)}",
    )
    line(
        "list, again",
        ms(list_again[0] / 1000),
        ms(list_again[1] / 1000),
        f"≤ 0.3 s: {verdict(list_again[1], 300)}",
    )
    line(
        "app: library's first frame",
        ms(app_small["library_frame"]),
        ms(app_large["library_frame"]),
    )
    line(
        "app: library filled",
        ms(app_small["library_filled"]),
        ms(app_large["library_filled"]),
    )
    line(
        "app: library, longest UI stall while filling",
        ms(app_small["longest_stall"]),
        ms(app_large["longest_stall"]),
    )
    line(
        "app: library's first frame, first time",
        "",
        ms(app_large_first["library_frame"]),
    )
    line(
        "app: library filled, first time",
        "",
        ms(app_large_first["library_filled"]),
    )
    line("app: library, first time, longest UI stall", "", ms(app_large_first["longest_stall"]))
    line("a program's first validation (loader, no cache)", "", f"{validation:.1f} ms")
    if clinic_list is not None and clinic_app is not None:
        print()
        line("", "", f"{CLINIC_PROGRAMS:,} programs")
        line("list, first time", "", ms(clinic_list))
        line("app: library's first frame, first time", "", ms(clinic_app["library_frame"]))
        line("app: library filled, first time", "", ms(clinic_app["library_filled"]))
        line("app: library, longest UI stall", "", ms(clinic_app["longest_stall"]))
    print()
    print(f"merge, in one transaction each ({SESSIONS:,} sessions with {events:,} events):")
    print(f"  into a new history                         {ms(merge_new)}")
    print(f"  another machine's into those {SESSIONS:,}       {ms(merge_other)}")
    print(f"  the same again (nothing changed)           {ms(merge_again)}")


if __name__ == "__main__":
    main()
