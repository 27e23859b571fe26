"""How long loading and expanding the largest allowed programs takes.

    python benchmarks/load_expand.py

Builds, in a temporary folder, programs at the format's limits (10,000 phases, six hours,
includes four deep), then times `load_program` + `expand` in-process (best of several runs) and
`spasmtimer plan --json` end to end (Python start-up included).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from spasmtimer.program.loader import load_program
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.timeline import Timeline, expand

STEPS = 4999  # prepare + 4,999 holds + 4,998 rests between them = 9,998 phases


def many_steps(folder: Path, hold: str = "2") -> Path:
    body = ['title = "Largest allowed"', "[defaults]", "rest_after = 2", ""]
    for i in range(STEPS):
        body += [
            "[[steps]]",
            'type = "stretch"',
            f'name = "Stretch {i}"',
            f"hold = {hold}",
            'cue = "Breathe out slowly and let the muscle lengthen."',
            "",
        ]
    path = folder / f"many-steps{'-broken' if hold.startswith('-') else ''}.toml"
    path.write_text("\n".join(body))
    return path


def deep_includes(folder: Path) -> Path:
    # Four levels of includes, each file including the next four times: 4^4 = 256 leaf steps,
    # each a stretch of 19 reps: 256 x (19 holds + 18 rests) + rests between = 9,727 phases.
    leaf = folder / "leaf.toml"
    leaf.write_text('[defaults]\nrest = 1\n[[steps]]\ntype = "stretch"\nhold = 1\nreps = 19\n')
    inner = leaf
    for depth in range(4):
        path = folder / f"level{depth}.toml"
        path.write_text(
            "[defaults]\nrest_after = 0.5\n" + f'[[steps]]\ninclude = "{inner.name}"\n' * 4
        )
        inner = path
    return inner


def load_and_expand(path: Path) -> Timeline:
    return expand(load_program(path), 0)


def plan_json(path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "spasmtimer", "plan", str(path), "--json"],
        check=True,
        capture_output=True,
    )


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {
            "4,999 steps in one file": many_steps(folder),
            "includes 4 deep": deep_includes(folder),
        }
        print(f"{'program':<34} {'phases':>7} {'size':>8} {'load+expand':>12} {'plan --json':>12}")
        for label, path in cases.items():
            timeline = expand(load_program(path), 0)
            in_process = best_of(5, partial(load_and_expand, path))
            cli = statistics.median(best_of(1, partial(plan_json, path)) for _ in range(3))
            size = (
                sum(
                    f.stat().st_size
                    for f in folder.glob("*.toml")
                    if f == path or "level" in f.name or f.name == "leaf.toml"
                )
                if "deep" in label
                else path.stat().st_size
            )
            print(
                f"{label:<34} {len(timeline.phases):>7} {size / 1024:>6.0f} K "
                f"{in_process * 1000:>9.0f} ms {cli * 1000:>9.0f} ms"
            )
        broken = many_steps(folder, hold="-1")

        def refuse() -> None:
            try:
                load_program(broken)
            except ProgramError as e:
                assert len(e.problems) == STEPS

        print(
            f"{'4,999 errors, all located':<34} {'-':>7} {broken.stat().st_size / 1024:>6.0f} K "
            f"{best_of(3, refuse) * 1000:>9.0f} ms"
        )


if __name__ == "__main__":
    main()
