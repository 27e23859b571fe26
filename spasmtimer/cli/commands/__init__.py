"""The commands, one module each, named as the command is typed.

Each module has ``SUMMARY`` (one line, for ``--help``), ``EXAMPLES``, ``add_arguments(parser)``
and ``run(args, context) -> int``, and imports what the command needs inside ``run``: pydantic
and the loader cost about 150 ms, Textual about 200 ms more, and ``--version``, ``--help`` or a
status line should not pay for what they do not use. Adding a command is a module here and its
name below.
"""

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
    "figure",
    "today",
    "course",
    "report",
    "sync",
    "serve",
    "completion",
)
"""In the order ``--help`` lists them."""
