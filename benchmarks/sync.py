"""What one history across machines costs (docs/history.md, "Across machines").

    python benchmarks/sync.py [--sessions N]

Builds, in a temporary folder, another machine's file of N sessions (default 50,000: some ten
years of five a day) in a sync folder, then times, in-process, best of several runs:

- taking all of them into an empty history (`History.sync_with`);
- a command's cost when nothing changed since: the folder listed, each file's size and times
  compared, nothing read, nothing to send — beside opening the history alone, its baseline;
- `spasmtimer sync --serve`'s side of an exchange that moves nothing, between two histories
  of N sessions each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from spasmtimer.history.records import SessionRecord, new_session_id
from spasmtimer.history.store import History
from spasmtimer.history.sync import encode

START = datetime(2016, 12, 7, 8, 0, tzinfo=UTC)


def other_machines_file(folder: Path, count: int) -> Path:
    lines = []
    for n in range(count):
        at = START + timedelta(hours=n * 7)
        record = SessionRecord(
            id=new_session_id(at),
            program=("desk-break", "gentle-mobility", "core-support")[n % 3],
            title="Desk break",
            path="/home/me/.config/spasmtimer/programs/desk-break.toml",
            content_hash="5f3a" * 16,
            level=n % 12,
            started_at=at,
            ended_at=at + timedelta(seconds=257),
            status="completed",
            planned_seconds=257.0,
            done_seconds=257.0,
            pain_before=4,
            pain_after=3,
            notes="easier today" if n % 10 == 0 else None,
            updated_at=at + timedelta(seconds=258),
        )
        lines.append(encode(record, "laptop-1a2b3c4d"))
    path = folder / "laptop-1a2b3c4d.sessions.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def best(run: Callable[[], object], times: int) -> float:
    found = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        found.append(time.perf_counter() - started)
    return min(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50_000)
    count = parser.parse_args().sessions
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        folder = root / "Sync"
        folder.mkdir()
        size = other_machines_file(folder, count).stat().st_size

        def take_all() -> None:
            path = root / f"fresh-{time.perf_counter_ns()}.sqlite3"
            history = History.open(path)
            carried = history.sync_with(folder)
            assert carried.taken == count, carried
            history.close()

        taking = best(take_all, 3)
        kept = root / "kept.sqlite3"
        history = History.open(kept)
        history.sync_with(folder)
        history.close()

        def open_alone() -> None:
            History.open(kept).close()

        def open_and_sync() -> None:
            history = History.open(kept)
            carried = history.sync_with(folder)
            assert carried.taken == 0 and carried.sent == 0, carried
            history.close()

        alone = statistics.median(best(open_alone, 5) for _ in range(3))
        synced = statistics.median(best(open_and_sync, 5) for _ in range(3))
    print(f"{count:,} sessions from another machine ({size / 1e6:.1f} MB of lines)")
    print(f"  taken into an empty history:           {taking:6.2f} s")
    print(f"  a command, history opened alone:       {alone * 1000:6.1f} ms")
    print(f"  the same, with nothing new to sync:    {synced * 1000:6.1f} ms "
          f"(+{(synced - alone) * 1000:.1f} ms)")
    print(f"  (CPU: {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
