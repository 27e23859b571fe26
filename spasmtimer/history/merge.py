"""`merge`: the one way a session is written into the history, keyed by its `id` — the
recorder's writes as a session runs, a session kept beside the history while it could not be
written (`spasmtimer.history.kept`), and a session from another machine alike.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from typing import Any

import msgspec

from spasmtimer.history import days
from spasmtimer.history.days import COUNTED
from spasmtimer.history.liveness import Runner
from spasmtimer.history.records import EventRecord, SessionRecord, iso, marks_column

COLUMNS = {
    # The record's fields as the sessions table holds them: `id` is the column `uid` (the
    # table's own `id` is a number local to this history, which events refer to).
    name: "uid" if name == "id" else name
    for name in SessionRecord.__struct_fields__
}


NEXT_CHANGE = "(SELECT coalesce(max(changed), 0) + 1 FROM sessions)"
"""Each row written takes the next number: what changed since a number is what to send out."""


ROW_COLUMNS = (*COLUMNS.values(), "host", "pid", "process")
_FIELDS = SessionRecord.__struct_fields__
_TIMES = tuple(_FIELDS.index(name) for name in ("started_at", "ended_at", "updated_at"))
_MARKS, _STARTED, _UPDATED = (_FIELDS.index(n) for n in ("marks", "started_at", "updated_at"))


def _row(record: SessionRecord, runner: Runner) -> list[Any]:
    """The record as its row's values, in `ROW_COLUMNS` order (times as the history writes
    them). Field by position: taking in a year of sessions from elsewhere makes a row each."""
    row: list[Any] = list(msgspec.structs.astuple(record))
    for at in _TIMES:
        if row[at] is not None:
            row[at] = iso(row[at])
    row[_MARKS] = marks_column(row[_MARKS])
    row[_UPDATED] = row[_UPDATED] or row[_STARTED]
    row += (runner.host, runner.pid, runner.started)
    return row


def _row_values(record: SessionRecord, runner: Runner) -> dict[str, Any]:
    """The record as its row's values, by column."""
    return dict(zip(ROW_COLUMNS, _row(record, runner), strict=True))


def merge_newer(db: sqlite3.Connection, records: Sequence[SessionRecord], *, runner: Runner) -> int:
    """Take in those of ``records`` (sessions from elsewhere, without their events) that are
    new here or newer than the copy here, as `merge` would, one copy of each; how many. Those
    new here are added in one statement: tens of thousands take a second or two."""
    latest: dict[str, SessionRecord] = {}
    for record in records:
        were = latest.get(record.id)
        if were is None or _version(record) >= _version(were):
            latest[record.id] = record
    held: dict[str, str] = {}
    ids = list(latest)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        query = f"SELECT uid, updated_at FROM sessions WHERE uid IN ({marks})"
        held.update(db.execute(query, chunk).fetchall())
    added, replaced = [], []
    for record in latest.values():
        here = held.get(record.id)
        if record.id not in held:
            added.append(record)
        elif not isinstance(here, str) or _version(record) > here:
            replaced.append(record)
    for record in replaced:
        merge(db, record, runner=runner)
    if added:
        first = db.execute("SELECT coalesce(max(changed), 0) + 1 FROM sessions").fetchone()[0]
        db.executemany(
            f"INSERT INTO sessions ({', '.join(ROW_COLUMNS)}, changed) "
            f"VALUES ({', '.join('?' for _ in ROW_COLUMNS)}, ?)",
            ([*_row(record, runner), first + n] for n, record in enumerate(added)),
        )
        days.note_added(db, [record.started_at for record in added if record.counted])
    return len(added) + len(replaced)


def _version(record: SessionRecord) -> str:
    return iso(record.updated_at or record.started_at)


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
            f"INSERT INTO sessions ({', '.join(columns)}, changed) "
            f"VALUES ({', '.join('?' for _ in columns)}, {NEXT_CHANGE})",
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
                f"UPDATE sessions SET {', '.join(f'{c} = ?' for c in changed)}, "
                f"changed = {NEXT_CHANGE} WHERE id = ?",
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
