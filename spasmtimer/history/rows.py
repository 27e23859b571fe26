"""The rows of the sessions table as the store reads them: which columns make a record's fields
(`selection`, whatever another program did to the table), where a row stands in the history's
order (`Mark`), and an event as an export lists it.
"""

from __future__ import annotations

import sqlite3

import msgspec

from spasmtimer.history.merge import COLUMNS
from spasmtimer.history.records import EXPORTED_EVENTS, EventRecord, parse_iso


def selection(connection: sqlite3.Connection) -> tuple[str | None, list[str]]:
    """How to read the record's fields from the sessions table as it is, and the columns it
    lacks (another program's change): those are read as empty, and what needs them is left
    out with its row. None when there is no sessions table at all."""
    present = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
    if not present:
        return None, []
    # Where each stands in the history's order (a `Mark`), first.
    started = "started_at" if "started_at" in present else "NULL"
    fields, missing = [f"{started} AS mark_started", "sessions.rowid AS mark_row"], []
    for name, column in COLUMNS.items():
        if column not in present:
            missing.append(column)
            fields.append(f"NULL AS {name}")
        elif column == "uid" and "id" in present:
            # A row another program added without an id is read with one made of its number
            # until `History.open` gives it its own (`_give_ids`).
            fields.append(f"coalesce(uid, 'row-' || id) AS {name}")
        else:
            fields.append(f"{column} AS {name}")
    return ", ".join(fields), missing


def readable_time(text: object) -> bool:
    try:
        parse_iso(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


class Mark(msgspec.Struct, frozen=True):
    """Where a session stands in the history's order: its start as written, and its row. The
    page after it (`History.newest`) starts past it."""

    started: object
    row: int


def exported_event(
    kind: object, at: object, elapsed: object, phase: object, seconds: object
) -> EventRecord | None:
    """An event as an export lists it; None for one it leaves out, or cannot read."""
    if kind not in EXPORTED_EVENTS:
        return None
    try:
        return EventRecord(
            kind,
            parse_iso(at),  # type: ignore[arg-type]
            float(elapsed),  # type: ignore[arg-type]
            int(phase),  # type: ignore[call-overload]
            seconds,  # type: ignore[arg-type]
        )
    except (TypeError, ValueError, msgspec.ValidationError):
        return None
