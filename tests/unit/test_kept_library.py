"""A library's programs kept in one file (`KeptLibrary`), and a first listing loaded on several
cores: a listing gives what loading every program afresh gives, keeps them in one write, and
the next listing loads only what changed."""

from __future__ import annotations

import os
import pickle
import shutil
import time
import zlib
from pathlib import Path

import pytest

from spasmtimer.base.locations import cache_dir, shown_path, user_programs_dir
from spasmtimer.program import cache as program_cache
from spasmtimer.program import loader
from spasmtimer.session import library
from spasmtimer.session.levels import Level
from tests.unit.test_program_cache import Loads

STRETCH = """title = "{title}"
[[steps]]
type = "stretch"
name = "Knee to chest"
hold = {hold}
"""
INCLUDER = """title = "With a warm-up"
[[steps]]
include = "warm-up.part"
[[steps]]
type = "rest"
seconds = 5
"""
WARM_UP = """[[steps]]
type = "breathe"
inhale = 4
exhale = 6
cycles = {cycles}
"""
BROKEN = """title = "Broken"
[[steps]]
type = "stretch"
hodl = 20
"""


def level_zero(name: str, cap: int | None) -> Level:
    return Level(0)


def listing(processes: int = 1) -> list[library.Item]:
    return library.load_items(level_zero, processes=processes)


def own(name: str) -> Path:
    return user_programs_dir() / name


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    return Loads(monkeypatch)


@pytest.fixture
def programs() -> list[Path]:
    """Ten of one's own programs, one of them including a file beside it, one broken."""
    folder = user_programs_dir()
    folder.mkdir(parents=True)
    paths = [own(f"stretch-{n}.toml") for n in range(8)]
    for n, path in enumerate(paths):
        path.write_text(STRETCH.format(title=f"Stretch {n}", hold=20 + n))
    (folder / "warm-up.part").write_text(WARM_UP.format(cycles=3))
    own("with-warm-up.toml").write_text(INCLUDER)
    own("broken.toml").write_text(BROKEN)
    return [*paths, own("with-warm-up.toml"), own("broken.toml")]


def kept_library() -> Path:
    [kept] = cache_dir().glob("library-*.pickle")
    return kept


def kept_batches() -> list[dict[tuple[str, str, str], object]]:
    _, batches = pickle.loads(kept_library().read_bytes())
    return [pickle.loads(batch) for _, batch in batches]


def checked(batch: bytes) -> tuple[int, bytes]:
    return zlib.crc32(batch), batch


def kept_paths() -> set[str]:
    return {where[0] for batch in kept_batches() for where in batch}


def item_of(items: list[library.Item], name: str) -> library.Item:
    return next(item for item in items if item.entry.name == name)


def test_a_listing_keeps_the_library_in_one_file(programs: list[Path], loads: Loads) -> None:
    first = listing()
    assert loads.count == len(first)  # every program loaded afresh, the broken one too
    kept = kept_library()
    assert sorted(cache_dir().glob("*.pickle")) == [kept]  # one write, not one a program
    stamp = kept.stat()

    again = listing()
    assert again == first
    assert loads.count == len(first) + 1  # the broken program alone: it is never kept
    after = kept.stat()
    assert (after.st_ino, after.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)  # not rewritten
    assert item_of(again, "broken").error is not None
    assert str(own("broken.toml")) not in kept_paths()


