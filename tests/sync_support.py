"""Two machines on one: a home each (config, data, cache), sharing a folder that a sync tool
(or a git clone) carries."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from spasmtimer.base.locations import history_file
from spasmtimer.cli import main
from spasmtimer.history.store import History
from tests.history_support import Past, record


class Machine:
    """A machine: its home, and the folder its ``sync_folder`` setting names."""

    def __init__(self, home: Path, folder: Path | None) -> None:
        self.home = home
        self.folder = folder

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        """Commands run here, in this machine's home."""
        names = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
        before = {name: os.environ.get(name) for name in names}
        os.environ.update(
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
        )
        try:
            yield
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def set_folder(self, folder: Path) -> None:
        self.folder = folder
        config = self.home / ".config" / "spasmtimer"
        config.mkdir(parents=True, exist_ok=True)
        (config / "config.toml").write_text(f"sync_folder = {json.dumps(str(folder))}\n")

    def record(self, *sessions: Past) -> list[str]:
        """Sessions run on this machine (written as the recorder writes them); their ids."""
        with self.on():
            history = History.open(history_file())
            try:
                return record(history, *sessions)
            finally:
                history.close()

    def command(self, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
        """``spasmtimer ARGV`` here: its exit status, stdout and stderr."""
        with self.on():
            status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    def sessions(self, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
        """``history --json`` here (which takes in what the folder holds, first)."""
        status, out, err = self.command(capsys, "history", "--json")
        assert status == 0, err
        listed: list[dict[str, Any]] = json.loads(out)
        return listed


def machines(tmp_path: Path) -> tuple[Machine, Machine, Path]:
    """Two machines whose ``sync_folder`` is one folder."""
    folder = tmp_path / "Sync"
    folder.mkdir()
    a, b = Machine(tmp_path / "a", None), Machine(tmp_path / "b", None)
    a.set_folder(folder)
    b.set_folder(folder)
    return a, b, folder


def ids(sessions: list[dict[str, Any]]) -> list[str]:
    return sorted(s["id"] for s in sessions)


def at(day: int, hour: int = 8) -> datetime:
    from datetime import UTC

    return datetime(2026, 12, day, hour, 0, tzinfo=UTC)
