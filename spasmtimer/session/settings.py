"""User settings in ``$XDG_CONFIG_HOME/spasmtimer/config.toml``: read with tomllib, written
with tomli-w.

A missing file means the defaults. A file that cannot be read, or a setting that is unknown or
invalid, is reported in words and replaced by its default; it never stops the app. Writing is
atomic, so a crash never leaves half a settings file.

Checked here by hand rather than by a pydantic model: every session reads the settings before
its first frame, and pydantic with a model costs that frame about 150 ms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, cast, get_args

import msgspec

from spasmtimer.base import locations
from spasmtimer.base.files import FileRefused, read_regular, replace_atomically
from spasmtimer.base.text import as_written
from spasmtimer.program.durations import DurationError, phase_seconds
from spasmtimer.program.resolved import BUILTIN_DEFAULTS

Notify = Literal["auto", "on", "off"]


class Settings(msgspec.Struct, frozen=True):
    """What a person can set once for every session."""

    bell: bool = True
    """Ring the terminal bell at phase changes and in the last three seconds."""
    flash: bool = True
    """Flash the countdown with each bell, for terminals that make no sound."""
    speech: bool = False
    """Speak the cues aloud with espeak-ng (or `say` on macOS) when one is installed."""
    theme: str = "auto"
    """The colour theme of the app: "auto" chooses textual-dark, or the terminal's own colours
    on terminals with only 16."""
    prepare: float = BUILTIN_DEFAULTS["prepare"]
    """Get-ready seconds for programs that do not set their own `prepare`."""
    title: bool = True
    """Show the time left and what to do in the terminal's window title during a session."""
    notify: Notify = "auto"
    """Desktop notifications at each new step, side switch and the end: "auto" sends them
    only to terminals known to show them."""
    progress: bool = True
    """Show the session's progress in the terminal's tab, where the terminal supports it."""
    sync_folder: str | None = None
    """A folder a sync tool carries between the person's machines (Syncthing, Dropbox, a git
    repository): each machine writes its sessions there, and takes in the others'
    (docs/history.md, "Across machines")."""

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return cls.__struct_fields__

    @classmethod
    def validated(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from ``values``, each checked; raises `SettingError` at the first bad one
        (an unknown key is one)."""
        checked = {}
        for key, value in values.items():
            check = _CHECKS.get(key)
            if check is None:
                raise SettingError(key, "is not a setting")
            checked[key] = check(value)
        return cls(**checked)

    def as_dict(self) -> dict[str, Any]:
        """The settings as the file holds them: one not set is left out."""
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not None}


class SettingError(ValueError):
    """A setting's value that will not do, with what is wrong with it in words."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# What pydantic, which checked the settings before, took for true and false: kept, so that no
# settings file that worked is refused now.
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _flag(key: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise SettingError(key, f"must be true or false (got {as_written(value)})")

    return check


def _theme(value: Any) -> str:
    if not isinstance(value, str):
        raise SettingError("theme", f"must be a theme's name in quotes (got {as_written(value)})")
    return value


def _notify(value: Any) -> Notify:
    if isinstance(value, str) and value in get_args(Notify):
        return cast(Notify, value)
    raise SettingError("notify", f'must be "auto", "on" or "off" (got {as_written(value)})')


def _folder(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise SettingError(
            "sync_folder", f"must be a folder's path in quotes (got {as_written(value)})"
        )
    return value


def _prepare(value: Any) -> float:
    try:
        return phase_seconds(value, allow_zero=True)
    except DurationError as e:
        raise SettingError("prepare", str(e)) from None


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "bell": _flag("bell"),
    "flash": _flag("flash"),
    "speech": _flag("speech"),
    "theme": _theme,
    "prepare": _prepare,
    "title": _flag("title"),
    "notify": _notify,
    "progress": _flag("progress"),
    "sync_folder": _folder,
}


class Loaded(msgspec.Struct):
    """The settings as read, with what was wrong with the file."""

    settings: Settings
    problems: list[str] = msgspec.field(default_factory=list)
    """What was wrong with the file, in words; the settings concerned have their defaults."""




def load_settings(path: Path | None = None) -> Loaded:
    path = path or locations.settings_file()
    try:
        raw = read_regular(path, locations.MAX_SETTINGS_BYTES, "settings file")
        import tomllib  # only with a file to read: most people never write one

        data = tomllib.loads(raw.decode())
    except FileRefused as e:
        if e.missing:
            return Loaded(Settings())
        return Loaded(Settings(), [f"{path}: {e}; using the default settings"])
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # TOMLDecodeError too
        return Loaded(Settings(), [f"{path}: cannot be read ({e}); using the default settings"])
    problems = []
    good: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _CHECKS:
            known = ", ".join(Settings.keys())
            problems.append(f"{path}: unknown setting `{key}` ignored (settings: {known})")
            continue
        try:
            good[key] = _CHECKS[key](value)
        except SettingError as e:
            problems.append(f"{path}: `{key}` {e}; using the default")
    return Loaded(Settings(**good), problems)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically: the old file stays whole until the new one replaces it."""
    import tomli_w  # only the settings screen writes: not paid for at start

    path = path or locations.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# spasmtimer settings, written by its settings screen.\n" + tomli_w.dumps(
        settings.as_dict()
    )
    replace_atomically(path, text.encode("utf-8"))