def test_the_library_is_kept_in_batches(
    programs: list[Path], loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch pickled apart, so that the app's screen is drawn between them."""
    monkeypatch.setattr(program_cache, "BATCH", 3)
    first = listing()
    batches = kept_batches()
    kept = len(first) - 1  # all but the broken one
    assert [len(batch) for batch in batches] == [3] * (kept // 3) + [kept % 3] * (kept % 3 > 0)
    count = loads.count
    assert listing() == first
    assert loads.count == count + 1


def test_an_edited_program_alone_is_loaded_again(programs: list[Path], loads: Loads) -> None:
    first = item_of(listing(), "stretch-3")
    before = loads.count
    own("stretch-3.toml").write_text(STRETCH.format(title="Longer now", hold=45))
    items = listing()
    assert loads.count == before + 2  # the edited program, and the broken one
    edited = item_of(items, "stretch-3")
    assert edited.title == "Longer now"
    assert first.total_seconds is not None and edited.total_seconds == first.total_seconds + 22
    assert listing() == items
    assert loads.count == before + 3


def test_an_edited_include_loads_the_program_that_includes_it(
    programs: list[Path], loads: Loads
) -> None:
    first = item_of(listing(), "with-warm-up").total_seconds
    before = loads.count
    (user_programs_dir() / "warm-up.part").write_text(WARM_UP.format(cycles=6))
    now = item_of(listing(), "with-warm-up").total_seconds
    assert loads.count == before + 2
    assert first is not None and now is not None and now > first


def test_a_removed_program_leaves_the_kept_library(programs: list[Path], loads: Loads) -> None:
    listing()
    assert str(own("stretch-5.toml")) in kept_paths()
    own("stretch-5.toml").unlink()
    items = listing()
    assert "stretch-5" not in [item.entry.name for item in items]
    assert str(own("stretch-5.toml")) not in kept_paths()


def test_a_program_kept_when_it_was_run_is_taken_from_there(
    programs: list[Path], loads: Loads
) -> None:
    path = own("stretch-2.toml")
    program_cache.load_program(path, shown=shown_path(path))  # as `run` loads it
    assert loads.count == 1
    items = listing()
    assert loads.count == len(items)  # every other program, and not that one again
    assert item_of(items, "stretch-2").title == "Stretch 2"


def test_another_prepare_is_another_kept_library(programs: list[Path], loads: Loads) -> None:
    listing()
    count = loads.count
    items = library.load_items(level_zero, 12)
    assert loads.count == count + len(items)
    assert len(list(cache_dir().glob("library-*.pickle"))) == 2


@pytest.mark.parametrize(
    "how",
    [
        "truncated",
        "garbage",
        "empty",
        "another shape",
        "not a program",
        "a batch not a dict",
        "a byte changed",
        "fifo",
        "folder",
        "link",
        "world-writable",
    ],
)
def test_a_damaged_or_untrusted_kept_library_is_a_miss(
    programs: list[Path], loads: Loads, how: str
) -> None:
    first = listing()
    kept = kept_library()
    data = kept.read_bytes()
    if how == "truncated":
        kept.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        kept.write_bytes(b"\x80\x05not a pickle at all")
    elif how == "empty":
        kept.write_bytes(b"")
    elif how == "another shape":
        kept.write_bytes(pickle.dumps(("a", "b", "c")))
    elif how == "not a program":
        key, batches = pickle.loads(data)
        programs = pickle.loads(batches[0][1])
        batches[0] = checked(pickle.dumps(dict.fromkeys(programs, ("x", ()))))
        kept.write_bytes(pickle.dumps((key, batches)))
    elif how == "a byte changed":
        # A title's byte, the pickle still whole: only the batch's check tells.
        key, batches = pickle.loads(data)
        check, batch = batches[0]
        kept.write_bytes(
            pickle.dumps(
                (key, [(check, batch.replace(b"Stretch 0", b"Strotch 0", 1)), *batches[1:]])
            )
        )
    elif how == "a batch not a dict":
        key, batches = pickle.loads(data)
        kept.write_bytes(pickle.dumps((key, [*batches, checked(pickle.dumps(["a", "list"]))])))
    elif how == "fifo":
        kept.unlink()
        os.mkfifo(kept)
    elif how == "folder":
        kept.unlink()
        kept.mkdir()
    elif how == "link":
        shutil.move(kept, kept.with_name("elsewhere"))
        kept.symlink_to("elsewhere")
    else:
        kept.chmod(0o606)
    count = loads.count
    assert listing() == first
    assert loads.count == count + len(first)


def test_a_kept_library_too_large_is_not_kept(
    programs: list[Path], loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(program_cache, "MAX_LIBRARY_BYTES", 1000)
    first = listing()
    assert list(cache_dir().glob("library-*.pickle")) == []
    assert listing() == first


def test_a_listing_cut_short_keeps_what_it_loaded_with_what_was_kept(
    programs: list[Path], loads: Loads
) -> None:
    names = [item.entry.name for item in listing()]
    own("stretch-0.toml").write_text(STRETCH.format(title="Edited", hold=30))
    own("stretch-7.toml").write_text(STRETCH.format(title="Edited too", hold=30))
    items = library.iter_items(level_zero)
    for item in items:  # as far as stretch-0, not to stretch-7
        if item.entry.name == "stretch-0":
            break
    items.close()
    assert len(kept_paths()) == len(names) - 1  # all but the broken one, still
    count = loads.count
    listing()
    assert loads.count == count + 2  # stretch-7, and the broken one


def test_the_apps_known_programs_stay_kept(programs: list[Path], loads: Loads) -> None:
    """What the app loaded before and has not changed since (by its files' stamps) is taken as
    it is, and stays in the kept library for the next listing."""
    known = listing()
    stamp = library.files_stamp(known)
    own("stretch-4.toml").write_text(STRETCH.format(title="Edited", hold=30))
    count = loads.count
    again = list(library.iter_items(level_zero, known=known, known_stamp=stamp))
    assert loads.count == count + 2  # the edited one and the broken one
    assert item_of(again, "stretch-4").title == "Edited"
    count = loads.count
    assert listing() == again
    assert loads.count == count + 1  # the broken one: the known ones were kept


def test_a_first_listing_on_several_cores_gives_what_one_gives(
    programs: list[Path], loads: Loads, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library, "AT_ONCE", 1)  # forking is worth it for ten
    counted = loader.read_program

    def slowly(*args: object, **kwargs: object) -> object:
        time.sleep(0.02)  # so that the other process claims its part before this one has all
        return counted(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "read_program", slowly)
    on_two = listing(processes=2)
    assert loads.count <= len(on_two) - 2  # counted here: the rest were loaded by another
    shutil.rmtree(cache_dir())
    on_one = listing()
    assert on_two == on_one
    assert item_of(on_two, "broken").error is not None
    count = loads.count
    listing(processes=2)
    assert loads.count == count + 1  # what the other process loaded was kept as well


def test_a_library_listed_unchanged_for_weeks_is_not_swept(
    programs: list[Path], loads: Loads
) -> None:
    """Not rewritten when nothing changed, a kept library would look unused after a month:
    listing it moves its time of change on, when that is getting old."""
    listing()
    kept = kept_library()
    weeks_ago = time.time() - program_cache.KEPT_SECONDS * 0.6
    os.utime(kept, (weeks_ago, weeks_ago))
    count = loads.count
    listing()
    assert kept.stat().st_mtime > time.time() - 60
    assert loads.count == count + 1  # the broken one alone
