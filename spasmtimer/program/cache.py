"""Programs loaded before, kept so that the next load starts without the loader.

Loading a program imports pydantic, builds the file models, validates, resolves and checks the
limits: some 200 ms before a session's first frame, for a program that has not changed since
last time. So a program that loads is kept in ``$XDG_CACHE_HOME/spasmtimer/`` together with
every file it was read from — the path asked for, the real path that led to, and the exact
bytes the loader parsed (captured inside the loader from those same bytes, so a file changed
while it was being loaded is seen as changed). The next load of that path, with the same
options and the same code, reads each of those files again (with `files.read_regular`, as the
loader does) and uses the kept program only if every real path and every byte is the same.

Anything else is a miss, silently: a file edited, deleted or retargeted by a link; a kept file
missing, damaged, of another owner or writable by others; a new spasmtimer, Python or
pydantic. The program is then loaded as ever and kept anew. A program that fails to load is
never kept, so the cache cannot make a broken program run, and nothing here is needed for
correctness: a cache folder that cannot be written (a full disk, a read-only home) only means
that every load is a full one. `check` does not use it: it always validates from scratch.

A library listed (`list`, the app's library) is kept the same way in one file, `KeptLibrary`:
each program with the files it was read from, checked as a program kept alone is.

The kept program is a pickle, and unpickling can run code. It is read only from a regular
file opened without following a link, owned by this user and writable by no one else, in a
folder owned by this user and writable by no one else. Whoever can write there can already
run code as this user (their shell's start-up files are as writable), so the pickle gives them
nothing they did not have.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import stat
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TypeGuard

from spasmtimer import __version__
from spasmtimer.base import locations
from spasmtimer.base.files import (
    FileRead,
    FileRefused,
    once,
    read_regular,
    real_text,
    replace_atomically,
)
from spasmtimer.base.keep import code_stamp
from spasmtimer.program.resolved import MAX_FILE_BYTES, Program

FORMAT = 5
"""Changed whenever what is kept changes shape."""
MAX_KEPT_BYTES = 32 * 1024 * 1024
"""A kept program larger than this is neither written nor read."""
KEPT_SECONDS = 30 * 24 * 3600
"""A kept program not written for this long is removed when another is kept: a file run once
from /tmp, or kept under a setting since changed, does not stay for ever. One still in use
costs a full load at most once a month, and is kept anew."""
CODE_LAYERS = ("base", "program")
"""The folders of the package whose code decides what a load gives: a change to any module in
them (a new version, or an edit to a checkout) leaves every kept program behind."""


def load_program(
    path: Path | str, *, shown: str | None = None, default_prepare: float | None = None
) -> Program:
    """`loader.load_program`, from the cache when every file the program was read from is
    as it was; otherwise loaded, and kept for next time.

    Raises `ProgramError` as the loader does: a program that does not load is never kept.
    """
    path = Path(path)
    shown = shown or str(path)
    try:
        name, key = _key(path, shown, default_prepare)
    except (OSError, ValueError):  # the working folder is gone, the code cannot be stat'ed
        name, key = None, None
    if name is not None and key is not None:
        kept = _lookup(name, key)
        if kept is not None:
            return kept[0]
    program, reads = load_afresh(path, shown, default_prepare)
    if name is not None and key is not None:
        _store(name, key, reads, program)
    return program


Reads = tuple[FileRead, ...]
Loaded = tuple[Program, Reads]
"""A program, and every file it was read from as it was read: what it is kept with."""


def load_afresh(path: Path, shown: str, default_prepare: float | None) -> Loaded:
    """The loader's program, and the files it was read from; raises `ProgramError`."""
    # pydantic and the file models: about 150 ms, paid only when a program is new or changed.
    from spasmtimer.program.loader import read_program

    return read_program(path, shown=shown, default_prepare=default_prepare)


# --- what a kept program is kept under ----------------------------------------------------


