"""The program cache: a program loaded before comes back only while every file it was read from
is byte for byte what it was; anything odd about the cache is a quiet miss, never an error."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from spasmtimer.base.locations import cache_dir
from spasmtimer.cli import main
from spasmtimer.program import cache as program_cache
from spasmtimer.program import loader
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.resolved import Program

DATA = Path(__file__).parents[1] / "data"

PARENT = """title = "Parent"
[[steps]]
type = "stretch"
hold = 20
[[steps]]
include = "child.toml"
"""
CHILD = """[[steps]]
include = "grandchild.toml"
[[steps]]
type = "rest"
seconds = 7
"""
GRANDCHILD = """[[steps]]
type = "breathe"
inhale = 4
exhale = 6
cycles = 3
"""


class Loads:
    """Counts the loads that went to the loader: the misses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.real = loader.read_program

        def counted(*args: object, **kwargs: object) -> object:
            self.count += 1
            return self.real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(loader, "read_program", counted)

    def fresh(self, path: Path, **options: object) -> Program:
        """The program as the loader gives it, not counted."""
        return self.real(path, **options)[0]  # type: ignore[arg-type]


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    return Loads(monkeypatch)


@pytest.fixture
def family(write: Callable[[str, str], Path]) -> Path:
    """A program that includes a file that includes another."""
    write("child.toml", CHILD)
    write("grandchild.toml", GRANDCHILD)
    return write("parent.toml", PARENT)


def load(path: Path, **options: object) -> Program:
    return program_cache.load_program(path, **options)  # type: ignore[arg-type]


def kept_files() -> list[Path]:
    return sorted(cache_dir().glob("*.pickle"))


def test_a_hit_gives_the_program_a_fresh_load_gives(family: Path, loads: Loads) -> None:
    first = load(family, shown="parent.toml")
    again = load(family, shown="parent.toml")
    assert loads.count == 1
    assert again == first == loads.fresh(family, shown="parent.toml")
    assert [type(s).__name__ for s in again.steps] == ["Stretch", "Breathe", "Rest"]


def test_the_cache_is_private(family: Path) -> None:
    load(family)
    [kept] = kept_files()
    assert kept.parent.stat().st_mode & 0o777 == 0o700
    assert kept.stat().st_mode & 0o777 == 0o600
    assert not list(kept.parent.glob(".*.tmp"))


@pytest.mark.parametrize("name", ["parent.toml", "child.toml", "grandchild.toml"])
def test_a_change_to_any_file_is_seen(family: Path, loads: Loads, name: str) -> None:
    load(family)
    changed = family.parent / name
    # The same length, and the same time of change: only the bytes differ.
    before = changed.stat()
    text = changed.read_text()
    changed.write_text(text.replace("20", "25").replace("= 7", "= 8").replace("= 3", "= 5"))
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns))
    program = load(family)
    assert loads.count == 2
    assert program == loads.fresh(family)


def test_an_include_retargeted_by_a_link_is_seen(
    write: Callable[[str, str], Path], loads: Loads
) -> None:
    write("a.toml", '[[steps]]\ntype = "rest"\nseconds = 3\n')
    write("b.toml", '[[steps]]\ntype = "rest"\nseconds = 4\n')
    parent = write("parent.toml", '[[steps]]\ninclude = "link.toml"\n')
    link = parent.parent / "link.toml"
    link.symlink_to("a.toml")
    assert load(parent).steps[0].seconds == 3  # type: ignore[union-attr]
    link.unlink()
    link.symlink_to("b.toml")
    assert load(parent).steps[0].seconds == 4  # type: ignore[union-attr]
    assert loads.count == 2


