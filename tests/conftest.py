from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import FakeClock


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own empty home, config, data and cache folders: nothing touches the
    real ones."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
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




@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()








LAYERS = ("unit", "app", "system")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer: the name of the folder it lives in."""
    for item in items:
        layer = item.path.parent.name
        if layer not in LAYERS:
            raise pytest.UsageError(f"{item.path}: tests live in tests/{{{','.join(LAYERS)}}}/")
        item.add_marker(layer)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: a worker more than the cores. The app's tests spend a third of their time
    waiting on Textual's timers, which another worker's test can use."""
    return (os.cpu_count() or 1) + 1
