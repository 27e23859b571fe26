"""``spasmtimer remind [PROGRAM]``: wait in a terminal, and say when a break is due."""

from __future__ import annotations

import sys

from spasmtimer.base import exits, startup
from spasmtimer.base.errors import UserError
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context, expand_at, say
from spasmtimer.cli.launch import open_app, wants_plain

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from datetime import timedelta

    from spasmtimer.cli.course_times import CourseTimes
    from spasmtimer.program.resolved import Program
    from spasmtimer.session.library import Entry
    from spasmtimer.session.reminders import Window

SUMMARY = "wait in a terminal, and say when it is time for a break (or the course's next session)"
EXAMPLES = (
    "spasmtimer remind",
    "spasmtimer remind gentle-mobility      # at the course's times for it",
    "spasmtimer remind gentle-mobility --every 1h --between 09:00-18:00",
    "tmux split-window -h -l 30 'spasmtimer remind'",
    "spasmtimer remind --plain >> ~/breaks.log",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(
        parser,
        "the break: a .toml file or a program's name (default: the course's first program "
        f"with times, or {arguments.BREAK_PROGRAM})",
        optional=True,
    )
    arguments.add_every(
        parser,
        "the time from one break to the next, such as 45m, 1h or 1h30m (default: the "
        f"course's times for the program, or {arguments.BREAK_EVERY})",
    )
    parser.add_argument(
        "--between",
        metavar="HH:MM-HH:MM",
        help="only between these times of the day, such as 09:00-18:00 (22:00-02:00 runs "
        "over midnight)",
    )
    arguments.add_plain(
        parser,
        "one line when a break is due, and nothing else (automatic when stdout is not a terminal)",
    )
    arguments.add_notify(
        parser,
        "a desktop notification when a break is due, even where the terminal is not known to "
        "show them",
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.session import reminders

    window = arguments.window(args.between) if args.between is not None else None
    every = arguments.every(args.every)
    problem = reminders.every_problem(every, window)
    if problem:
        raise UserError(f"--every {args.every or arguments.BREAK_EVERY} {problem}")
    from spasmtimer.cli.course_times import course_times

    times = None if args.every or args.between else course_times(args.program)
    if times is not None:
        args.program = times.program
    args.program = args.program or arguments.BREAK_PROGRAM
    entry, program = context.load(args.program)
    if wants_plain(args):
        return remind_plain(args, context, entry, program, every, window, times)
    from spasmtimer.app.screens.remind import Remind
    from spasmtimer.history.lookups import last_session
    from spasmtimer.program.timeline import cap_level
    from spasmtimer.session import library

    level = context.level(entry.name, cap_level(program))
    item = library.Item(
        entry, program, None, level, expand_at(program, level.value, level.held).total_seconds
    )
    history = context.history  # the app's, which records the breaks it runs
    path = history.path if history else None
    return open_app(
        context,
        remind=Remind(
            item,
            every,
            window,
            lambda: last_session(path) if path else None,
            placed=times.placed if times else None,
            times=times.text if times else None,
        ),
        bell=not args.no_bell,
        notify=args.notify,
    )


def remind_plain(
    args: argparse.Namespace,
    context: Context,
    entry: Entry,
    program: Program,
    every: timedelta,
    window: Window | None,
    times: CourseTimes | None = None,
) -> int:
    """``remind --plain``. It may run for days: the history is only ever opened for a moment
    (a look every few seconds, the level when a break is due), never held."""
    from spasmtimer.base import locations
    from spasmtimer.cli.plain import Interrupted, signals_interrupt
    from spasmtimer.history.lookups import last_session
    from spasmtimer.history.store import History, HistoryError
    from spasmtimer.program.timeline import cap_level
    from spasmtimer.session import reminders
    from spasmtimer.session.display import clock_text
    from spasmtimer.session.levels import Level

    if 1 in context.closed_at_start:
        # It would run for days, its reminders going nowhere.
        raise UserError("remind --plain reminds on stdout, and it is closed")
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
        return program.title, clock_text(expand_at(program, level.value, level.held).total_seconds)

    first = described(program)

    def describe() -> tuple[str, str]:
        """The program as its file says now, or as it was if it no longer loads."""
        try:
            return described(context.load(args.program)[1])
        except UserError:  # it no longer loads, or is gone
            return first

    schedule = reminders.Reminders(
        every,
        window,
        last_session=lambda: last_session(path),
        placed=times.placed if times else None,
    )
    plain = reminders.PlainReminders(
        schedule,
        describe=describe,
        # Named as `run` is given it: a library name, or the path of a file.
        program=entry.path_text if entry.source == "file" else entry.name,
        out=sys.stdout,
        bell=_bell() if not args.no_bell and context.settings.bell else None,
    )
    state = schedule.state()
    said = times.text if times else reminders.schedule_text(program.title, every, window)
    say(
        f"reminding: {said}; the next "
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
    """The terminal bell, on stdout or else stderr, whichever is a terminal: never into a
    pipe or a file (see `plain.bell_stream`)."""
    from spasmtimer.cli.plain import bell_stream, ring_bell

    out = bell_stream(sys.stdout, sys.stderr)
    if out is None:
        return None
    return lambda: ring_bell(out)
