"""The ``spasmtimer`` command line: parse the arguments, and hand each command to its module.

Each command imports what it needs inside itself: pydantic and the loader cost about 150 ms,
Textual about 200 ms more, and ``--version``, ``--help`` or ``check`` should not pay for what
they do not use. The text the commands print is written in `spasmtimer.cli.reports`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence

from spasmtimer import __version__
from spasmtimer.base import exits, startup
from spasmtimer.base.text import TerminalText

# As typing.TYPE_CHECKING, which type checkers read as true, without importing typing (3 ms of
# every `--version`, `--help` and status line).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import timedelta
    from typing import Any

    from spasmtimer.app.screens.remind import Remind
    from spasmtimer.history.store import History
    from spasmtimer.program.resolved import Program
    from spasmtimer.program.timeline import Timeline
    from spasmtimer.session.levels import Level
    from spasmtimer.session.library import Entry, Item
    from spasmtimer.session.reminders import Window
    from spasmtimer.session.settings import Loaded, Settings

MAX_LEVEL = 1_000_000
"""Far past any cap a program could have in use, and small enough for SQLite to keep."""
COMMANDS = (
    "run",
    "remind",
    "check",
    "plan",
    "list",
    "new",
    "history",
    "status",
    "schema",
    "serve",
    "completion",
)
"""The commands `build_parser` makes, so one can be built alone (see there)."""
BREAK_PROGRAM = "desk-break"
"""The break `remind` and `status` are about unless told: the short one for desk workers."""
BREAK_EVERY = "45m"
"""How often a break is due unless told: the articles' "get up from prolonged sitting"."""
WRITE_WAIT_AT_EXIT = 5.0
"""At exit, how long to wait for history writes that another program's lock (or a full disk)
holds up, before saying what was not saved."""


class Failure(Exception):
    """An error the user can act on: printed as one message, exit status 1."""


def error(message: str) -> None:
    print(f"spasmtimer: {message}", file=sys.stderr)


# --- shared helpers -----------------------------------------------------------------------


def load(program: str, *, cached: bool = True) -> tuple[Entry, Program]:
    """Find and load a program by path or name, or raise `Failure`/`ProgramError`. A program
    loaded before, and unchanged since, comes from the cache (`program_cache`) unless not
    ``cached``."""
    from spasmtimer.session import library

    if cached:
        from spasmtimer.program.cache import load_program
    else:
        from spasmtimer.program.loader import load_program

    try:
        entry = library.find(program)
    except library.NotFound as e:
        raise Failure(str(e)) from None
    shown = str(entry.path) if entry.source == "file" else library.shown_path(entry.path)
    return entry, load_program(entry.path, shown=shown, default_prepare=user_settings().prepare)


@functools.cache
def settings_loaded() -> Loaded:
    """The settings file, read once; problems with it are reported once, on stderr."""
    from spasmtimer.session.settings import load_settings

    loaded = load_settings()
    for problem in loaded.problems:
        error(problem)
    return loaded


def user_settings() -> Settings:
    return settings_loaded().settings


@functools.cache
def open_history() -> History | None:
    """The history database, or None (with a message) when it cannot be had: the timer still
    works without it."""
    from spasmtimer.base import locations
    from spasmtimer.history.store import History, HistoryError

    try:
        history = History.open(locations.history_file())
    except HistoryError as e:
        error(f"history unavailable, nothing will be recorded: {e}")
        return None
    for problem in history.problems:
        error(problem)
    history.warn = error
    return history


def current_level(name: str, cap: int | None) -> Level:
    """The level a program runs at now, from its history (0 without one)."""
    from spasmtimer.session.levels import Level

    history = open_history()
    return history.current_level(name, cap) if history else Level(0)


def level_to_run(args: argparse.Namespace, entry: Entry, program: Program) -> Level:
    """``--level N`` if given, else the program's current level."""
    from spasmtimer.program.timeline import cap_level
    from spasmtimer.session.levels import Level

    if args.level is not None:
        return Level(args.level)
    return current_level(entry.name, cap_level(program))


