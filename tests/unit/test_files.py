"""Replacing one of our files whole: the settings, a kept program."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from spasmtimer.base import files
from spasmtimer.base.files import replace_atomically


def test_the_new_contents_replace_the_old_whole(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")
    replace_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"old")

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        replace_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_what_a_killed_writer_left_is_swept_but_not_a_live_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    stale = tmp_path / ".config.toml.123.deadbeef.tmp"  # a writer killed an hour ago
    fresh = tmp_path / ".config.toml.456.cafecafe.tmp"  # one writing now
    other = tmp_path / ".other.toml.123.deadbeef.tmp"  # not this file's
    for left in (stale, fresh, other):
        left.write_bytes(b"half")
    old = os.stat(stale).st_mtime - files.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    replace_atomically(path, b"new")
    assert not stale.exists()
    assert fresh.exists() and other.exists()


def test_the_new_contents_reach_the_disk_before_they_take_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    steps: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        steps.append(
            "fsync the folder" if stat.S_ISDIR(info.st_mode) else f"fsync {info.st_size} bytes"
        )
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        steps.append("rename")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    replace_atomically(path, b"new")
    # Then the folder: after a power cut the new name is there, not only the new bytes.
    assert steps == ["fsync 3 bytes", "rename", "fsync the folder"]
