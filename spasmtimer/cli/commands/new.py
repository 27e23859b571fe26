"""``spasmtimer new FILE``: a commented starter program that passes `check`."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse

SUMMARY = "write a commented starter program (never overwrites)"
EXAMPLES = (
    "spasmtimer new evening.toml",
    "spasmtimer new ~/.config/spasmtimer/programs/evening.toml",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE")
    parser.add_argument(
        "--title", metavar="TITLE", help="the program's title (default: from the file's name)"
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from pathlib import Path

    from spasmtimer.base import locations
    from spasmtimer.base.text import has_control
    from spasmtimer.program.starter import title_from_name, write_starter

    if not args.file.strip():
        raise UserError("give the new program's file name, such as my-stretches.toml")
    try:
        path = Path(args.file).expanduser()
    except RuntimeError:  # ~someone, and there is no such user
        raise UserError(f"{args.file}: no such user's home folder") from None
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the new program's file name")
    if not path.name.isprintable():  # a newline or an escape would follow it into every message
        raise UserError(f"{path.name!r}: a program's file name must be plain text, on one line")
    if not path.suffix:
        path = path.with_suffix(".toml")
    library = locations.user_programs_dir()
    usual = locations.usual_programs_dir()
    redirected = path.parent.resolve() == usual.resolve() != library.resolve()
    if redirected:
        # ~/.config/spasmtimer/programs/ (the README's example) is meant for the library; with
        # XDG_CONFIG_HOME set elsewhere the library is not there, and `list` would never
        # show a program written there.
        path = library / path.name
    title = title_from_name(path) if args.title is None else args.title.strip()
    if not title or has_control(title):
        raise UserError("--title must be plain text, and not empty")
    made_folder = not path.parent.exists()
    try:
        write_starter(path, title)
    except FileExistsError:
        raise UserError(f"{path}: already exists; spasmtimer new never overwrites a file") from None
    except OSError as e:
        raise UserError(f"{path}: cannot be written: {e.strerror or e}") from None
    # In the programs folder, the program is found by its name.
    in_library = path.parent.resolve() == library.resolve()
    made = f" (and made the folder {path.parent})" if made_folder else ""
    run = path.stem if in_library else str(path)
    if redirected:
        print(
            f"Your programs are in {locations.shown_path(library)}/, not in "
            f"{locations.shown_path(usual)}/, since XDG_CONFIG_HOME is set: the program is "
            "written there, for the library to find."
        )
    print(f"Wrote {path}{made}. Edit it, then: spasmtimer check {path} && spasmtimer run {run}")
    if not in_library:
        print(
            f"The library (list, the app) shows the programs in {locations.shown_path(library)}/;"
            " this one runs by its path."
        )
    return exits.OK
