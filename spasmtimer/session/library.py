"""The program library: bundled programs and the user's own, found by name or by path.

Finding programs reads only the folders; loading one needs the loader (and pydantic, about
150 ms), which is imported when a program is loaded, so that shell completion stays quick —
and only when the program is new or changed since it was last loaded (`program_cache`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import msgspec
from msgspec.structs import replace

from spasmtimer.base import locations
from spasmtimer.base.errors import UserError
from spasmtimer.base.locations import shown_path
from spasmtimer.base.text import close_names, file_name_text
from spasmtimer.program.problems import ProgramError
from spasmtimer.session.levels import Level

if TYPE_CHECKING:
    from spasmtimer.program.cache import KeptLibrary, Loaded
    from spasmtimer.program.resolved import Program

Source = Literal["bundled", "user", "file"]


class Entry(msgspec.Struct, frozen=True):
    """A program file the library knows of, not yet loaded."""

    name: str
    """What ``run`` and ``plan`` accept: the file's stem, as text (`file_name_text`)."""
    path: Path
    source: Source
    replaces_bundled: bool = False
    """A user's program with the name of a bundled one, which it takes the place of."""

    @property
    def path_text(self) -> str:
        """The file's path as text, to show, to store in the history or to write as JSON."""
        return file_name_text(str(self.path))


class NotFound(UserError):
    """No program by that name or path; the message says what there is instead."""


def _scan(folder: Path, source: Source) -> list[Entry]:
    """Every ``*.toml`` in ``folder`` that is not a folder. One that is not a regular file (a
    FIFO, a link that loops) is listed too, and its loading says what is wrong with it."""
    # One listing, its entries' types read with it: a `stat` a file (as `glob` and `is_dir`)
    # was most of the time to find a name among thousands.
    try:
        with os.scandir(folder) as listing:
            files = sorted(
                folder / found.name
                for found in listing
                if found.name.endswith(".toml") and not _is_folder(found)
            )
    except OSError:  # the folder itself is missing, unreadable or a loop
        return []
    return [Entry(file_name_text(p.stem), p, source) for p in files]


def _is_folder(found: os.DirEntry[str]) -> bool:
    try:
        return found.is_dir()
    except OSError:  # a link that loops, or one that cannot be followed: not a folder
        return False


def entries() -> list[Entry]:
    """Every program in the library: the user's first, then the bundled ones not shadowed by them.

    A user program with the same name as a bundled one replaces it, so that a person can adapt
    a bundled program by copying it into their own folder.
    """
    every_bundled = _scan(locations.bundled_programs_dir(), "bundled")
    bundled_names = {e.name for e in every_bundled}
    user = [
        replace(e, replaces_bundled=e.name in bundled_names)
        for e in _scan(locations.user_programs_dir(), "user")
    ]
    names = {e.name for e in user}
    bundled = [e for e in every_bundled if e.name not in names]
    return sorted(user + bundled, key=lambda e: (e.name, e.source))


FilesStamp = tuple[tuple[str, int | None, int | None], ...]


