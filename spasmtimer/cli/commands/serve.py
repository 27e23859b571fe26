"""``spasmtimer serve``: the app in a web browser, guarded (see `spasmtimer.app.serve`)."""

from __future__ import annotations

import sys

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli import arguments
from spasmtimer.cli.context import Context, say

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "the app in a web browser (needs spasmtimer[serve])"
EXAMPLES = (
    "spasmtimer serve",
    "spasmtimer serve desk-break --port 8080",
    "ssh -L 8000:localhost:8000 you@box spasmtimer serve",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    arguments.add_program(parser, "run this program directly", optional=True)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument("--port", default="8000", metavar="PORT", help="port (default 8000)")


def run(args: argparse.Namespace, context: Context) -> int:
    import shlex

    port = arguments.port(args.port)
    try:
        from spasmtimer.app.serve import GuardedServer, is_loopback
    except ImportError:
        raise UserError("serve needs textual-serve: pip install 'spasmtimer[serve]'") from None
    command = f"{shlex.quote(sys.executable)} -m spasmtimer"
    if args.program:
        context.load(args.program)  # a clear message now rather than in the browser
        # "--": a program named like an option is still a program.
        command += f" run -- {shlex.quote(args.program)}"
    server = GuardedServer(command, host=args.host, port=port)

    def announce() -> None:
        if not is_loopback(args.host):
            say(
                f"warning: listening on {args.host!r}, beyond this machine: anyone who can "
                "reach it and learns the URL's token can use the app, over plain http"
            )
        print(
            f"spasmtimer at {server.url()} (Ctrl-C to stop). From another machine:\n"
            f"  ssh -L {port}:localhost:{port} THIS-MACHINE, then open {server.url('localhost')}",
            flush=True,
        )

    server.run(ready=announce)  # CannotListen is a UserError: one line, exit 1
    return exits.OK
