"""The text the commands print: ``plan``, ``list``, ``history`` and ``check``'s verdicts.

Pure functions of what was loaded; `spasmtimer.cli.entry` does the loading and the printing.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from spasmtimer.base.text import CONTROL, spreadsheet_cell
from spasmtimer.history.records import EXPORT_FIELDS, EventRecord, SessionRecord, Totals
from spasmtimer.program.resolved import Program
from spasmtimer.program.timeline import (
    KIND_WORDS,
    Progression,
    ProgressionRow,
    Timeline,
    json_number,
    progression_row,
)
from spasmtimer.session import library
from spasmtimer.session.display import (
    clock_text,
    done_cell,
    held_lines,
    pain_text,
    phase_detail,
    seconds_text,
    value_text,
)
from spasmtimer.session.levels import Level


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def _compact_json(value: Any) -> str:
    # json escapes C0 but writes DEL and C1 as they are: escaped, the JSON means the same.
    return CONTROL.sub(_json_escape, json.dumps(value, ensure_ascii=False))


def to_json(value: Any) -> str:
    """JSON with one line per top-level key and per element of a top-level list of objects.

    Readable in a terminal or a diff, and written by the C encoder: ``indent=`` would fall back
    to the pure-Python one, which takes 0.4 s for a plan of 10,000 phases.
    """

    compact = _compact_json

    def items(values: list[Any], pad: str) -> str:
        if not values:
            return "[]"
        return "[\n" + ",\n".join(pad + "  " + compact(v) for v in values) + "\n" + pad + "]"

    if isinstance(value, list):
        return items(value, "")
    if isinstance(value, dict):
        lines = [
            f"  {compact(k)}: " + (items(v, "  ") if isinstance(v, list) else compact(v))
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(lines) + "\n}"
    return compact(value)


# --- check --------------------------------------------------------------------------------


def check_ok(name: str, timeline: Timeline, warnings: int = 0) -> str:
    said = f"; {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    return (
        f"{name}: ok ({len(timeline.phases)} phases, "
        f"{seconds_text(timeline.total_seconds)} at level {timeline.level}{said})"
    )


# --- plan ---------------------------------------------------------------------------------


def level_json(level: Level) -> dict[str, Any]:
    """The level as ``plan --json`` and ``list --json`` give it, and whether a gap eased it."""
    return {
        "level": level.value,
        "eased_from": level.eased_from,
        "idle_days": level.idle_days,
        "held": [{"step": index + 1, "level": at} for index, at in level.held],
    }


def plan_text(program: Program, timeline: Timeline, level: Level, table: Progression) -> str:
    rounds = f" · {program.rounds} rounds" if program.rounds > 1 else ""
    lines = [
        program.title,
        f"{str(level).capitalize()} · {seconds_text(timeline.total_seconds)} · "
        f"{len(timeline.phases)} phases{rounds}",
    ]
    if program.summary:
        lines.append(program.summary)
    if program.caution:
        lines.append(f"Caution: {program.caution}")
    lines += held_lines(program.steps, level)
    rows = [["start", "phase", "length", "step"]]
    for phase, start in zip(timeline.phases, timeline.starts(), strict=True):
        step = f"{phase.step + 1}. " if phase.step is not None else ""
        detail = phase_detail(phase)
        what = f"{step}{phase.name}" + (f" · {detail}" if detail else "")
        rows.append([clock_text(start), KIND_WORDS[phase.kind], seconds_text(phase.seconds), what])
    lines += ["", *_columns(rows, ">", "<", ">", "<")]
    between = None
    shown = {row.level for row in table.rows}
    if table.rows and level.value < table.cap_level and level.value not in shown:
        between = progression_row(program, level.value)  # a level where nothing changes
    lines += ["", *progression_lines(table, level.value, between)]
    return "\n".join(lines)


def _columns(rows: list[list[str]], *align: str, indent: str = "  ") -> list[str]:
    """``rows`` as aligned columns, each as wide as its widest cell: a long phase name or a
    long duration never pushes the columns after it out of line. The last column is left
    ragged."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]) - 1)]
    return [
        (
            indent
            + "  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths, strict=False))
            + "  "
            + row[-1]
        ).rstrip()
        for row in rows
    ]