def expand_at(program: Program, level: int) -> Timeline:
    from spasmtimer.program.timeline import LimitError, expand

    try:
        return expand(program, level)
    except LimitError as e:
        raise Failure(f"{program.path}: at level {level}, {e}") from None


# --- run ----------------------------------------------------------------------------------


def can_draw() -> bool:
    """Can the full-screen app draw here: a real terminal, or a browser through `serve`?

    A terminal on stdin too: the app reads its keys there (``nohup`` or ``< file`` leave it
    nothing to read)."""
    if os.environ.get("TEXTUAL_DRIVER"):  # textual-serve runs us with its web driver
        return True
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    return terminal and os.environ.get("TERM", "") not in ("", "dumb")


def wants_plain(args: argparse.Namespace) -> bool:
    """Plain text when asked, when stdout is not a terminal, or when the terminal is dumb."""
    return bool(args.plain) or not can_draw()


def cmd_run(args: argparse.Namespace) -> int:
    from spasmtimer.session import library

    entry, program = load(args.program)
    level = level_to_run(args, entry, program)
    timeline = expand_at(program, level.value)
    item = library.Item(entry, program, None, level, timeline.total_seconds)
    if not wants_plain(args):
        return open_app(
            run=(item, timeline), bell=not args.no_bell, notify=args.notify, resume=args.resume
        )
    from spasmtimer.cli.plain import PlainRunner
    from spasmtimer.history.recording import HistoryWriter, SessionRecorder
    from spasmtimer.history.service import find_resumable, resumption
    from spasmtimer.session import safety
    from spasmtimer.session.display import clock
    from spasmtimer.session.engine import Session

    history = open_history()
    stopped = find_resumable(history, entry.name, program) if history else None
    if stopped is not None and not args.resume:
        error(
            f"a session of {entry.name} stopped early can be taken up again at "
            f"{clock(stopped.position)}: spasmtimer run {entry.name} --resume"
        )
        stopped = None
    if stopped is not None:
        timeline = expand_at(program, stopped.level)
    writer = HistoryWriter(history.path, error) if history else None
    recorder = None
    if history and writer:
        recorder = SessionRecorder(
            history,
            writer,
            program=entry.name,
            title=program.title,
            path=str(entry.path),
            timeline=timeline,
            resuming=stopped,
        )
    first_use = not safety.seen()
    runner = PlainRunner(
        Session(timeline),
        title=program.title,
        caution=program.caution,
        bell=not args.no_bell and user_settings().bell,
        notice=safety.notice_text() if first_use else None,
        resume=resumption(stopped) if stopped else None,
        recorder=recorder,
    )
    startup.started()  # the first line is next: see spasmtimer.base.startup
    try:
        outcome = runner.run()
    finally:
        if writer:
            writer.close(WRITE_WAIT_AT_EXIT)
    if first_use:
        safety.record_seen()
    return outcome.exit_status


def open_app(
    *,
    run: tuple[Item, Timeline] | None = None,
    remind: Remind | None = None,
    bell: bool = True,
    notify: bool = False,
    resume: bool = False,
) -> int:
    # Textual takes about 0.2 s to import: only the app's own paths pay for it.
    from spasmtimer.app import SpasmtimerApp
    from spasmtimer.history.service import NoHistory, StoredHistory

    # Problems already printed are shown again in the app: the screen it opens hides stderr.
    loaded = settings_loaded()
    history = open_history()
    stored = StoredHistory(history, error) if history else None
    app = SpasmtimerApp(
        settings=loaded.settings,
        notices=loaded.problems + (history.problems if history else []),
        run=run,
        remind=remind,
        history=stored or NoHistory(),
        bell=bell,
        notify=notify,
        resume=resume,
    )

    def finish() -> None:
        startup.started()  # should the app have ended before its first frame
        if stored:
            stored.on_warning(error)  # the screen is gone: what is left to say goes to stderr
            stored.close(WRITE_WAIT_AT_EXIT)

    return app.run_on_terminal(finish)  # which calls startup.started() once it has drawn


# --- remind -------------------------------------------------------------------------------


