"""``spasmtimer run PROGRAM``: a session, in the app or as plain text."""

from __future__ import annotations

from spasmtimer.base import startup
from spasmtimer.cli import arguments
from spasmtimer.cli.context import WRITE_WAIT_AT_EXIT, Context, expand_at, say
from spasmtimer.cli.launch import open_app, wants_plain

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "run a program"
EXAMPLES = (
    "spasmtimer run desk-break",
    "spasmtimer run seated-hamstring --level 4",
    "spasmtimer run ~/drills/evening.toml --plain --no-bell",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(parser)
    arguments.add_level(parser, "run this session at level N")
    arguments.add_plain(
        parser, "one line of text per phase (automatic when stdout is not a terminal)"
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="take up a session of this program stopped early (within 12 hours) where it got "
        "to, without asking",
    )
    arguments.add_notify(
        parser,
        "desktop notifications at each new step, side switch and the end, for this run "
        "(by default only on terminals known to show them)",
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.session import library

    entry, program = context.load(args.program)
    level = context.level_to_run(args.level, entry, program)
    timeline = expand_at(program, level.value, level.held)
    item = library.Item(entry, program, None, level, timeline.total_seconds)
    if not wants_plain(args):
        return open_app(
            context,
            run=(item, timeline),
            bell=not args.no_bell,
            notify=args.notify,
            resume=args.resume,
        )
    import signal

    from spasmtimer.base import exits
    from spasmtimer.cli.plain import PlainRunner
    from spasmtimer.history.recording import HistoryWriter, SessionRecorder
    from spasmtimer.history.service import find_resumable, resumption
    from spasmtimer.session import safety
    from spasmtimer.session.display import clock_text
    from spasmtimer.session.engine import Session, Status
    from spasmtimer.session.levels import Level

    history = context.history
    stopped = find_resumable(history, entry.name, program) if history else None
    if stopped is not None and not args.resume:
        say(
            f"a session of {entry.name} stopped early can be taken up again at "
            f"{clock_text(stopped.position)}: spasmtimer run {entry.name} --resume"
        )
        stopped = None
    if stopped is not None:
        timeline = expand_at(program, stopped.level, level.held)
    writer = HistoryWriter(history.path, say) if history else None
    recorder = None
    if history and writer:
        recorder = SessionRecorder(
            history,
            writer,
            program=entry.name,
            title=program.title,
            path=entry.path_text,
            timeline=timeline,
            resuming=stopped,
        )
    first_use = not safety.seen()
    runner = PlainRunner(
        Session(timeline),
        title=program.title,
        # Its level as `plan` and the app say it ("eased from 4 after 12 days"), unless it
        # runs at another (a session taken up again runs at its own).
        level=level if level.value == timeline.level else Level(timeline.level),
        caution=program.caution,
        bell=not args.no_bell and context.settings.bell,
        notice=safety.notice_text() if first_use else None,
        resume=resumption(stopped) if stopped else None,
        recorder=recorder,
        steps=[step.name for step in program.steps],
    )
    startup.started()  # the first line is next: see spasmtimer.base.startup
    try:
        outcome = runner.run()
    finally:
        if writer:
            writer.close(WRITE_WAIT_AT_EXIT)
    if first_use:
        safety.record_seen()
    ended = outcome.session
    stopped_by_signal = outcome.exit_status in {
        exits.signalled(signal.SIGINT),
        exits.signalled(signal.SIGTERM),
        exits.signalled(signal.SIGHUP),
    }
    if (
        history
        and stopped_by_signal
        and ended.started_at is not None
        and ended.status() is Status.STOPPED
    ):
        # Ctrl-C, a signal: where the session got to, and how to go on with it. (An output
        # that failed has said so, and where the session stopped.)
        said = f"stopped at {clock_text(ended.position())}, and kept in the history"
        if find_resumable(history, entry.name, program) is not None:
            name = entry.path_text if entry.source == "file" else entry.name
            said += f"; spasmtimer run {name} --resume takes it up within 12 hours"
        say(said)
    return outcome.exit_status
