"""`merge`: the one way a session is written into the history, keyed by its `id` — the
recorder's writes as a session runs, a session kept beside the history while it could not be
written (`spasmtimer.history.kept`), and a session from another machine alike.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from spasmtimer.history import days
from spasmtimer.history.days import COUNTED
from spasmtimer.history.liveness import Runner
from spasmtimer.history.records import EventRecord, SessionRecord, iso

COLUMNS = {
    # The record's fields as the sessions table holds them: `id` is the column `uid` (the
    # table's own `id` is a number local to this history, which events refer to).
    name: "uid" if name == "id" else name
    for name in SessionRecord.__struct_fields__
}


def _row_values(record: SessionRecord, runner: Runner) -> dict[str, Any]:
    """The record as its row's values, by column (times as the history writes them)."""
    values: dict[str, Any] = {}
    for name, column in COLUMNS.items():
        value = getattr(record, name)
        values[column] = iso(value) if isinstance(value, datetime) else value
    values["updated_at"] = values["updated_at"] or values["started_at"]
    values["host"], values["pid"], values["process"] = runner.host, runner.pid, runner.started
    return values


def merge(
    db: sqlite3.Connection,
    record: SessionRecord,
    events: Sequence[EventRecord] = (),
    *,
    runner: Runner,
) -> None:
    """Take ``record`` and its ``events`` into the history, by the session's `id`, as run by
    ``runner``: the one way a session is written, inside the caller's transaction.

    A session not there is added. One there is replaced by ``record`` only if ``record`` is
    as new or newer (its `updated_at`): a record kept aside while the session went on, or an
    old copy from another machine, changes none of what was written since. The days with a
    counted session are kept up with it (`spasmtimer.history.days`). An event is added
    unless the session has it already — as many of each (kind, time, phase) as ``events`` has —
    so a record taken in twice changes nothing.
    """
    values = _row_values(record, runner)
    columns = list(values)
    changed = [c for c in columns if c != "uid"]
    found = db.execute(
        f"SELECT id, {COUNTED}, {', '.join(changed)} FROM sessions WHERE uid = ?", (record.id,)
    ).fetchone()
    if found is None:
        cursor = db.execute(
            f"INSERT INTO sessions ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})",
            [values[c] for c in columns],
        )
        row_id = cursor.lastrowid
        days.note(db, record.started_at, record.counted, None)
    else:
        row_id, was_counted, *stored = found
        was = dict(zip(changed, stored, strict=True))
        updated_at, was_started = was["updated_at"], was["started_at"]
        newer = not isinstance(updated_at, str) or values["updated_at"] >= updated_at
        # The same record again (another machine's, taken in twice) writes nothing.
        if newer and stored != [values[c] for c in changed]:
            db.execute(
                f"UPDATE sessions SET {', '.join(f'{c} = ?' for c in changed)} WHERE id = ?",
                [*(values[c] for c in changed), row_id],
            )
            days.note(db, record.started_at, record.counted, (was_started, bool(was_counted)))
    if not events:
        return
    # A session just added has no events yet: none to ask for.
    already = Counter(
        db.execute("SELECT kind, at, phase FROM events WHERE session_id = ?", (row_id,))
        if found is not None
        else ()
    )
    missing = []
    for event in events:
        key = (event.kind, iso(event.time), event.phase)
        if already[key] > 0:
            already[key] -= 1
        else:
            missing.append((row_id, *key[:2], event.at, event.phase, event.seconds))
    db.executemany(
        "INSERT INTO events (session_id, kind, at, elapsed, phase, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        missing,
    )
