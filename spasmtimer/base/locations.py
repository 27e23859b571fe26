"""Where spasmtimer keeps its files, following the XDG base directory spec.

The spec promises these paths (``$XDG_CONFIG_HOME/spasmtimer/...``, ``$XDG_DATA_HOME/...``) on
every platform, so they are worked out here rather than with platformdirs, which would move them
to ~/Library on macOS.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "spasmtimer"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    # The XDG spec says relative paths in these variables are invalid and must be ignored.
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


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
    return Path.home() / ".config" / APP / "programs"


def user_figures_dir() -> Path:
    """The user's own figures: ``$XDG_CONFIG_HOME/spasmtimer/figures/``."""
    return config_dir() / "figures"


def settings_file() -> Path:
    return config_dir() / "config.toml"


def history_file() -> Path:
    return data_dir() / "history.sqlite3"


def bundled_programs_dir() -> Path:
    """The bundled programs: inside the installed package, where the wheel puts them, or the
    top-level ``programs/`` of a source checkout (an editable install)."""
    return _bundled("programs")


def bundled_figures_dir() -> Path:
    """The bundled figures, beside the bundled programs."""
    return _bundled("figures")


def _bundled(folder: str) -> Path:
    package = Path(__file__).parent.parent  # spasmtimer/, above this layer's folder
    installed = package / folder
    checkout = package.parent / folder
    if not installed.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    return installed


def shown_path(path: Path) -> str:
    """A path as a person would type it: ``~/...`` when it is under the home folder."""
    from spasmtimer.base.text import file_name_text

    try:
        return "~/" + file_name_text(str(path.relative_to(Path.home())))
    except ValueError:
        return file_name_text(str(path))