def cmd_remind(args: argparse.Namespace) -> int:
    from spasmtimer.session import reminders

    window = _window(args.between) if args.between is not None else None
    every = _every(args.every)
    problem = reminders.every_problem(every, window)
    if problem:
        raise Failure(f"--every {args.every} {problem}")
    entry, program = load(args.program)
    if wants_plain(args):
        return remind_plain(args, entry, program, every, window)
    from spasmtimer.app.screens.remind import Remind
    from spasmtimer.history.store import last_session
    from spasmtimer.program.timeline import cap_level
    from spasmtimer.session import library

    level = current_level(entry.name, cap_level(program))
    item = library.Item(entry, program, None, level, expand_at(program, level.value).total_seconds)
    history = open_history()  # the app's, which records the breaks it runs
    path = history.path if history else None
    return open_app(
        remind=Remind(
            item, every, window, lambda: last_session(path, entry.name) if path else None
        ),
        bell=not args.no_bell,
        notify=args.notify,
    )


def remind_plain(
    args: argparse.Namespace,
    entry: Entry,
    program: Program,
    every: timedelta,
    window: Window | None,
) -> int:
    """``remind --plain``. It may run for days: the history is only ever opened for a moment
    (a look every few seconds, the level when a break is due), never held."""
    from spasmtimer.base import locations
    from spasmtimer.cli.plain import Interrupted, signals_interrupt
    from spasmtimer.history.store import History, HistoryError, last_session
    from spasmtimer.program.problems import ProgramError
    from spasmtimer.program.timeline import cap_level
    from spasmtimer.session import reminders
    from spasmtimer.session.display import clock
    from spasmtimer.session.levels import Level

    if 1 in closed_at_start:
        # It would run for days, its reminders going nowhere.
        raise Failure("remind --plain reminds on stdout, and it is closed")
    path = locations.history_file()

    def described(program: Program) -> tuple[str, str]:
        """Its title and its length at its level now."""
        try:
            history = History.open(path)
        except HistoryError:
            level = Level(0)
        else:
            level = history.current_level(entry.name, cap_level(program))
            history.close()
        return program.title, clock(expand_at(program, level.value).total_seconds)

    first = described(program)

    def describe() -> tuple[str, str]:
        """The program as its file says now, or as it was if it no longer loads."""
        try:
            return described(load(args.program)[1])
        except (Failure, ProgramError):
            return first

    schedule = reminders.Reminders(
        every, window, last_session=lambda: last_session(path, entry.name)
    )
    plain = reminders.PlainReminders(
        schedule,
        describe=describe,
        # Named as `run` is given it: a library name, or the path of a file.
        program=str(entry.path) if entry.source == "file" else entry.name,
        out=sys.stdout,
        bell=_bell() if not args.no_bell and user_settings().bell else None,
    )
    state = schedule.state()
    error(
        f"reminding: {reminders.schedule_text(program.title, every, window)}; the next "
        f"break at {reminders.when_text(state.due_at, state.now)} (Ctrl-C to stop)"
    )
    startup.started()
    try:
        with signals_interrupt():
            plain.run()
    except Interrupted as e:
        return exits.signalled(e.signum)
    return exits.OK


def _bell() -> Callable[[], None] | None:
    """The terminal bell, when stdout is a terminal: never into a pipe or a file."""
    out = sys.stdout
    if isinstance(out, TerminalText) and out.isatty():

        def ring() -> None:
            out.bell()
            out.flush()

        return ring
    return None


EVERY_FORMS = "a duration from 1m to 24h, such as 45m, 1h or 1h30m"


def _every(text: str) -> timedelta:
    """``--every``, read as a program's durations are ("45m", "1h30m", "90m")."""
    from datetime import timedelta

    from spasmtimer.program.durations import NUMBER, DurationError, parse_duration
    from spasmtimer.session import reminders

    number = text.strip()
    if re.fullmatch(NUMBER, number) and float(number) > 0:
        raise Failure(f"--every needs a unit: {number}m for minutes, {number}h for hours")
    try:
        seconds = parse_duration(text)
    except DurationError as e:
        if e.kind == "duration_carry":  # "1m70s": the message says what was likely meant
            raise Failure(f"--every {e}") from None
        raise Failure(f"--every must be {EVERY_FORMS} (got {text!r})") from None
    every = timedelta(seconds=seconds)
    if not reminders.SHORTEST_EVERY <= every <= reminders.LONGEST_EVERY:
        raise Failure(f"--every must be {EVERY_FORMS} (got {text!r})")
    return every


