from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own empty home, config and data folders: nothing touches the real ones."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # The CLI opens the history and reads the settings once per process: once per test here.
    from spasmtimer import cli

    cli.open_history.cache_clear()
    cli.settings_loaded.cache_clear()
    return home


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a program file into the test's folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


class FakeClock:
    """A clock the test moves by hand: no real sleeping, exact to the float."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def start_plain(program: Path, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """`spasmtimer run PROGRAM --plain` as a separate process, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "run", str(program), "--plain"],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def quick_program(tmp_path: Path, seconds: float = 1.5) -> Path:
    """A program of one rest step, with no get-ready."""
    path = tmp_path / "quick.toml"
    path.write_text(
        f'title = "Quick"\nprepare = 0\n[[steps]]\ntype = "rest"\nseconds = {seconds}\n'
    )
    return path


def program_of_short_phases(tmp_path: Path, count: int, seconds: float = 0.1) -> Path:
    """A program of ``count`` holds of ``seconds`` each, with no get-ready and no rests."""
    path = tmp_path / "short.toml"
    path.write_text(
        f'title = "Short"\nprepare = 0\n[[steps]]\ntype = "stretch"\nhold = {seconds}\n'
        f"reps = {count}\nrest = 0\n"
    )
    return path


LAYERS = ("unit", "app", "system")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer: the name of the folder it lives in."""
    for item in items:
        layer = item.path.parent.name
        if layer not in LAYERS:
            raise pytest.UsageError(f"{item.path}: tests live in tests/{{{','.join(LAYERS)}}}/")
        item.add_marker(layer)
