"""The ``spasmtimer`` command line.

The Textual app is imported only by the commands that open it (about 0.2 s), so ``check``,
``plan``, ``list``, ``history`` and ``run --plain`` stay quick.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import os
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from spasmtimer import __version__, library, locations
from spasmtimer.display import KIND_WORDS, clock, phase_detail, seconds_text
from spasmtimer.history import History, HistoryError, SessionRecord, SessionRecorder, totals
from spasmtimer.loader import ProgramError, load_program
from spasmtimer.program import Program
from spasmtimer.settings import Loaded, Settings, load_settings
from spasmtimer.timeline import (
    LimitError,
    Timeline,
    cap_level,
    change_levels,
    expand,
    json_number,
    scheduled_values,
)

EXIT_OK = 0
EXIT_INVALID = 1  # argparse itself exits 2 for usage errors
EXIT_INTERRUPTED = 130
MAX_LEVEL = 1_000_000
"""Far past any cap a program could have in use, and small enough for SQLite to keep."""
PROGRESSION_ROWS = 60
"""At most this many levels are listed in a progression table."""


class Failure(Exception):
    """An error the user can act on: printed as one message, exit status 1."""


def error(message: str) -> None:
    print(f"spasmtimer: {message}", file=sys.stderr)


# --- shared helpers -----------------------------------------------------------------------


def load(program: str) -> tuple[library.Entry, Program]:
    """Find and load a program by path or name, or raise `Failure`/`ProgramError`."""
    try:
        entry = library.find(program)
    except library.NotFound as e:
        raise Failure(str(e)) from None
    shown = str(entry.path) if entry.source == "file" else library.shown_path(entry.path)
    return entry, load_program(entry.path, shown=shown, default_prepare=user_settings().prepare)


@functools.cache
def settings_loaded() -> Loaded:
    """The settings file, read once; problems with it are reported once, on stderr."""
    loaded = load_settings()
    for problem in loaded.problems:
        error(problem)
    return loaded


def user_settings() -> Settings:
    return settings_loaded().settings


def to_json(value: Any) -> str:
    """JSON with one line per top-level key and per element of a top-level list of objects.

    Readable in a terminal or a diff, and written by the C encoder: ``indent=`` would fall back
    to the pure-Python one, which takes 0.4 s for a plan of 10,000 phases.
    """

    def compact(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

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


@functools.cache
def open_history() -> History | None:
    """The history database, or None (with a message) when it cannot be had: the timer still
    works without it."""
    try:
        history = History.open(locations.history_file())
    except HistoryError as e:
        error(f"history unavailable, nothing will be recorded: {e}")
        return None
    for problem in history.problems:
        error(problem)
    return history


def current_level(name: str) -> int:
    """The level a program runs at now, from its history (0 without one)."""
    history = open_history()
    return history.current_level(name) if history else 0


def expand_at(program: Program, level: int) -> Timeline:
    try:
        return expand(program, level)
    except LimitError as e:
        raise Failure(f"{program.path}: at level {level}, {e}") from None


# --- run ----------------------------------------------------------------------------------


def can_draw() -> bool:
    """Can the full-screen app draw here: a real terminal, or a browser through `serve`?"""
    if os.environ.get("TEXTUAL_DRIVER"):  # textual-serve runs us with its web driver
        return True
    return sys.stdout.isatty() and os.environ.get("TERM", "") not in ("", "dumb")


def wants_plain(args: argparse.Namespace) -> bool:
    """Plain text when asked, when stdout is not a terminal, or when the terminal is dumb."""
    return bool(args.plain) or not can_draw()


def cmd_run(args: argparse.Namespace) -> int:
    entry, program = load(args.program)
    level = args.level if args.level is not None else current_level(entry.name)
    timeline = expand_at(program, level)
    if not wants_plain(args):
        item = library.Item(entry, program, None, level, timeline.total_seconds)
        return open_app(run=item, level=level, bell=not args.no_bell)
    from spasmtimer.engine import Session
    from spasmtimer.plain import PlainRunner

    history = open_history()
    recorder = (
        SessionRecorder(
            history,
            program=entry.name,
            title=program.title,
            path=str(entry.path),
            timeline=timeline,
            warn=error,
        )
        if history
        else None
    )
    runner = PlainRunner(
        Session(timeline),
        title=program.title,
        caution=program.caution,
        bell=not args.no_bell and user_settings().bell,
        recorder=recorder,
    )
    return runner.run().exit_status


def open_app(
    *, run: library.Item | None = None, level: int | None = None, bell: bool = True
) -> int:
    # Textual takes about 0.2 s to import: only the app's own paths pay for it.
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.app.services import history_services

    # Problems already printed are shown again in the app: the screen it opens hides stderr.
    loaded = settings_loaded()
    history = open_history()
    app = SpasmtimerApp(
        settings=loaded.settings,
        notices=loaded.problems + (history.problems if history else []),
        run=run,
        level=level,
        services=history_services(history),
        bell=bell,
    )
    app.run()
    return app.return_code or 0


# --- history ------------------------------------------------------------------------------

HISTORY_COLUMNS = [
    "id",
    "program",
    "title",
    "level",
    "started_at",
    "ended_at",
    "completed",
    "status",
    "planned_seconds",
    "done_seconds",
    "pain_before",
    "pain_after",
    "notes",
    "content_hash",
    "path",
]


def cmd_history(args: argparse.Namespace) -> int:
    history = open_history()
    if history is None:
        return EXIT_INVALID
    records = history.sessions(args.program)
    if args.json:
        print(to_json([r.as_json() for r in records]))
        return EXIT_OK
    if args.csv:
        writer = csv.DictWriter(
            sys.stdout, HISTORY_COLUMNS, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(r.as_json() for r in records)
        return EXIT_OK
    print(_history_text(records, history))
    return EXIT_OK


def _history_text(records: Sequence[SessionRecord], history: History) -> str:
    if not records:
        return "No sessions yet." if history.sessions() == [] else "No sessions of that program."
    lines = [
        totals(records, history.now()).describe(),
        "",
        f"  {'when':<16}  {'program':<20} {'level':>5}  {'time':>10}  {'':<9}  {'pain':<7}  notes",
    ]
    for r in records:
        pain = (
            ""
            if r.pain_before is None and r.pain_after is None
            else (
                f"{'-' if r.pain_before is None else r.pain_before} → "
                f"{'-' if r.pain_after is None else r.pain_after}"
            )
        )
        when = r.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        notes = (r.notes or "").replace("\n", " ")
        lines.append(
            f"  {when:<16}  {r.program[:20]:<20} {r.level:>5}  "
            f"{seconds_text(round(r.done_seconds)):>10}  {r.status:<9}  {pain:<7}  {notes}"
        )
    programs = sorted({r.program for r in records})
    lines += ["", "Now at: " + ", ".join(f"{p} level {history.current_level(p)}" for p in programs)]
    return "\n".join(lines)


# --- check --------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    status = EXIT_OK
    for name in args.files:
        try:
            _, program = load(name)
        except ProgramError as e:
            print(e, file=sys.stderr)
            status = EXIT_INVALID
            continue
        except Failure as e:
            error(str(e))
            status = EXIT_INVALID
            continue
        timeline = expand(program, 0)
        print(
            f"{name}: ok ({len(timeline.phases)} phases, "
            f"{seconds_text(timeline.total_seconds)} at level 0)"
        )
    return status


# --- plan ---------------------------------------------------------------------------------


def progression(program: Program) -> dict[str, Any]:
    """Each progressed value by level, at the levels where one changes, until all are capped."""
    values = scheduled_values(program)
    top = cap_level(program)
    rows: list[dict[str, Any]] = []
    for level in change_levels(program):
        if len(rows) == PROGRESSION_ROWS:
            break
        try:
            total: float | int | None = json_number(expand(program, level).total_seconds)
        except LimitError:
            total = None  # this level breaks the limits: plan says so rather than fail
        rows.append(
            {
                "level": level,
                "total_seconds": total,
                "values": [
                    {
                        "step": v.step + 1,
                        "name": v.name,
                        "key": v.key,
                        "value": json_number(v.at(level)),
                    }
                    for v in values
                ],
            }
        )
    return {"cap_level": top, "levels": rows, "complete": not rows or rows[-1]["level"] == top}


def cmd_plan(args: argparse.Namespace) -> int:
    entry, program = load(args.program)
    level = args.level if args.level is not None else current_level(entry.name)
    timeline = expand_at(program, level)
    table = progression(program)
    if args.json:
        document = timeline.as_json()
        document.update(name=entry.name, path=str(entry.path), progression=table)
        print(to_json(document))
        return EXIT_OK
    print(_plan_text(program, timeline, table))
    return EXIT_OK


def _plan_text(program: Program, timeline: Timeline, table: dict[str, Any]) -> str:
    rounds = f" · {program.rounds} rounds" if program.rounds > 1 else ""
    lines = [
        program.title,
        f"Level {timeline.level} · {seconds_text(timeline.total_seconds)} · "
        f"{len(timeline.phases)} phases{rounds}",
    ]
    if program.summary:
        lines.append(program.summary)
    if program.caution:
        lines.append(f"Caution: {program.caution}")
    lines += ["", "  start  phase             length  step"]
    for phase, start in zip(timeline.phases, timeline.starts(), strict=True):
        step = f"{phase.step + 1}. " if phase.step is not None else ""
        detail = phase_detail(phase)
        what = f"{step}{phase.name}" + (f" · {detail}" if detail else "")
        lines.append(
            f"{clock(start):>7}  {KIND_WORDS[phase.kind]:<16}  "
            f"{seconds_text(phase.seconds):>6}  {what}"
        )
    lines += ["", *_progression_text(program, table)]
    return "\n".join(lines)


def _progression_text(program: Program, table: dict[str, Any]) -> list[str]:
    rows = table["levels"]
    if not rows or not rows[0]["values"]:
        return ["No `progress` in this program: it is the same at every level."]
    lines = [
        f"Progression: values by level, until every one reaches its cap at level "
        f"{table['cap_level']}."
    ]
    first = rows[0]["values"]
    names = sorted({(v["step"], v["name"]) for v in first})
    lines += [f"  step {n}: {name}" for n, name in names]
    headers = ["level", "session"] + [f"{v['step']}.{v['key']}" for v in first]

    def cell(value: Any, key: str) -> str:
        return str(value) if key in ("reps", "cycles") else seconds_text(value)

    body = [
        [
            str(r["level"]),
            "over limits" if r["total_seconds"] is None else seconds_text(r["total_seconds"]),
        ]
        + [cell(v["value"], v["key"]) for v in r["values"]]
        for r in rows
    ]
    widths = [max(len(row[k]) for row in [headers, *body]) for k in range(len(headers))]
    for row in [headers, *body]:
        lines.append("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    if not table["complete"]:
        lines.append(f"  ... (the first {len(rows)} levels where a value changes are shown)")
    return lines


# --- list ---------------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    items = library.load_items(current_level, user_settings().prepare)
    if args.json:
        print(to_json([_item_json(item) for item in items]))
        return EXIT_OK
    if not items:
        print("No programs found.")
        return EXIT_OK
    width = max(len(item.entry.name) for item in items)
    for item in items:
        name = f"{item.entry.name:<{width}}"
        if item.error is not None or item.total_seconds is None:
            print(f"{name}  (cannot be loaded) {(item.error or '').splitlines()[0]}")
            continue
        tags = f"  [{', '.join(item.tags)}]" if item.tags else ""
        print(
            f"{name}  {seconds_text(item.total_seconds):>12}  level {item.level:<3}  "
            f"{item.title}{tags}"
        )
    return EXIT_OK


def _item_json(item: library.Item) -> dict[str, Any]:
    total = item.total_seconds
    return {
        "name": item.entry.name,
        "title": item.title,
        "path": str(item.entry.path),
        "source": item.entry.source,
        "tags": list(item.tags),
        "total_seconds": None if total is None else json_number(total),
        "level": item.level,
        "summary": item.program.summary if item.program else None,
        "error": item.error,
    }


# --- new ----------------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    from spasmtimer.starter import write_starter

    path = Path(args.file)
    if path.is_dir():
        raise Failure(f"{path}: is a folder; give the new program's file name")
    if not path.suffix:
        path = path.with_suffix(".toml")
    try:
        write_starter(path)
    except FileExistsError:
        raise Failure(f"{path}: already exists; spasmtimer new never overwrites a file") from None
    except OSError as e:
        raise Failure(f"{path}: cannot be written: {e.strerror or e}") from None
    print(f"Wrote {path}. Edit it, then: spasmtimer check {path} && spasmtimer run {path}")
    return EXIT_OK


# --- schema -------------------------------------------------------------------------------


def cmd_schema(args: argparse.Namespace) -> int:
    from spasmtimer.schema import program_schema

    print(json.dumps(program_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


# --- serve --------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise Failure("serve needs textual-serve: pip install 'spasmtimer[serve]'") from None
    command = f"{shlex.quote(sys.executable)} -m spasmtimer"
    if args.program:
        library.find(args.program)  # a clear message now rather than in the browser
        command += f" run {shlex.quote(args.program)}"
    print(
        f"spasmtimer at http://{args.host}:{args.port}/ (Ctrl-C to stop). From another machine:\n"
        f"  ssh -L {args.port}:localhost:{args.port} THIS-MACHINE, then open "
        f"http://localhost:{args.port}/",
        flush=True,
    )
    Server(command, host=args.host, port=args.port, title="spasmtimer").serve()
    return EXIT_OK


# --- the parser ---------------------------------------------------------------------------


def _level(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value <= MAX_LEVEL:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LEVEL:,} (got {value})")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spasmtimer",
        description="A calm, exact timer for lower-back stretches and breathing drills.",
    )
    parser.add_argument("--version", action="version", version=f"spasmtimer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], summary: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(handler=handler)
        return sub

    run = command("run", cmd_run, "run a program")
    run.add_argument("program", metavar="PROGRAM", help="a .toml file or a program's name")
    run.add_argument("--level", type=_level, metavar="N", help="run this session at level N")
    run.add_argument(
        "--plain",
        action="store_true",
        help="one line of text per phase (automatic when stdout is not a terminal)",
    )
    run.add_argument("--no-bell", action="store_true", help="no terminal bell")

    check = command("check", cmd_check, "validate program files")
    check.add_argument("files", nargs="+", metavar="FILE")

    plan = command("plan", cmd_plan, "show a program's timeline and progression without running it")
    plan.add_argument("program", metavar="PROGRAM", help="a .toml file or a program's name")
    plan.add_argument("--level", type=_level, metavar="N", help="plan at level N")
    plan.add_argument("--json", action="store_true", help="print JSON")

    listing = command("list", cmd_list, "list the bundled programs and your own")
    listing.add_argument("--json", action="store_true", help="print JSON")

    new = command("new", cmd_new, "write a commented starter program (never overwrites)")
    new.add_argument("file", metavar="FILE")

    past = command("history", cmd_history, "past sessions, streaks and totals")
    past.add_argument("--program", metavar="NAME", help="only this program's sessions")
    output = past.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print JSON")
    output.add_argument("--csv", action="store_true", help="print CSV, to export")

    command("schema", cmd_schema, "print the JSON Schema of the program format")

    serve = command("serve", cmd_serve, "the app in a web browser (needs spasmtimer[serve])")
    serve.add_argument("program", nargs="?", metavar="PROGRAM", help="run this program directly")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not can_draw():
            parser.print_help()
            return EXIT_OK
        return open_app()
    try:
        status: int = args.handler(args)
    except ProgramError as e:
        print(e, file=sys.stderr)
        return EXIT_INVALID
    except Failure as e:
        error(str(e))
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``spasmtimer plan x | head``): not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return status


def run() -> None:
    """The console script's entry point."""
    sys.exit(main())