def _window(text: str) -> Window:
    from spasmtimer.session import reminders

    try:
        return reminders.parse_window(text)
    except ValueError as e:
        raise Failure(f"--between {e} (got {text!r})") from None


# --- the other commands -------------------------------------------------------------------


def cmd_history(args: argparse.Namespace) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.history.store import totals
    from spasmtimer.session import library

    history = open_history()
    if history is None:
        return exits.INVALID
    records = history.sessions(args.program)
    if args.json:
        events = history.exported_events()
        print(reports.to_json([reports.session_export(r, events.get(r.id, [])) for r in records]))
    elif args.csv:
        reports.write_history_csv(records, history.exported_events(), sys.stdout)
    else:
        names = {r.program for r in records}
        levels = {name: current_level(name, library.cap_of(name)) for name in names}
        totals_now = totals(records, history.now())
        print(reports.history_text(records, totals_now, levels, filtered=bool(args.program)))
    return exits.OK


def cmd_status(args: argparse.Namespace) -> int:
    import sqlite3

    from spasmtimer.base import locations
    from spasmtimer.history.status import status_line, status_of
    from spasmtimer.history.store import History, HistoryError, utc_now
    from spasmtimer.session import library

    every = _every(args.every).total_seconds()
    try:
        name = library.find(args.program).name
    except library.NotFound as e:
        raise Failure(str(e)) from None
    history = None
    try:
        history = History.peek(locations.history_file())
        records = history.sessions() if history else []
    except (HistoryError, sqlite3.Error) as e:
        raise Failure(f"history unavailable: {e}") from None
    finally:
        if history:
            history.close()
    print(status_line(status_of(records, name, every, utc_now()), tmux=args.tmux))
    return exits.OK


def cmd_check(args: argparse.Namespace) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.program.problems import ProgramError

    status = exits.OK
    for name in args.files:
        try:
            # Validated from scratch, always: `check` is what a person runs to be sure.
            _, program = load(name, cached=False)
        except ProgramError as e:
            print(e, file=sys.stderr)
            status = exits.INVALID
            continue
        except Failure as e:
            error(str(e))
            status = exits.INVALID
            continue
        say_warnings(program)
        print(reports.check_ok(name, expand_at(program, 0), len(program.warnings)))
    return status


def say_warnings(program: Program) -> None:
    """A program's warnings, one per line on stderr: they never change the exit status."""
    for warning in program.warnings:
        print(warning, file=sys.stderr)


def cmd_plan(args: argparse.Namespace) -> int:
    from spasmtimer.cli import reports
    from spasmtimer.program.timeline import progression

    entry, program = load(args.program)
    say_warnings(program)
    level = level_to_run(args, entry, program)
    timeline = expand_at(program, level.value)
    table = progression(program)
    if args.json:
        document = timeline.as_json()
        document.update(
            reports.level_json(level),
            name=entry.name,
            path=str(entry.path),
            progression=table.as_json(),
        )
        print(reports.to_json(document))
    else:
        print(reports.plan_text(program, timeline, level, table))
    return exits.OK


def cmd_list(args: argparse.Namespace) -> int:
    from spasmtimer.session import library

    if args.names:
        # For shell completion: names only, from the folders, nothing loaded.
        from spasmtimer.cli.completion import shell_safe_name

        for name in sorted({entry.name for entry in library.entries()}):
            if shell_safe_name(name):
                print(name)
        return exits.OK
    from spasmtimer.cli import reports

    items = library.load_items(current_level, user_settings().prepare)
    if args.json:
        print(reports.to_json([reports.item_json(item) for item in items]))
    else:
        print(reports.list_text(items))
    return exits.OK