def _key(path: Path, shown: str, default_prepare: float | None) -> tuple[str, tuple[object, ...]]:
    """The kept file's name, and the key it must hold: the program's path as given and as
    absolute (a relative path means another file in another folder), the loading options, and
    the code and versions that load it. The name leaves the versions out, so that a new
    version replaces its programs' files rather than adding to them."""
    where = (*_where(path, shown), repr(default_prepare))
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)[:40] or "program"
    name = f"{stem}-{zlib.crc32(repr(where).encode()):08x}.pickle"
    return name, (FORMAT, *where, *_code_key())


def _code_key() -> tuple[object, ...]:
    """What a kept program is of besides its files: the code and versions that loaded it, and
    the person's figures folder. Raises `OSError` when the code cannot be stat'ed."""
    figures = once("own figures' stamp", _own_figures_stamp)  # once a library's load
    return (__version__, sys.version, code_stamp(CODE_LAYERS), figures)


def _own_figures_stamp() -> tuple[int, int] | None:
    """When the person's figures folder last had a file added, removed or renamed: one of
    theirs may now stand in for a bundled figure a kept program shows (a figure's own file
    changing is seen as a program's files are, byte for byte)."""
    try:
        info = os.stat(locations.user_figures_dir())
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


def _trusted(info: os.stat_result) -> bool:
    """Owned by this user, and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


# --- reading ------------------------------------------------------------------------------


def _lookup(name: str, key: tuple[object, ...]) -> Loaded | None:
    """The program kept under ``name`` with its files, if it is trusted, holds ``key``, and
    every file it was read from is as it was; None otherwise."""
    # The folder worked out once a library's load: a path made for each of hundreds is felt.
    folder = once("cache folder", locations.cache_dir)
    data = read_trusted(folder / name)
    if data is None:
        return None
    try:
        kept_key, reads, program = pickle.loads(data)
        if kept_key != key or not _sound(reads, program):
            return None
    except Exception:  # damaged, truncated, or not ours: whatever unpickling raises
        return None
    return (program, reads) if _unchanged(reads) else None


def _unchanged(reads: Sequence[FileRead]) -> bool:
    """Does every path still lead where it did, and give the bytes it gave? A kept read that is
    not what one should be (a path that is not text) is a change."""
    try:
        return all(_look(read.path) == (read.real, read.data) for read in reads)
    except (TypeError, ValueError):
        return False


def _sound(reads: object, program: object) -> bool:
    """Is this what a program is kept as: files read (at least its own), and a program?"""
    return (
        isinstance(program, Program)
        and isinstance(reads, tuple)
        and bool(reads)
        and all(isinstance(r, FileRead) for r in reads)
    )


def read_trusted(path: Path, limit: int = MAX_KEPT_BYTES) -> bytes | None:
    """The bytes of the file kept at ``path`` in the cache folder, if the folder and the file
    can be trusted (see above) and it holds no more than ``limit``; None otherwise."""
    try:
        # The folder looked at once as a library loads (`files.looking_once`).
        if not once(("trusted folder", path.parent), lambda: _trusted_folder(path.parent)):
            return None
        return _read_kept(path, limit)
    except OSError:
        return None


def _trusted_folder(folder: Path) -> bool:
    info = os.lstat(folder)  # a link in its place is not trusted
    return stat.S_ISDIR(info.st_mode) and _trusted(info)


def _read_kept(path: Path, limit: int) -> bytes | None:
    """The bytes of the kept file, if it is a regular file we can trust."""
    # O_NOFOLLOW: a link is refused (ELOOP); O_NONBLOCK: a FIFO does not wait for a writer.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or not _trusted(info):
            return None
        if info.st_size > limit:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            limit -= len(chunk)
            if limit < 0:  # grown since it was looked at
                return None
        return b"".join(chunks)
    finally:
        os.close(fd)


def _look(path: str) -> tuple[str | None, bytes | None]:
    """Where ``path`` leads now (its links followed, as `real_path`) and its bytes, or None for
    what cannot be had: once within `files.looking_once`, as a library loads."""
    return once(("kept program's file", path), lambda: _look_now(path))


def _look_now(path: str) -> tuple[str | None, bytes | None]:
    try:
        real: str | None = real_text(path)
    except ValueError:  # a NUL byte: no such file
        real = None
    try:
        data: bytes | None = read_regular(path, MAX_FILE_BYTES, "program file")
    except FileRefused:
        data = None
    return real, data


# --- writing ------------------------------------------------------------------------------


def _store(name: str, key: tuple[object, ...], reads: Sequence[FileRead], program: Program) -> None:
    """Keep ``program`` under ``name``, atomically; silently not, if that cannot be done."""
    try:
        data = pickle.dumps((key, tuple(reads), program), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # nothing a program holds should fail to pickle; if it does, no cache
        return
    keep_trusted(name, data)


def keep_trusted(name: str, data: bytes, limit: int = MAX_KEPT_BYTES) -> None:
    """Keep ``data`` as ``name`` in the cache folder, atomically; silently not, if it is
    larger than ``limit``, or that cannot be done, or the folder cannot be trusted."""
    if len(data) > limit:
        return
    folder = locations.cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted_folder(folder):
            return
        replace_atomically(folder / name, data, cache=True)
    except OSError:  # a full disk, a read-only or locked folder, a file where the folder goes
        return
    _sweep(folder)


_swept: set[Path] = set()
"""The folders this process has swept: once is enough (a listing of the whole folder for each
program kept made keeping a library of thousands take minutes)."""


def _sweep(folder: Path) -> None:
    """Remove the kept programs, and the temporary files of writers killed mid-way, that are
    older than `KEPT_SECONDS` (only those: another spasmtimer may be writing one now). Once a
    process."""
    if folder in _swept:
        return
    _swept.add(folder)
    cutoff = time.time() - KEPT_SECONDS
    for left in [*folder.glob("*.pickle"), *folder.glob(".*.tmp")]:
        with contextlib.suppress(OSError):
            if left.lstat().st_mtime < cutoff:
                left.unlink()


# --- a library's programs, kept in one file -----------------------------------------------

LIBRARY_FORMAT = 2
"""Changed whenever a kept library changes shape (besides its programs: `FORMAT`)."""
MAX_LIBRARY_BYTES = 128 * 1024 * 1024
"""A kept library larger than this is neither written nor read: some 30,000 programs."""

BATCH = 100
"""Programs pickled together, each batch on its own: a pickling holds Python's lock throughout,
and 5,000 programs at once held the app's library still for half a second as it kept them.
Each batch is kept with its CRC-32: one a damaged disk changed, yet still unpickled, would
give programs no file of theirs ever said."""

Where = tuple[str, str, str]
"""A library program's place in a kept library: its path, as given and as absolute, and as
shown (the words its problems are said with)."""


class KeptLibrary:
    """A library's programs kept in one file, to list them: read back in one read rather than
    one a program, and kept in one write (for a library of 700, a write each took longer than
    loading the programs).

    Trusted, keyed and checked as a kept program is (above): each program comes back only
    while every file it was read from is byte for byte what it was. A program not in it, or
    changed since, may have been kept on its own by `load_program` (as it was run) and is
    taken from there. Kept anew only when what it holds changes.
    """

    def __init__(self, default_prepare: float | None) -> None:
        self._default_prepare = default_prepare
        self._name = f"library-{zlib.crc32(repr(default_prepare).encode()):08x}.pickle"
        try:
            self._key: tuple[object, ...] | None = (
                LIBRARY_FORMAT,
                *_code_key(),
                repr(default_prepare),
            )
        except (OSError, ValueError):  # the code cannot be stat'ed: nothing kept, nor read
            self._key = None
        self._kept = self._read()
        self._now: dict[Where, Loaded] = {}
        """The programs asked for since, as they are now: what is kept next."""
        self._changed = False
        self._alone: frozenset[str] | None = None

    def _read(self) -> dict[Where, Loaded]:
        if self._key is None:
            return {}
        folder = once("cache folder", locations.cache_dir)
        data = read_trusted(folder / self._name, MAX_LIBRARY_BYTES)
        if data is None:
            return {}
        try:
            key, batches = pickle.loads(data)
            if key != self._key or not isinstance(batches, list):
                return {}
            programs: dict[Where, Loaded] = {}
            for check, batch in batches:  # each its own unpickling: see `BATCH`
                if zlib.crc32(batch) == check:  # else a damaged disk's: its programs load afresh
                    programs.update(pickle.loads(batch))
        except Exception:  # damaged, truncated, or not ours: whatever unpickling raises
            return {}
        return programs

    def program(self, path: Path, shown: str) -> Program | None:
        """The program at ``path`` as it was kept, here or on its own, if every file it was
        read from is as it was; None otherwise."""
        try:
            where = _where(path, shown)
        except (OSError, ValueError):  # the working folder is gone
            return None
        kept = self._kept.get(where)
        if _is_loaded(kept) and _unchanged(kept[1]):
            self._now[where] = kept
            return kept[0]
        try:
            name, key = _key(path, shown, self._default_prepare)
            alone = _lookup(name, key) if name in self._kept_alone() else None
        except (OSError, ValueError):
            return None
        if alone is not None:
            self.add(path, shown, alone)
            return alone[0]
        return None

    def _kept_alone(self) -> frozenset[str]:
        """The names of the files in the cache folder, listed once: a library's first listing
        looked for a program kept alone for each of its hundreds of programs."""
        if self._alone is None:
            try:
                self._alone = frozenset(os.listdir(once("cache folder", locations.cache_dir)))
            except OSError:
                self._alone = frozenset()
        return self._alone

    def retain(self, path: Path, shown: str) -> None:
        """Keep the program at ``path`` as it was kept, if it was, unchecked: one the caller
        knows is unchanged (the app's, stamped since it was loaded)."""
        try:
            where = _where(path, shown)
        except (OSError, ValueError):
            return
        if where in self._kept:
            self._now[where] = self._kept[where]

    def add(self, path: Path, shown: str, loaded: Loaded) -> None:
        """Keep ``loaded``, the program at ``path``, with the others."""
        try:
            self._now[_where(path, shown)] = loaded
        except (OSError, ValueError):
            return
        self._changed = True

    def keep(self, *, whole: bool) -> None:
        """Keep the programs asked for since this was read, if that changes what is kept: those
        alone when ``whole`` (the library was listed to its end, and a program not asked for
        is gone from it); else with those kept before and not asked for."""
        if self._key is None:
            return
        programs = self._now if whole else {**self._kept, **self._now}
        if not self._changed and programs.keys() == self._kept.keys():
            self._keep_from_the_sweep()
            return
        kept = list(programs.items())
        try:
            batches = [
                pickle.dumps(dict(kept[n : n + BATCH]), protocol=pickle.HIGHEST_PROTOCOL)
                for n in range(0, len(kept), BATCH)
            ]
            checked = [(zlib.crc32(batch), batch) for batch in batches]
            data = pickle.dumps((self._key, checked), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # nothing a program holds should fail to pickle; if it does, no cache
            return
        keep_trusted(self._name, data, MAX_LIBRARY_BYTES)

    def _keep_from_the_sweep(self) -> None:
        """A library listed often but unchanged is not rewritten: its time of change is moved
        on now and then, so that `_sweep` does not take it for one not used for a month."""
        path = once("cache folder", locations.cache_dir) / self._name
        with contextlib.suppress(OSError):
            if os.lstat(path).st_mtime < time.time() - KEPT_SECONDS / 2:
                os.utime(path, follow_symlinks=False)


def _where(path: Path, shown: str) -> Where:
    return (str(path), os.path.abspath(path), shown)


def _is_loaded(kept: object) -> TypeGuard[Loaded]:
    return isinstance(kept, tuple) and len(kept) == 2 and _sound(kept[1], kept[0])