def progression_lines(
    table: Progression, current: int | None = None, between: ProgressionRow | None = None
) -> list[str]:
    """The progression table: each value by level, the levels where nothing changes left out,
    and ``current``, the level the session runs at, marked with →. When nothing changes at
    that level, its row is ``between``, shown among the others."""
    rows = list(table.rows)
    if not rows or not rows[0].values:
        return ["No `progress` in this program: it is the same at every level."]
    if table.cap_level == 0:
        # Every value is at its cap from the start: there is no progression to show.
        return ["Every `progress` value starts at its cap: the program is the same at every level."]
    lines = [
        f"Progression: values by level, until every one reaches its cap at level {table.cap_level}."
    ]
    marked = current
    if current is not None and current > table.cap_level and table.complete:
        marked = table.cap_level
        lines.append(f"→ marks the cap level: your level, {current}, is past it and plays like it.")
    elif current is not None:
        if between is not None:
            rows = sorted([*rows, between], key=lambda row: row.level)
        lines.append(f"→ marks your level, {current}.")
    lines.append("Levels where nothing changes are left out.")
    first = rows[0].values
    names = sorted({(v.step, v.name) for v in first})
    lines += [f"  step {n}: {name}" for n, name in names]
    headers = ["", "level", "session"] + [f"{v.step}.{v.key}" for v in first]
    body = [
        [
            "→" if row.level == marked else "",
            str(row.level),
            "over limits" if row.total_seconds is None else seconds_text(row.total_seconds),
        ]
        + [value_text(v.key, v.value) for v in row.values]
        for row in rows
    ]
    widths = [max(len(row[k]) for row in [headers, *body]) for k in range(len(headers))]
    for row in [headers, *body]:
        lines.append(
            ("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True))).rstrip()
        )
    if not table.complete:
        lines.append(f"  ... (the first {len(table.rows)} levels where a value changes are shown)")
    return lines


# --- list ---------------------------------------------------------------------------------


def list_text(items: Sequence[library.Item]) -> str:
    if not items:
        return "No programs found."
    width = max(len(item.entry.name) for item in items)
    lines = []
    for item in items:
        name = f"{item.entry.name:<{width}}"
        if item.error is not None or item.total_seconds is None:
            lines.append(f"{name}  (cannot be loaded) {(item.error or '').splitlines()[0]}")
            continue
        tags = f"  [{', '.join(item.tags)}]" if item.tags else ""
        eased = f"  ({item.level})" if item.level.eased_from is not None else ""
        lines.append(
            f"{name}  {seconds_text(item.total_seconds):>12}  level {item.level.value:<3}  "
            f"{item.title}{tags}{eased}{yours(item.entry)}"
        )
    return "\n".join(lines)


def yours(entry: library.Entry) -> str:
    """What sets one of the user's own programs apart from the bundled ones, in a listing."""
    if entry.replaces_bundled:
        return "  (yours, in place of the bundled one)"
    return "  (yours)" if entry.source == "user" else ""


def item_json(item: library.Item) -> dict[str, Any]:
    total = item.total_seconds
    return {
        "name": item.entry.name,
        "title": item.title,
        "path": item.entry.path_text,
        "source": item.entry.source,
        "replaces_bundled": item.entry.replaces_bundled,
        "tags": list(item.tags),
        "total_seconds": None if total is None else json_number(total),
        **level_json(item.level),
        "summary": item.program.summary if item.program else None,
        "error": item.error,
    }


# --- history ------------------------------------------------------------------------------

FUTURE_MARK = "!"
"""Marks a session in the future, in the first column of `history_lines`."""
FUTURE_WORDS = "later than now: the clock that dated it was wrong. It counts for no day or week."


def history_lines(
    records: Iterable[SessionRecord],
    totals: Totals,
    levels: Mapping[str, Level],
    *,
    filtered: bool,
    now: datetime,
    earlier: int = 0,
) -> Iterator[str]:
    """Totals, one line per session (oldest first; read as they are written), and each
    program's level now. ``earlier`` sessions came before those and are not listed: a line says
    how many, and how to list them. A session in the future (`SessionRecord.in_future`) is
    marked, and the mark said once under them.

    ``filtered``: only one program's sessions were asked for.
    """
    listed = iter(records)
    first = next(listed, None)
    if first is None and not earlier:
        yield "No sessions of that program." if filtered else "No sessions yet."
        return
    yield totals.describe()
    yield ""
    # As the app's table: how a session ended only when it did not complete, beside its
    # time, so that the notes begin within 80 columns.
    yield f"  {'when':<16}  {'program':<20} {'level':>5}  {'time':<14}  {'pain':<7}  notes"
    if earlier:
        sessions = f"{earlier:,} earlier session{'' if earlier == 1 else 's'}"
        yield f"  … {sessions}: `spasmtimer history --all` lists every one"
    future = False
    for r in itertools.chain([first] if first is not None else [], listed):
        in_future = r.in_future(now)
        future = future or in_future
        mark = FUTURE_MARK if in_future else " "
        when = r.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        notes = (r.notes or "").replace("\n", " ")
        time = done_cell(r.done_seconds, r.completed, r.status)
        yield (
            f"{mark} {when:<16}  {r.program[:20]:<20} {r.level:>5}  {time:<14}  "
            f"{pain_text(r.pain_before, r.pain_after):<7}  {notes}"
        )
    if future:
        yield ""
        yield f"{FUTURE_MARK} {FUTURE_WORDS}"
    yield ""
    yield "Now at: " + "; ".join(f"{p} {lv}" for p, lv in sorted(levels.items()))


def session_export(record: SessionRecord, events: Sequence[EventRecord]) -> dict[str, Any]:
    """A session as ``history --json`` gives it: `EXPORT_FIELDS`, events included."""
    return {**record.as_json(), "events": [e.as_json() for e in events]}


def write_history_csv(
    records: Sequence[SessionRecord], events: Mapping[str, Sequence[EventRecord]], out: TextIO
) -> None:
    """`write_exported_csv` of ``records``, each with its ``events`` (by session id)."""
    write_exported_csv(((r, events.get(r.id, [])) for r in records), out)


def write_exported_csv(
    exported: Iterable[tuple[SessionRecord, Sequence[EventRecord]]], out: TextIO
) -> None:
    """The sessions as CSV, each row written as its session is read, their events as a JSON
    list in one column. A cell that a spreadsheet would run as a formula (a note that starts
    with ``=``, ``+``, ``-`` or ``@``) starts with ``'`` instead."""
    writer = csv.DictWriter(out, EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record, events in exported:
        row = session_export(record, events)
        row["events"] = json.dumps(row["events"], ensure_ascii=False, separators=(",", ":"))
        writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})


def write_json_list(values: Iterable[Any], out: TextIO) -> None:
    """`to_json` of a list, written as its values come: an export of years is never held
    whole."""
    written = False
    for value in values:
        out.write(("[\n  " if not written else ",\n  ") + _compact_json(value))
        written = True
    out.write("\n]\n" if written else "[]\n")