def cmd_new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from spasmtimer.base import locations
    from spasmtimer.base.text import has_control
    from spasmtimer.program.starter import title_from_name, write_starter

    if not args.file.strip():
        raise Failure("give the new program's file name, such as my-stretches.toml")
    try:
        path = Path(args.file).expanduser()
    except RuntimeError:  # ~someone, and there is no such user
        raise Failure(f"{args.file}: no such user's home folder") from None
    if path.is_dir():
        raise Failure(f"{path}: is a folder; give the new program's file name")
    if not path.name.isprintable():  # a newline or an escape would follow it into every message
        raise Failure(f"{path.name!r}: a program's file name must be plain text, on one line")
    if not path.suffix:
        path = path.with_suffix(".toml")
    title = title_from_name(path) if args.title is None else args.title.strip()
    if not title or has_control(title):
        raise Failure("--title must be plain text, and not empty")
    made_folder = not path.parent.exists()
    try:
        write_starter(path, title)
    except FileExistsError:
        raise Failure(f"{path}: already exists; spasmtimer new never overwrites a file") from None
    except OSError as e:
        raise Failure(f"{path}: cannot be written: {e.strerror or e}") from None
    # In the programs folder, the program is found by its name.
    in_library = path.parent.resolve() == locations.user_programs_dir().resolve()
    made = f" (and made the folder {path.parent})" if made_folder else ""
    run = path.stem if in_library else str(path)
    print(f"Wrote {path}{made}. Edit it, then: spasmtimer check {path} && spasmtimer run {run}")
    return exits.OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from spasmtimer.program.schema import program_schema

    print(json.dumps(program_schema(), indent=2, ensure_ascii=False))
    return exits.OK


def cmd_completion(args: argparse.Namespace) -> int:
    from spasmtimer.cli.completion import script

    print(script(build_parser(), args.shell))
    return exits.OK


def cmd_serve(args: argparse.Namespace) -> int:
    import shlex

    port = _port(args.port)
    try:
        from spasmtimer.app.serve import CannotListen, GuardedServer, is_loopback
    except ImportError:
        raise Failure("serve needs textual-serve: pip install 'spasmtimer[serve]'") from None
    command = f"{shlex.quote(sys.executable)} -m spasmtimer"
    if args.program:
        load(args.program)  # a clear message now rather than in the browser
        # "--": a program named like an option is still a program.
        command += f" run -- {shlex.quote(args.program)}"
    server = GuardedServer(command, host=args.host, port=port)

    def announce() -> None:
        if not is_loopback(args.host):
            error(
                f"warning: listening on {args.host!r}, beyond this machine: anyone who can "
                "reach it and learns the URL's token can use the app, over plain http"
            )
        print(
            f"spasmtimer at {server.url()} (Ctrl-C to stop). From another machine:\n"
            f"  ssh -L {port}:localhost:{port} THIS-MACHINE, then open {server.url('localhost')}",
            flush=True,
        )

    try:
        server.run(ready=announce)
    except CannotListen as e:
        raise Failure(str(e)) from None
    return exits.OK


# --- the parser ---------------------------------------------------------------------------


def _level(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value <= MAX_LEVEL:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_LEVEL:,} (got {value})")
    return value


def _port(text: str) -> int:
    """The ``--port`` of ``serve``: checked here rather than by argparse, whose usage error
    (exit 2, two lines) is not the one-line message and exit 1 the serve contract promises."""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 65535:
        return int(text)
    raise Failure(f"--port must be a whole number from 1 to 65535 (got {text!r})")


