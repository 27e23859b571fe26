"""User settings in ``$XDG_CONFIG_HOME/spasmtimer/config.toml``: read with tomllib, written
with tomli-w.

A missing file means the defaults. A file that cannot be read, or a setting that is unknown or
invalid, is reported in words and replaced by its default; it never stops the app. Writing is
atomic, so a crash never leaves half a settings file.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spasmtimer import locations
from spasmtimer.files import FileRefused, read_regular
from spasmtimer.program import GapSeconds
from spasmtimer.resolved import BUILTIN_DEFAULTS


class Settings(BaseModel):
    """What a person can set once for every session."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    bell: bool = True
    """Ring the terminal bell at phase changes and in the last three seconds."""
    flash: bool = True
    """Flash the countdown with each bell, for terminals that make no sound."""
    speech: bool = False
    """Speak the cues aloud with espeak-ng (or `say` on macOS) when one is installed."""
    theme: str = "auto"
    """The colour theme of the app: "auto" chooses textual-dark, or the terminal's own colours
    on terminals with only 16."""
    prepare: GapSeconds = Field(default=BUILTIN_DEFAULTS["prepare"])
    """Get-ready seconds for programs that do not set their own `prepare`."""
    title: bool = True
    """Show the time left and what to do in the terminal's window title during a session."""
    notify: Literal["auto", "on", "off"] = "auto"
    """Desktop notifications at each new step, side switch and the end: "auto" sends them
    only to terminals known to show them."""
    progress: bool = True
    """Show the session's progress in the terminal's tab, where the terminal supports it."""


@dataclass
class Loaded:
    settings: Settings
    problems: list[str] = field(default_factory=list)
    """What was wrong with the file, in words; the settings concerned have their defaults."""


MAX_SETTINGS_BYTES = 64 * 1024
"""A settings file holds a handful of lines; anything larger is not one."""


def load_settings(path: Path | None = None) -> Loaded:
    path = path or locations.settings_file()
    try:
        data = tomllib.loads(read_regular(path, MAX_SETTINGS_BYTES, "settings file").decode())
    except FileRefused as e:
        if e.missing:
            return Loaded(Settings())
        return Loaded(Settings(), [f"{path}: {e}; using the default settings"])
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # TOMLDecodeError too
        return Loaded(Settings(), [f"{path}: cannot be read ({e}); using the default settings"])
    problems = []
    good: dict[str, Any] = {}
    for key, value in data.items():
        if key not in Settings.model_fields:
            known = ", ".join(Settings.model_fields)
            problems.append(f"{path}: unknown setting `{key}` ignored (settings: {known})")
            continue
        try:
            Settings.model_validate({key: value})
        except ValidationError as e:
            message = e.errors()[0]["msg"]
            problems.append(f"{path}: `{key}` {message}; using the default")
            continue
        good[key] = value
    return Loaded(Settings.model_validate(good), problems)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write the settings atomically: the old file stays whole until the new one replaces it."""
    path = path or locations.settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# spasmtimer settings, written by its settings screen.\n" + tomli_w.dumps(
        settings.model_dump()
    )
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".config.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
