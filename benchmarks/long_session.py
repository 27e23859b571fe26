"""Memory over a two-hour session: the real app, headless, on a simulated clock.

    python benchmarks/long_session.py

A two-hour program (breathing drills and stretch holds, in rounds) runs through the real app
with Textual's headless driver. The clock is a fake one moved by exactly the delay the session
screen asks for before each redraw, so two hours pass in a few minutes with every frame of
them drawn. RSS is sampled every ten minutes of session time: it should stay flat. With
``--traced``, Python's allocations are traced too (the tracing takes memory of its own: RSS is
then higher), and what grew most from ten minutes to the end is shown.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
import tracemalloc
from pathlib import Path

from spasmtimer.app import SpasmtimerApp
from spasmtimer.app.screens.session import SessionScreen
from spasmtimer.program.timeline import expand
from spasmtimer.session.levels import Level
from spasmtimer.session.library import Entry, load_item
from spasmtimer.session.settings import Settings

PROGRAM = """title = "Two hours"
rounds = 34
[[steps]]
type = "breathe"
name = "Deep breathing 5-1-3"
inhale = 5
pause = 1
exhale = 3
cycles = 6
[[steps]]
type = "stretch"
name = "Seated hamstring stretch"
hold = 30
reps = 2
sides = "both"
halfway = "Breathe out and let it go a little further."
"""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(traced: bool) -> None:
    now = [1000.0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "two-hours.toml"
        path.write_text(PROGRAM)
        item = load_item(Entry("two-hours", path, "file"), lambda name, cap: Level(0))
        assert item.program is not None and item.total_seconds is not None
        seen = Path(tmp) / "seen"
        seen.touch()  # the safety notice counts as seen: straight to the session
        app = SpasmtimerApp(
            settings=Settings(theme="textual-dark"),
            run=(item, expand(item.program, 0)),
            clock=lambda: now[0],
            safety_marker=seen,
        )
        if traced:
            tracemalloc.start(4)
        first: tracemalloc.Snapshot | None = None
        print(f"session: {item.total_seconds / 3600:.2f} h")
        print(f"{'session time':>12} {'RSS':>9} {'traced':>10} {'frames':>7}")
        started = time.perf_counter()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SessionScreen), screen
            frames, next_report = 0, 0.0
            while not screen.session.state_at().done:
                state = screen.session.state_at()
                if state.elapsed >= next_report:
                    gc.collect()
                    if traced and first is None and state.elapsed >= 600:
                        first = tracemalloc.take_snapshot()
                    in_use = tracemalloc.get_traced_memory()[0] / 1024 / 1024
                    shown = f"{in_use:>7.2f} MB" if traced else f"{'-':>10}"
                    print(f"{state.elapsed / 60:>9.0f} min {rss_mb():>6.1f} MB {shown} {frames:>7}")
                    next_report += 600
                delay = screen._next_redraw(state) or 1.0
                now[0] += delay
                screen.tick()
                await pilot.pause(1 / 60)  # one screen update: Textual composes at 60 Hz
                frames += 1
            if first is not None:
                gc.collect()
                print("\nwhat grew most from ten minutes to the end:")
                grown = tracemalloc.take_snapshot().compare_to(first, "traceback")
                for stat in grown[:8]:
                    print(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks")
                    for line in stat.traceback.format()[-4:]:
                        print(f"    {line}")
        print(f"simulated in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--traced",
        action="store_true",
        help="trace Python's allocations too (which takes memory of its own), and show what grew",
    )
    asyncio.run(main(parser.parse_args().traced))