def _reads_negative_values(parser: argparse.ArgumentParser) -> None:
    """``--every -5m`` is a bad duration, to be said so, not a missing one: a dash before a
    digit starts a value, as argparse already reads "-5". (argparse has no public way.)"""
    parser._negative_number_matcher = re.compile(r"^-\d")


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, told the width: finding it itself, argparse imports shutil (and bz2, lzma and
    zlib with it), a tenth of what `--version` and `--help` take."""

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", _terminal_columns() - 2)  # as argparse's own
        super().__init__(prog, **options)


def _terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it: $COLUMNS, else stdout's."""
    columns = int(os.environ["COLUMNS"]) if os.environ.get("COLUMNS", "").isdigit() else 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):  # stdout closed, or not a terminal
            columns = 0
    return columns or 80


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, that command's alone ("": none) — argparse
    builds every command's parser in full, which a status bar's `spasmtimer status` would pay
    for on every redraw. All of them (``only`` None) for help, errors and completion."""
    from spasmtimer.cli.completion import SHELLS, completes_programs

    parser = argparse.ArgumentParser(
        prog="spasmtimer",
        description="A calm, exact timer for lower-back stretches and breathing drills.",
        epilog=_examples(
            "spasmtimer                       the app, on the program library",
            "spasmtimer run desk-break        a session, now",
            "spasmtimer COMMAND --help        what a command does, with examples",
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"spasmtimer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def wants(name: str) -> bool:
        return only is None or name == only

    def command(
        name: str,
        handler: Callable[[argparse.Namespace], int],
        summary: str,
        examples: tuple[str, ...],
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=_examples(*examples),
            formatter_class=_HelpFormatter,
        )
        sub.set_defaults(handler=handler)
        return sub

    if wants("run"):
        run = command(
            "run",
            cmd_run,
            "run a program",
            (
                "spasmtimer run desk-break",
                "spasmtimer run seated-hamstring --level 4",
                "spasmtimer run ~/drills/evening.toml --plain --no-bell",
            ),
        )
        completes_programs(
            run.add_argument("program", metavar="PROGRAM", help="a .toml file or a program's name")
        )
        run.add_argument("--level", type=_level, metavar="N", help="run this session at level N")
        run.add_argument(
            "--plain",
            action="store_true",
            help="one line of text per phase (automatic when stdout is not a terminal)",
        )
        run.add_argument("--no-bell", action="store_true", help="no terminal bell")
        run.add_argument(
            "--resume",
            action="store_true",
            help="take up a session of this program stopped early (within 12 hours) where it got "
            "to, without asking",
        )
        run.add_argument(
            "--notify",
            action="store_true",
            help="desktop notifications at each new step, side switch and the end, for this run "
            "(by default only on terminals known to show them)",
        )

    if wants("remind"):
        remind = command(
            "remind",
            cmd_remind,
            "wait in a terminal, and say when it is time for a break",
            (
                "spasmtimer remind",
                "spasmtimer remind gentle-mobility --every 1h --between 09:00-18:00",
                "tmux split-window -h -l 30 'spasmtimer remind'",
                "spasmtimer remind --plain >> ~/breaks.log",
            ),
        )
        completes_programs(
            remind.add_argument(
                "program",
                nargs="?",
                default=BREAK_PROGRAM,
                metavar="PROGRAM",
                help=f"the break: a .toml file or a program's name (default {BREAK_PROGRAM})",
            )
        )
        remind.add_argument(
            "--every",
            default=BREAK_EVERY,
            metavar="DURATION",
            help="the time from one break to the next, such as 45m, 1h or 1h30m "
            f"(default {BREAK_EVERY})",
        )
        remind.add_argument(
            "--between",
            metavar="HH:MM-HH:MM",
            help="only between these times of the day, such as 09:00-18:00 (22:00-02:00 runs "
            "over midnight)",
        )
        remind.add_argument(
            "--plain",
            action="store_true",
            help="one line when a break is due, and nothing else (automatic when stdout is not a "
            "terminal)",
        )
        remind.add_argument("--no-bell", action="store_true", help="no terminal bell")
        remind.add_argument(
            "--notify",
            action="store_true",
            help="a desktop notification when a break is due, even where the terminal is not "
            "known to show them",
        )
        _reads_negative_values(remind)

    if wants("check"):
        check = command(
            "check",
            cmd_check,
            "validate program files",
            (
                "spasmtimer check evening.toml",
                "spasmtimer check ~/.config/spasmtimer/programs/*.toml",
            ),
        )
        check.add_argument("files", nargs="+", metavar="FILE")

    if wants("plan"):
        plan = command(
            "plan",
            cmd_plan,
            "show a program's timeline and progression without running it",
            (
                "spasmtimer plan desk-break",
                "spasmtimer plan evening.toml --level 3",
                "spasmtimer plan desk-break --json > desk-break.json",
            ),
        )
        completes_programs(
            plan.add_argument("program", metavar="PROGRAM", help="a .toml file or a program's name")
        )
        plan.add_argument("--level", type=_level, metavar="N", help="plan at level N")
        plan.add_argument("--json", action="store_true", help="print JSON")

    if wants("list"):
        listing = command(
            "list",
            cmd_list,
            "list the bundled programs and your own",
            ("spasmtimer list", "spasmtimer list --json"),
        )
        listing_form = listing.add_mutually_exclusive_group()
        listing_form.add_argument("--json", action="store_true", help="print JSON")
        listing_form.add_argument(
            "--names", action="store_true", help="only the names, one a line (for shell completion)"
        )

    if wants("new"):
        new = command(
            "new",
            cmd_new,
            "write a commented starter program (never overwrites)",
            (
                "spasmtimer new evening.toml",
                "spasmtimer new ~/.config/spasmtimer/programs/evening.toml",
            ),
        )
        new.add_argument("file", metavar="FILE")
        new.add_argument(
            "--title", metavar="TITLE", help="the program's title (default: from the file's name)"
        )

    if wants("history"):
        past = command(
            "history",
            cmd_history,
            "past sessions, streaks and totals",
            (
                "spasmtimer history",
                "spasmtimer history --program desk-break",
                "spasmtimer history --csv > sessions.csv",
            ),
        )
        past.add_argument("--program", metavar="NAME", help="only this program's sessions")
        output = past.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="print JSON")
        output.add_argument("--csv", action="store_true", help="print CSV, to export")

    if wants("status"):
        status = command(
            "status",
            cmd_status,
            "one short line for a tmux status bar or a shell prompt: the next break, today, streak",
            (
                "spasmtimer status",
                "spasmtimer status desk-break --every 1h",
                "set -g status-right '#(spasmtimer status --tmux)'   # in ~/.tmux.conf",
            ),
        )
        completes_programs(
            status.add_argument(
                "program",
                nargs="?",
                default=BREAK_PROGRAM,
                metavar="PROGRAM",
                help=f"the break program (default {BREAK_PROGRAM})",
            )
        )
        status.add_argument(
            "--every",
            default=BREAK_EVERY,
            metavar="DURATION",
            help=f"a break is due this long after the last (default {BREAK_EVERY})",
        )
        status.add_argument(
            "--tmux", action="store_true", help="colour it with tmux's status-bar markup"
        )
        _reads_negative_values(status)

    if wants("schema"):
        command(
            "schema",
            cmd_schema,
            "print the JSON Schema of the program format",
            ("spasmtimer schema > ~/.config/spasmtimer/program.schema.json",),
        )

    if wants("serve"):
        serve = command(
            "serve",
            cmd_serve,
            "the app in a web browser (needs spasmtimer[serve])",
            (
                "spasmtimer serve",
                "spasmtimer serve desk-break --port 8080",
                "ssh -L 8000:localhost:8000 you@box spasmtimer serve",
            ),
        )
        completes_programs(
            serve.add_argument(
                "program", nargs="?", metavar="PROGRAM", help="run this program directly"
            )
        )
        serve.add_argument(
            "--host",
            default="127.0.0.1",
            help="address to listen on (default 127.0.0.1: this machine only)",
        )
        serve.add_argument("--port", default="8000", metavar="PORT", help="port (default 8000)")

    if wants("completion"):
        completion = command(
            "completion",
            cmd_completion,
            "print the shell completion script for bash, zsh or fish",
            (
                'eval "$(spasmtimer completion bash)"      # in ~/.bashrc',
                'eval "$(spasmtimer completion zsh)"       # in ~/.zshrc, after compinit',
                "spasmtimer completion fish | source      # in ~/.config/fish/config.fish",
            ),
        )
        completion.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")

    return parser


closed_at_start: set[int] = set()
"""The standard files (0, 1, 2) that were closed as the command started."""


def _fill_closed_standard_files() -> None:
    """Give a closed stdin, stdout or stderr (``spasmtimer list >&-``) the null device.

    Otherwise the next file opened — the history database — would take its number, and
    whatever is printed would be written into it.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # takes the lowest free number: this one
            closed_at_start.add(fd)
    for fd, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is None:
            # On the null device just given its number: Textual draws on ``sys.__stderr__``,
            # which the app points at the terminal (`drawing_on_the_terminal`).
            stream = open(fd, mode, encoding="utf-8", closefd=False)  # noqa: SIM115
            setattr(sys, name, stream)
            setattr(sys, f"__{name}__", stream)
    for stream in (sys.stdout, sys.stderr):
        # Under a locale or PYTHONIOENCODING that is not UTF-8, a "·" or "é" is printed as "?"
        # rather than ending the command with UnicodeEncodeError.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


