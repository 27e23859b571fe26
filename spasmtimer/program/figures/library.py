"""The figures there are: bundled (``figures/`` beside ``programs/``) and the person's own
(``$XDG_CONFIG_HOME/spasmtimer/figures/``), found by name, a person's own in place of a
bundled one of its name. Finding reads only the folders; loading a figure reads its file."""

from __future__ import annotations

import os
import re
from pathlib import Path

from spasmtimer.base import locations
from spasmtimer.base.errors import UserError
from spasmtimer.base.files import once
from spasmtimer.base.text import close_names
from spasmtimer.program.figures.pose import FIGURE_NAME, MAX_FIGURE_BYTES, Figure
from spasmtimer.program.problems import Problem, ProgramError


class FigureError(ProgramError):
    """A figure that cannot be drawn, with every problem found in its file."""


def figure_files() -> dict[str, Path]:
    """Every figure by name: the bundled ones, then the person's own over them (listed once
    within `files.looking_once`, as a library loads)."""
    return dict(once("figure files", _list_figure_files))


def _list_figure_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in (locations.bundled_figures_dir(), locations.user_figures_dir()):
        # One listing, with the entries' types: each program of a library of hundreds asks.
        try:
            with os.scandir(folder) as listing:
                files = sorted(
                    folder / entry.name
                    for entry in listing
                    if entry.name.endswith(".toml") and not _is_folder(entry)
                )
        except OSError:  # no such folder, or one that cannot be read
            continue
        for path in files:
            # Only a name a program can give (letters, digits, "-", "_", "."): a file named
            # otherwise, with an escape or bytes that are not UTF-8, is not a figure.
            if re.match(FIGURE_NAME, path.stem):
                found[path.stem] = path
    return dict(sorted(found.items()))


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a link that loops: not a folder
        return False


def load_figure(name: str) -> Figure:
    """The figure called ``name``; raises `UserError` when there is none, `FigureError` when
    its file has problems."""
    import os

    from spasmtimer import __version__
    from spasmtimer.base.files import FileRefused, read_regular
    from spasmtimer.base.keep import code_stamp, digest, kept_or_made

    path = figure_files().get(name)
    if path is None:
        raise UserError(f"{name}: no figure by that name{_suggestion(name)}")
    shown = locations.shown_path(path)

    def parsed(raw: bytes) -> Figure:
        from spasmtimer.program.figures.loader import parse_figure

        figure, problems = parse_figure(raw, name, shown)
        if figure is None:
            raise FigureError(problems)
        return figure

    try:
        raw = read_regular(path, MAX_FIGURE_BYTES, "figure file")
    except FileRefused as e:
        raise FigureError([Problem(shown, 1, 1, "", str(e))]) from None
    # Read once, a figure is kept: `spasmtimer figure` then draws without pydantic.
    key = [
        __version__,
        name,
        shown,
        digest(raw),
        digest(repr(code_stamp(("base", "program"))).encode()),
    ]
    return kept_or_made("figure", os.path.abspath(path), key, Figure, lambda: parsed(raw))


def _suggestion(name: str) -> str:
    close = close_names(name, list(figure_files()))
    if close:
        return f"; did you mean {', '.join(close)}?"
    return "; `spasmtimer figure --list` shows them"
