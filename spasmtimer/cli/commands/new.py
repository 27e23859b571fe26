"""``spasmtimer new FILE``: a commented starter program that passes `check`."""

from __future__ import annotations

from spasmtimer.base import exits
from spasmtimer.base.errors import UserError
from spasmtimer.cli.context import Context

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import argparse
    from pathlib import Path

SUMMARY = "write a commented starter program, or (--course) a starter course; never overwrites"
EXAMPLES = (
    "spasmtimer new evening.toml",
    "spasmtimer new ~/.config/spasmtimer/programs/evening.toml",
    "spasmtimer new --course                 # ~/.config/spasmtimer/course.toml",
    "spasmtimer new --course --with gentle-mobility --with desk-break",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", metavar="FILE", nargs="?", help="the new file (with --course: the course file)"
    )
    parser.add_argument(
        "--title", metavar="TITLE", help="its title (default: from the file's name)"
    )
    parser.add_argument(
        "--course",
        action="store_true",
        help="write a course (default ~/.config/spasmtimer/course.toml), each program as often "
        "as it suggests",
    )
    parser.add_argument(
        "--with",
        dest="programs",
        metavar="PROGRAM",
        action="append",
        help="with --course: a program the course prescribes (repeat it; default gentle-mobility)",
    )


def run(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.base import locations
    from spasmtimer.base.text import has_control
    from spasmtimer.program.starter import starter_text, title_from_name

    if args.course:
        return _new_course(args, context)
    if args.programs:
        raise UserError("--with gives a course's programs: use it with --course")
    if args.file is None or not args.file.strip():
        raise UserError("give the new program's file name, such as my-stretches.toml")
    path = _new_path(args.file, "program")
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
    made = _write(path, starter_text(title))
    # In the programs folder, the program is found by its name.
    in_library = path.parent.resolve() == library.resolve()
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


def _new_course(args: argparse.Namespace, context: Context) -> int:
    from spasmtimer.base.clocks import utc_now
    from spasmtimer.base.text import has_control
    from spasmtimer.course.course import course_file
    from spasmtimer.course.starter import DEFAULT_PROGRAMS, course_starter_text
    from spasmtimer.history.records import local_day
    from spasmtimer.program.resolved import Suggestion
    from spasmtimer.session import library

    path = _new_path(args.file, "course") if args.file else course_file()
    title = "My course" if args.title is None else args.title.strip()
    if not title or has_control(title):
        raise UserError("--title must be plain text, and not empty")
    programs = list(dict.fromkeys(args.programs or DEFAULT_PROGRAMS))
    for name in programs:
        context.load(name)  # says what is wrong: not found (with close names), or broken
    suggestions: dict[str, Suggestion | None] = {}
    for entry in library.entries():
        try:
            suggestions[entry.name] = context.load(entry.name)[1].suggest
        except UserError:  # a program of the person's that does not load suggests nothing
            continue
    text = course_starter_text(title, local_day(utc_now()), programs, suggestions)
    made = _write(path, text)
    print(
        f"Wrote {path}{made}. Edit it, then: spasmtimer today --course {path}"
        if args.file
        else f"Wrote {path}{made}. Edit it, then: spasmtimer today"
    )
    return exits.OK


def _new_path(file: str, what: str) -> Path:
    """The path of the new file named ``file``: with ``.toml`` when it has no suffix."""
    from pathlib import Path

    try:
        path = Path(file).expanduser()
    except RuntimeError:  # ~someone, and there is no such user
        raise UserError(f"{file}: no such user's home folder") from None
    if path.is_dir():
        raise UserError(f"{path}: is a folder; give the new {what}'s file name")
    if not path.name.isprintable():  # a newline or an escape would follow it into every message
        raise UserError(f"{path.name!r}: a {what}'s file name must be plain text, on one line")
    return path if path.suffix else path.with_suffix(".toml")


def _write(path: Path, text: str) -> str:
    """Write a new file (never over one); what to add to "Wrote PATH" (a folder it made)."""
    from spasmtimer.program.starter import write_new

    made_folder = not path.parent.exists()
    try:
        write_new(path, text)
    except FileExistsError:
        raise UserError(f"{path}: already exists; spasmtimer new never overwrites a file") from None
    except OSError as e:
        raise UserError(f"{path}: cannot be written: {e.strerror or e}") from None
    return f" (and made the folder {path.parent})" if made_folder else ""
