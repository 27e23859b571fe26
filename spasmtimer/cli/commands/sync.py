"""``spasmtimer sync [USER@]HOST``: one history with another machine, over the person's own ssh."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli.context import Context, say

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse
    import subprocess

SUMMARY = "exchange sessions with another machine over ssh, so both hold every session of both"
EXAMPLES = (
    "spasmtimer sync me@desktop",
    "spasmtimer sync headless-box --dry-run",
    "spasmtimer sync box --ssh 'ssh -p 2222'",
    "spasmtimer sync box --remote-command '~/.local/bin/spasmtimer sync --serve'",
)
REMOTE_COMMAND = "spasmtimer sync --serve"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "host", nargs="?", metavar="[USER@]HOST", help="the other machine, as ssh takes it"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would move, and move nothing"
    )
    parser.add_argument(
        "--ssh",
        metavar="COMMAND",
        default="ssh",
        help="the ssh command, with any options of its own (default: ssh)",
    )
    parser.add_argument(
        "--remote-command",
        metavar="COMMAND",
        default=REMOTE_COMMAND,
        help=f"what runs at the far end (default: {REMOTE_COMMAND})",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="be the far end: what `sync HOST` runs over ssh (speaks on stdin and stdout)",
    )


def run(args: argparse.Namespace, context: Context) -> int:
    import os

    from spasmtimer.history.exchange import ExchangeError, serve

    history = context.history
    if history is None or history.read_only:
        raise UserError("sync needs a history it can write here")
    if args.serve:
        if args.host is not None:
            raise UserError("sync --serve takes no host: it is what sync HOST runs at the far end")
        # The streams themselves, in bytes: stdout is wrapped for text (`TerminalText`).
        receive = os.fdopen(0, "rb", closefd=False)
        send = os.fdopen(1, "wb", closefd=False)
        try:
            done = serve(history, receive, send)
        except ExchangeError as e:
            raise UserError(f"sync --serve: {e}") from None
        if done.bad:
            say(f"sync: {done.bad} line(s) from the other side were no session: passed over")
        return exits.OK
    if not args.host:
        raise UserError("give the machine to sync with: spasmtimer sync [USER@]HOST")
    return _ask(args, context)


def _ended(far: subprocess.Popen[bytes]) -> int:
    """ssh's exit status, once it has ended: given the end of its input and a moment to say
    why it stopped (127: no spasmtimer there; 255: ssh itself), then ended if it will not."""
    import contextlib
    import subprocess

    for stream in (far.stdin, far.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        return far.wait(timeout=10)
    except subprocess.TimeoutExpired:
        far.kill()
        return far.wait()


def _ask(args: argparse.Namespace, context: Context) -> int:
    import shlex
    import subprocess

    from spasmtimer.base.text import one_line
    from spasmtimer.history.exchange import ExchangeError, ask

    host: str = args.host
    # The host goes to ssh as its destination: never an option, never two words.
    if host.startswith("-") or not host.isprintable() or any(c.isspace() for c in host):
        raise UserError(f"{one_line(host)!r} is not a host ssh can be given")
    try:
        ssh = shlex.split(args.ssh)
    except ValueError as e:
        raise UserError(f"--ssh: {e}") from None
    if not ssh:
        raise UserError("--ssh: give the ssh command")
    command = [*ssh, "--", host, args.remote_command]
    history = context.history
    assert history is not None
    try:
        far = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    except OSError as e:
        raise UserError(f"cannot run {ssh[0]}: {e.strerror or e}") from None
    assert far.stdin is not None and far.stdout is not None
    try:
        done = ask(history, far.stdin, far.stdout, dry_run=args.dry_run)
    except (ExchangeError, BrokenPipeError) as e:
        status = _ended(far)
        reason = str(e) if isinstance(e, ExchangeError) else "the other side stopped"
        if status == 127:
            reason = "spasmtimer was not found at the far end (give its path with --remote-command)"
        elif status == 255:
            reason = "ssh could not reach it (its own message is above)"
        raise UserError(f"sync {host}: {reason}; nothing more was moved") from None
    finally:
        _ended(far)
    shown = one_line(host)
    taken = f"{done.taken} session{'' if done.taken == 1 else 's'}"
    if args.dry_run:
        print(f"Would take {taken} from {shown} and give it {done.given}.")
    else:
        print(f"Took {taken} from {shown} and gave it {done.given}.")
    if done.bad:
        say(f"sync: {done.bad} line(s) from {shown} were no session: passed over")
    return exits.OK