def test_a_second_name_for_an_included_file_is_checked_too(
    write: Callable[[str, str], Path], loads: Loads
) -> None:
    """A file included twice, the second time through a link, is read once: the link must
    still lead to it for the cache to hold."""
    write("a.toml", '[[steps]]\ntype = "rest"\nseconds = 3\n')
    write("b.toml", '[[steps]]\ntype = "rest"\nseconds = 4\n')
    parent = write("parent.toml", '[[steps]]\ninclude = "a.toml"\n[[steps]]\ninclude = "link.toml"\n')
    link = parent.parent / "link.toml"
    link.symlink_to("a.toml")
    assert [s.seconds for s in load(parent).steps] == [3, 3]  # type: ignore[union-attr]
    link.unlink()
    link.symlink_to("b.toml")
    assert [s.seconds for s in load(parent).steps] == [3, 4]  # type: ignore[union-attr]
    assert loads.count == 2


def test_a_deleted_include_is_the_located_error(family: Path) -> None:
    load(family)
    (family.parent / "grandchild.toml").unlink()
    with pytest.raises(ProgramError, match=r"child\.toml:2:11: steps\[0\]\.include: "):
        load(family)


def test_the_options_and_the_path_as_given_are_part_of_the_key(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load(family, default_prepare=3).prepare == 3
    assert load(family, default_prepare=8).prepare == 8
    assert load(family, shown="mine.toml").files == load(family).files
    monkeypatch.chdir(family.parent)
    assert load(Path("parent.toml")).path == Path("parent.toml")
    assert loads.count == 5


def test_a_relative_path_in_another_folder_is_another_program(
    tmp_path: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    for seconds in (3, 4):
        folder = tmp_path / str(seconds)
        folder.mkdir()
        (folder / "p.toml").write_text(f'[[steps]]\ntype = "rest"\nseconds = {seconds}\n')
    for seconds in (3, 4, 3, 4):
        monkeypatch.chdir(tmp_path / str(seconds))
        assert load(Path("p.toml")).steps[0].seconds == seconds  # type: ignore[union-attr]
    assert loads.count == 2


def test_new_code_leaves_kept_programs_behind(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(family)
    monkeypatch.setattr(program_cache, "__version__", "99.0")
    load(family)
    assert loads.count == 2
    assert len(kept_files()) == 1  # replaced, not added to


def test_programs_kept_long_ago_are_swept_when_another_is_kept(
    family: Path, write: Callable[[str, str], Path]
) -> None:
    """The first time a process keeps a program: once, since a library of thousands kept
    one by one would list the folder for each."""
    load(family)
    [recent] = kept_files()
    long_ago = time.time() - program_cache.KEPT_SECONDS - 60
    old = cache_dir() / "run-once-from-tmp-00000000.pickle"
    killed = cache_dir() / ".old.pickle.123.abcd.tmp"
    for left in (old, killed):
        left.write_bytes(b"left behind")
        os.utime(left, (long_ago, long_ago))
    os.utime(recent, (long_ago + 3600, long_ago + 3600))  # not yet a month: stays
    load(write("other.toml", '[[steps]]\ntype = "rest"\nseconds = 3\n'))
    assert old.exists() and killed.exists()  # this process has swept already
    program_cache._swept.clear()  # as in the next spasmtimer to run
    load(write("third.toml", '[[steps]]\ntype = "rest"\nseconds = 4\n'))
    assert not old.exists() and not killed.exists()
    assert recent in kept_files() and len(kept_files()) == 3


def test_warnings_survive_the_cache(loads: Loads) -> None:
    path = DATA / "warnings" / "unlikely.toml"
    fresh = loads.fresh(path, shown="unlikely.toml")
    load(path, shown="unlikely.toml")
    kept = load(path, shown="unlikely.toml")
    assert loads.count == 1
    assert len(kept.warnings) == 3
    assert kept.warnings == fresh.warnings


# --- a cache that is not to be trusted, or cannot be used ---------------------------------


def damage(kept: Path, how: str) -> None:
    data = kept.read_bytes()
    if how == "truncated":
        kept.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        kept.write_bytes(b"\x80\x05not a pickle at all")
    elif how == "empty":
        kept.write_bytes(b"")
    elif how == "another shape":
        kept.write_bytes(pickle.dumps(("a", "b")))
    elif how == "another program":
        key, reads, _ = pickle.loads(data)
        kept.write_bytes(pickle.dumps((key, reads, "not a program")))
    elif how == "a class that is gone":
        kept.write_bytes(data.replace(b"StretchChanges", b"StretchChangez"))
    elif how == "fifo":
        kept.unlink()
        os.mkfifo(kept)
    elif how == "folder":
        kept.unlink()
        kept.mkdir()
    elif how == "link":
        shutil.move(kept, kept.with_name("elsewhere"))
        kept.symlink_to("elsewhere")  # the same bytes, but not trusted through a link
    elif how == "group-writable":
        kept.chmod(0o620)
    elif how == "world-writable":
        kept.chmod(0o606)
    else:
        raise AssertionError(how)


HOW = [
    "truncated",
    "garbage",
    "empty",
    "another shape",
    "another program",
    "a class that is gone",
    "fifo",
    "folder",
    "link",
    "group-writable",
    "world-writable",
]


@pytest.mark.parametrize("how", HOW)
def test_a_damaged_or_untrusted_kept_file_is_a_miss(family: Path, loads: Loads, how: str) -> None:
    first = load(family)
    [kept] = kept_files()
    damage(kept, how)
    assert load(family) == first
    assert loads.count == 2
    if how != "folder":  # a folder in its place cannot be replaced; otherwise it is rewritten
        assert load(family) == first
        assert loads.count == 2


def test_an_untrusted_pickle_is_never_unpickled(
    family: Path, loads: Loads, tmp_path: Path
) -> None:
    """What a writable cache file could be made to do, it is not given the chance to."""
    load(family)
    [kept] = kept_files()
    marker = tmp_path / "ran"
    kept.write_bytes(pickle.dumps(_Trap(str(marker))))
    kept.chmod(0o666)
    load(family)
    assert not marker.exists()
    assert loads.count == 2


class _Trap:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (Path(self.marker),))


def test_a_cache_folder_writable_by_others_is_neither_read_nor_written(
    family: Path, loads: Loads
) -> None:
    load(family)
    cache_dir().chmod(0o777)
    [kept] = kept_files()
    kept.unlink()
    load(family)
    load(family)
    assert loads.count == 3
    assert kept_files() == []


def test_a_cache_of_another_owner_is_not_used(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    load(family)
    monkeypatch.setattr(os, "geteuid", lambda: os.getuid() + 1)
    assert load(family) == loads.fresh(family)
    load(family)
    assert loads.count == 3


def test_a_cache_folder_that_cannot_be_made_is_no_matter(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert load(family) == load(family) == loads.fresh(family)
    assert loads.count == 2


@pytest.mark.parametrize("failing", ["open", "replace"])
def test_a_full_disk_is_no_matter(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    real = getattr(os, failing)

    def full(path: object, *args: object, **kwargs: object) -> object:
        if str(path).startswith(str(cache_dir())) and (failing == "replace" or args[0]):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, failing, full)
    assert load(family) == loads.fresh(family)
    assert kept_files() == []
    assert not list(cache_dir().glob(".*.tmp"))  # the half-made file is cleared away


def test_a_working_folder_that_is_gone_is_no_matter(
    family: Path, loads: Loads, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert load(family) == loads.fresh(family)


# --- through the command line -------------------------------------------------------------


def test_the_cache_never_lets_a_broken_program_run(
    capsys: pytest.CaptureFixture[str], family: Path
) -> None:
    assert main(["plan", str(family)]) == 0
    assert kept_files()
    child = family.parent / "child.toml"
    child.write_text(CHILD.replace("seconds = 7", "seconds = -7"))
    capsys.readouterr()
    status = main(["run", str(family), "--plain"])
    _, err = capsys.readouterr()
    assert status == 1
    assert err.startswith(f"{child}:5:11: steps[1].seconds: must be greater than 0 (got -7)")


def test_check_validates_from_scratch(
    capsys: pytest.CaptureFixture[str], family: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["plan", str(family)]) == 0

    def not_here(*args: object, **kwargs: object) -> None:
        raise AssertionError("check went through the cache")

    monkeypatch.setattr(program_cache, "load_program", not_here)
    assert main(["check", str(family)]) == 0
    assert "ok" in capsys.readouterr().out
