"""``spasmtimer completion SHELL``: the shell completion script (`spasmtimer.cli.completion`)."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "print the shell completion script for bash, zsh or fish"
EXAMPLES = (
    'eval "$(spasmtimer completion bash)"      # in ~/.bashrc',
    'eval "$(spasmtimer completion zsh)"       # in ~/.zshrc, after compinit',
    "spasmtimer completion fish | source      # in ~/.config/fish/config.fish",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from spasmtimer.cli.completion import SHELLS

    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.cli.completion import script
    from spasmtimer.cli.parser import build_parser

    print(script(build_parser(), args.shell))
    return exits.OK
