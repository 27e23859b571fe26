"""Where spasmtimer keeps its files, following the XDG base directory spec.

The spec promises these paths (``$XDG_CONFIG_HOME/spasmtimer/...``, ``$XDG_DATA_HOME/...``) on
every platform, so they are worked out here rather than with platformdirs, which would move them
to ~/Library on macOS.

Each is a `Path`; what `spasmtimer status` needs is also worked out as text (`history_file_text`,
`library_files`), with `os.path` alone: pathlib takes some 4 ms to import, a tenth of what a
status line may take.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing (see cli.entry)
if TYPE_CHECKING:
    from pathlib import Path

APP = "spasmtimer"


def _xdg_text(variable: str, fallback: str) -> str:
    value = os.environ.get(variable, "")
    # The XDG spec says relative paths in these variables are invalid and must be ignored.
    if value and os.path.isabs(value):
        return value
    return os.path.join(os.path.expanduser("~"), fallback)


def _xdg(variable: str, fallback: str) -> Path:
    from pathlib import Path

    return Path(_xdg_text(variable, fallback))


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / APP


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / APP


def cache_dir() -> Path:
    """What spasmtimer keeps only to start faster (`program_cache`): safe to delete."""
    return _xdg("XDG_CACHE_HOME", ".cache") / APP


def user_programs_dir() -> Path:
    """The user's own programs: ``$XDG_CONFIG_HOME/spasmtimer/programs/``."""
    return config_dir() / "programs"


def usual_programs_dir() -> Path:
    """``~/.config/spasmtimer/programs/``: the user's programs when ``XDG_CONFIG_HOME`` is not
    set, as the README names them; with it set elsewhere, the library does not look here."""
    from pathlib import Path

    return Path.home() / ".config" / APP / "programs"


def user_figures_dir() -> Path:
    """The user's own figures: ``$XDG_CONFIG_HOME/spasmtimer/figures/``."""
    return config_dir() / "figures"


def settings_file() -> Path:
    return config_dir() / "config.toml"


def history_file() -> Path:
    return data_dir() / "history.sqlite3"


MAX_SETTINGS_BYTES = 64 * 1024
"""A settings file holds a handful of lines; anything larger is not one (refused; by
`spasmtimer status`, passed over)."""


def config_file_text(name: str) -> str:
    """A file of the config folder (``config.toml``, ``course.toml``), as text: what
    `spasmtimer status` looks at without pathlib."""
    return os.path.join(_xdg_text("XDG_CONFIG_HOME", ".config"), APP, name)


def history_file_text() -> str:
    """`history_file`, as text."""
    return os.path.join(_xdg_text("XDG_DATA_HOME", ".local/share"), APP, "history.sqlite3")


def bundled_programs_dir() -> Path:
    """The bundled programs: inside the installed package, where the wheel puts them, or the
    top-level ``programs/`` of a source checkout (an editable install)."""
    return _bundled("programs")


def bundled_figures_dir() -> Path:
    """The bundled figures, beside the bundled programs."""
    return _bundled("figures")


def _bundled(folder: str) -> Path:
    from pathlib import Path

    return Path(_bundled_text(folder))


def _bundled_text(folder: str) -> str:
    # spasmtimer/, above this layer's folder
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, folder)
    above = os.path.dirname(package)
    if not os.path.isdir(installed) and os.path.isfile(os.path.join(above, "pyproject.toml")):
        return os.path.join(above, folder)
    return installed


def shown_path(path: Path) -> str:
    """A path as a person would type it: ``~/...`` when it is under the home folder."""
    from spasmtimer.base.text import file_name_text

    # As `Path.relative_to(Path.home())` says, on the text: a library of thousands shows each.
    text, home = str(path), os.path.normpath(os.path.expanduser("~"))
    if text == home:
        return "~/."
    under = home.rstrip("/") + "/"
    if text.startswith(under):
        return "~/" + file_name_text(text[len(under) :])
    return file_name_text(text)


NAMES_WITHOUT_CASE = sys.platform in ("darwin", "win32")
"""File names compared without case: a folder's listing alone says which name a file has."""


def library_files(name: str) -> list[tuple[str, bool]] | None:
    """The program files the library knows by ``name``, found by their name alone rather than
    by a listing of folders that may hold thousands: the user's (True) and the bundled one
    (False), the one in use first. None when only a listing can say: a name that is not a
    plain file name, or file names compared without case."""
    if NAMES_WITHOUT_CASE or not name or "/" in name or name.startswith("."):
        return None
    if any("\ud800" <= c <= "\udfff" for c in name):  # bytes that are not UTF-8: listed only
        return None
    yours = os.path.join(_xdg_text("XDG_CONFIG_HOME", ".config"), APP, "programs")
    found = []
    for folder, mine in ((yours, True), (_bundled_text("programs"), False)):
        path = os.path.join(folder, f"{name}.toml")
        if os.path.lexists(path) and not os.path.isdir(path):
            found.append((path, mine))
    return found