def files_stamp(items: Sequence[Item]) -> FilesStamp:
    """What the library's files are now: each program file in the folders, and each file a
    loaded program was read from (its includes), with its time of change and size.

    Cheap enough to take every couple of seconds (a listing of two folders and a `stat` per
    file), so that the app notices a program added, removed or edited behind its back.
    """
    paths = {str(e.path) for e in entries()}
    for item in items:
        if item.program is not None:
            paths.update(str(p) for p in item.program.files)
    stamp: list[tuple[str, int | None, int | None]] = []
    for path in sorted(paths):
        try:
            info = os.stat(path)
        except OSError:
            stamp.append((path, None, None))
            continue
        stamp.append((path, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def find(program: str) -> Entry:
    """The program a user means by ``program``: a path to a ``.toml`` file, or a library name."""
    try:
        path = Path(program).expanduser()
    except RuntimeError:  # ~someone, and there is no such user
        raise NotFound(f"{program}: no such user's home folder") from None
    if path.is_dir():
        raise NotFound(f"{program}: is a folder, not a program file")
    if os.path.lexists(path):
        # Whatever it is (a FIFO, a link that loops), the loader reads it safely and says.
        return Entry(file_name_text(path.stem), path, "file")
    if program.endswith(".toml") or "/" in program:
        raise NotFound(f"{program}: no such program file")
    by_name = locations.library_files(program)
    if by_name:
        (found, yours), *bundled = by_name
        source: Source = "user" if yours else "bundled"
        return Entry(program, Path(found), source, replaces_bundled=bundled != [])
    known = entries()
    for entry in known:
        if entry.name == program:
            return entry
    close = close_names(program, [e.name for e in known])
    hint = f"; did you mean {', '.join(close)}?" if close else "; `spasmtimer list` shows them all"
    raise NotFound(f"{program}: no program by that name{hint}")


LevelOf = Callable[[str, int | None], Level]
"""A program's current level, from its name and its cap level (None: not known)."""


class Item(msgspec.Struct, frozen=True):
    """A library program, loaded: or the reason it could not be."""

    entry: Entry
    program: Program | None
    error: str | None
    level: Level
    total_seconds: float | None

    @property
    def title(self) -> str:
        return self.program.title if self.program else self.entry.name

    @property
    def tags(self) -> tuple[str, ...]:
        return self.program.tags if self.program else ()


def load_item(entry: Entry, level_of: LevelOf, default_prepare: float | None = None) -> Item:
    """Load one library entry; a program that fails to load becomes an item with its error."""
    from spasmtimer.program.cache import load_program

    try:
        program = load_program(
            entry.path, shown=shown_path(entry.path), default_prepare=default_prepare
        )
    except ProgramError as e:
        return _unloaded(entry, str(e), level_of)
    return _at_level(entry, program, level_of)


def _unloaded(entry: Entry, error: str, level_of: LevelOf) -> Item:
    return Item(entry, None, error, level_of(entry.name, None), None)


def _at_level(entry: Entry, program: Program, level_of: LevelOf, known: Item | None = None) -> Item:
    """The item of a loaded program, at its level now (its time worked out again only if the
    level is not ``known``'s)."""
    from spasmtimer.program.timeline import LimitError, cap_level, length_at

    level = level_of(entry.name, cap_level(program))
    if known is not None and known.program is program and known.level == level:
        return known if known.entry == entry else replace(known, entry=entry)
    try:
        total = length_at(program, level.value, level.held)  # without making its phases
    except LimitError as e:
        return Item(entry, None, f"cannot run at {level}: {e}", level, None)
    return Item(entry, program, None, level, total)


def cap_of(name: str) -> int | None:
    """The cap level of the library's program ``name``, if it is there and loads: what the
    level shown beside a name in the history is held to."""
    from spasmtimer.program.cache import load_program
    from spasmtimer.program.timeline import cap_level

    try:
        return cap_level(load_program(find(name).path))
    except (NotFound, ProgramError):
        return None


def load_items(
    level_of: LevelOf, default_prepare: float | None = None, *, processes: int = 1
) -> list[Item]:
    """Every program of the library, loaded: those new or changed on up to ``processes``
    cores (`forked.map_forked`; the app, which runs threads, loads on one)."""
    return list(iter_items(level_of, default_prepare, processes=processes))


AT_ONCE = 16
"""Programs to load afresh, a process, below which forking for them is not worth its cost."""


def iter_items(
    level_of: LevelOf,
    default_prepare: float | None = None,
    *,
    known: Sequence[Item] = (),
    known_stamp: FilesStamp = (),
    processes: int = 1,
) -> Generator[Item, None, None]:
    """Each program of the library, loaded, in order, as it is loaded: a library of thousands
    is shown as it comes. A program of ``known`` (loaded with the same ``default_prepare``)
    whose files are as ``known_stamp`` found them is taken as it is, at its level now; one
    kept since it was last loaded (`KeptLibrary`) is taken from there. The rest are loaded
    afresh — ahead, on up to ``processes`` cores, when there are enough of them."""
    from spasmtimer.base.files import looking_once
    from spasmtimer.program.cache import KeptLibrary

    before = {
        (item.entry.name, item.entry.path): item for item in known if item.program is not None
    }
    stamps = {path: (changed, size) for path, changed, size in known_stamp}

    def known_now(entry: Entry) -> Item | None:
        item = before.get((entry.name, entry.path))
        return item if item is not None and _as_stamped(item, stamps) else None

    listed_whole = False
    with looking_once():  # the figures most of them show, looked at once
        kept = KeptLibrary(default_prepare)
        programs: dict[Path, Program | None] = {}

        def kept_program(entry: Entry) -> Program | None:
            if entry.path not in programs:
                programs[entry.path] = kept.program(entry.path, shown_path(entry.path))
            return programs[entry.path]

        try:
            listed = entries()
            ahead: dict[Path, Afresh] = {}
            if processes > 1:
                afresh = [e for e in listed if not known_now(e) and kept_program(e) is None]
                ahead = _loaded_ahead(afresh, default_prepare, processes)
            for entry in listed:
                if (item := known_now(entry)) is not None:
                    assert item.program is not None
                    kept.retain(entry.path, shown_path(entry.path))
                    yield _at_level(entry, item.program, level_of, item)
                elif (program := kept_program(entry)) is not None:
                    yield _at_level(entry, program, level_of)
                else:
                    yield _loaded(entry, kept, ahead.get(entry.path), level_of, default_prepare)
            listed_whole = True
        finally:
            kept.keep(whole=listed_whole)


Afresh: TypeAlias = "Loaded | str"
"""A program loaded afresh, with the files it was read from; or why it could not be."""


def _load_afresh(entry: Entry, default_prepare: float | None) -> Afresh:
    from spasmtimer.program.cache import load_afresh

    try:
        return load_afresh(entry.path, shown_path(entry.path), default_prepare)
    except ProgramError as e:
        return str(e)


def _loaded_ahead(
    afresh: Sequence[Entry], default_prepare: float | None, processes: int
) -> dict[Path, Afresh]:
    """The programs of ``afresh`` loaded on ``processes`` cores, by path, when there are
    enough to be worth it: those a process failed at are left out, to be loaded here."""
    processes = min(processes, len(afresh) // AT_ONCE)
    if processes < 2:
        return {}
    # pydantic and the file models imported once, before the fork, not in each process.
    import spasmtimer.program.loader  # noqa: F401
    from spasmtimer.base.forked import map_forked

    done = map_forked(lambda entry: _load_afresh(entry, default_prepare), afresh, processes)
    return {afresh[n].path: outcome for n, outcome in done.items()}


def _loaded(
    entry: Entry,
    kept: KeptLibrary,
    ahead: Afresh | None,
    level_of: LevelOf,
    default_prepare: float | None,
) -> Item:
    """The item of a program not kept: loaded ahead, or now; kept for next time if it loads."""
    outcome = ahead if ahead is not None else _load_afresh(entry, default_prepare)
    if isinstance(outcome, str):
        return _unloaded(entry, outcome, level_of)
    kept.add(entry.path, shown_path(entry.path), outcome)
    return _at_level(entry, outcome[0], level_of)


def _as_stamped(item: Item, stamps: dict[str, tuple[int | None, int | None]]) -> bool:
    """Are the item's files (its own and each it was read from) as they were stamped?"""
    assert item.program is not None
    for path in {str(item.entry.path), *(str(p) for p in item.program.files)}:
        try:
            info = os.stat(path)
        except OSError:
            return False
        if stamps.get(path) != (info.st_mtime_ns, info.st_size):
            return False
    return True