@contextlib.contextmanager
def terminal_text() -> Iterator[None]:
    """Everything the command prints goes through `TerminalText`: no escape sequence from a
    program, a note or a file name reaches the terminal, whatever path it takes."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(sys.stdout), TerminalText(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def main(argv: Sequence[str] | None = None) -> int:
    _fill_closed_standard_files()
    with terminal_text():
        try:
            status = _dispatch(argv)
            sys.stdout.flush()  # here, where a full disk can still be said in one line
            return status
        except KeyboardInterrupt:
            return exits.INTERRUPTED
        except BrokenPipeError:
            # The reader went away (``spasmtimer plan x | head``): not an error worth a message.
            _output_to_nowhere()
            return exits.OK
        except OSError as e:
            if e.errno not in OUTPUT_ERRNOS or e.filename is not None:
                raise
            # The output's disk is full (``spasmtimer history --csv > /mnt/full/h.csv``).
            _output_to_nowhere()
            error(f"cannot write the output: {e.strerror}")
            return exits.INVALID
        except Exception as e:
            if _caused_by_interrupt(e):
                return exits.INTERRUPTED
            if os.environ.get("SPASMTIMER_DEBUG"):
                raise
            # No traceback reaches the user: one line, and how to get the whole story.
            error(
                f"internal error: {type(e).__name__}: {e} (please report it; "
                "SPASMTIMER_DEBUG=1 shows the traceback)"
            )
            return exits.INVALID


OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
"""Why writing to stdout can fail, other than a reader gone away."""


def _output_to_nowhere() -> None:
    """What is left of the output goes to the null device: flushed at exit, it would fail
    again, with a traceback of Python's own."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _caused_by_interrupt(error: BaseException) -> bool:
    """Python 3.11 wraps a Ctrl-C that lands in a class's ``__set_name__`` (as importing
    Textual can) in a RuntimeError: it is still a Ctrl-C."""
    seen: BaseException | None = error
    for _ in range(10):  # a chain of causes is short; a cycle must not hang
        if seen is None:
            return False
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _only_command(argv: Sequence[str]) -> str | None:
    """The one command `build_parser` need build for ``argv``: "" for none (``--version``),
    None for all of them (help, no command, a mistyped one)."""
    first = argv[0] if argv else None
    if first in COMMANDS:
        return first
    return "" if first == "--version" else None


def _dispatch(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_only_command(argv))
    args = parser.parse_args(argv)
    if args.command not in (None, "run", "remind"):
        startup.started()  # only a session's or the app's start is worth holding it for
    if args.command is None:
        if not can_draw():
            parser.print_help()
            return exits.OK
        return open_app()
    try:
        status: int = args.handler(args)
    except Failure as e:
        error(str(e))
        return exits.INVALID
    except Exception as e:
        # Imported only now: `--version` and `--help` would pay for msgspec otherwise.
        from spasmtimer.program.problems import ProgramError

        if not isinstance(e, ProgramError):
            raise
        print(e, file=sys.stderr)
        return exits.INVALID
    return status


def run() -> None:
    """The console script's entry point."""
    try:
        status = main()
    except KeyboardInterrupt:  # Ctrl-C before main's own guard, or after it
        status = exits.INTERRUPTED
    if status == exits.INTERRUPTED:
        # CPython 3.11 remembers a Ctrl-C that landed inside an exec() or eval() of a string
        # (as building a dataclass does, during imports) and, handled or not, ends the process
        # by SIGINT instead of with this status. Everything is written: leave with it directly.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)
    sys.exit(status)
