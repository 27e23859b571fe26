"""Reading a file someone else may have made: a program, an include, the settings; and
replacing one of ours whole.

A path can name a FIFO (reading it waits for a writer that never comes), a device such as
/dev/stdin or /dev/zero, a folder, a link that loops, or something huge; a string can even hold
a NUL byte. `read_regular` opens without blocking, asks the open file what it is, and reads only
a regular file, and only up to a limit, so none of these can hang or flood a command.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import msgspec

T = TypeVar("T")


class FileRefused(Exception):
    """The file cannot be used; the message says why, in words (``is a FIFO, not a file``)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing
        """Nothing is there at all (where a default may stand in)."""


_KINDS = (
    (stat.S_ISDIR, "is a folder"),
    (stat.S_ISFIFO, "is a FIFO (a named pipe)"),
    (stat.S_ISCHR, "is a device"),
    (stat.S_ISBLK, "is a device"),
    (stat.S_ISSOCK, "is a socket"),
)

_REASONS = {
    errno.ENOENT: "no such file",
    errno.ENOTDIR: "no such file",
    errno.ELOOP: "is a link that leads round in a loop",
    errno.EACCES: "cannot be read: permission denied",
    errno.EPERM: "cannot be read: permission denied",
    errno.ENAMETOOLONG: "the path is too long",
}


def _open_flags() -> int:
    # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. O_NOCTTY: a
    # terminal device must not become this process's controlling terminal.
    return os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def _open_regular(path: Path | str, what: str) -> tuple[int, os.stat_result]:
    """An open descriptor of the regular file at ``path``, and its `os.fstat`; raises
    `FileRefused` saying what the path is instead."""
    try:
        fd = os.open(path, _open_flags())
    except ValueError:
        raise FileRefused("the path holds a NUL byte") from None
    except OSError as e:
        reason = _REASONS.get(e.errno or 0, f"cannot be read: {e.strerror or e}")
        raise FileRefused(reason, missing=e.errno in (errno.ENOENT, errno.ENOTDIR)) from None
    try:
        info = os.fstat(fd)
        for is_kind, kind in _KINDS:
            if is_kind(info.st_mode):
                raise FileRefused(f"{kind}, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"is not a {what}")
    except OSError as e:
        os.close(fd)
        raise FileRefused(f"cannot be read: {e.strerror or e}") from None
    except FileRefused:
        os.close(fd)
        raise
    return fd, info


def read_regular(path: Path | str, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at ``path``, which holds at most ``limit`` of them.

    Raises `FileRefused` saying what the path is instead (a folder, a FIFO, a device, a loop,
    missing, unreadable, too large), calling the file ``what`` (``is a folder, not a
    program file``).
    """
    data, _ = read_regular_part(path, 0, limit + 1, what)
    if len(data) > limit:
        raise FileRefused(f"is too large for a {what} (over {limit // 1024} KiB)")
    return data


def read_regular_part(
    path: Path | str, start: int, limit: int, what: str = "file"
) -> tuple[bytes, os.stat_result]:
    """At most ``limit`` bytes of the regular file at ``path`` from ``start``, with what
    `os.fstat` says of the file read (its size, when it changed). Raises `FileRefused` as
    `read_regular` does."""
    fd, info = _open_regular(path, what)
    try:
        chunks, size = [], 0
        while size < limit:
            chunk = os.pread(fd, min(1 << 20, limit - size), start + size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise FileRefused(f"cannot be read: {e.strerror or e}") from None
    finally:
        os.close(fd)
    return b"".join(chunks), info


def real_path(path: Path | str) -> Path:
    """``path`` with its links followed as far as they go: never raises, even on a link loop
    (where `Path.resolve` raises) or a NUL byte."""
    try:
        return Path(real_text(os.fspath(path)))
    except ValueError:
        return Path(path)


def real_text(path: str) -> str:
    """`os.path.realpath` of ``path``: its folder's followed once within `looking_once` (a
    library's hundreds of programs share one), then the file itself unless it is a link.
    Raises `ValueError` on a NUL byte."""
    if "\0" in path:  # as `os.path.realpath` does, wherever in the path it is
        raise ValueError("embedded null byte")
    folder, name = os.path.split(path)
    if not name or name in (".", "..") or os.path.islink(path):
        return os.path.realpath(path)
    real_folder = once(("real folder", folder), lambda: os.path.realpath(folder or "."))
    return os.path.join(real_folder, name)


class _Looked(threading.local):
    seen: dict[object, object] | None = None
    """What has been looked at within `looking_once`, by what was asked: on each thread its
    own (the app loads its library on a thread of its own)."""


_looked = _Looked()


@contextlib.contextmanager
def looking_once() -> Iterator[None]:
    """Within, what `once` is asked is worked out once, however often it is asked — the
    figures a library of hundreds of programs shows, each read and checked by each program:
    the library loads as one look at its files, which a file changing during it may miss, as
    it would miss one changing just after it."""
    outer = _looked.seen
    if outer is None:
        _looked.seen = {}
    try:
        yield
    finally:
        _looked.seen = outer


def once(key: object, work: Callable[[], T]) -> T:
    """``work()``, or within `looking_once`, what it gave the first time ``key`` was asked."""
    seen = _looked.seen
    if seen is None:
        return work()
    if key not in seen:
        seen[key] = work()
    return seen[key]  # type: ignore[return-value]


class FileRead(msgspec.Struct, frozen=True):
    """A file as it was read: the path it was asked for by, the real path that led to (its
    links followed), and the bytes it gave."""

    path: str
    real: str
    data: bytes


STALE_TEMP_SECONDS = 3600
"""A temporary file of `replace_atomically` this old was left by a writer killed mid-way."""


def replace_atomically(path: Path, data: bytes, mode: int = 0o600, *, cache: bool = False) -> None:
    """Put ``data`` at ``path`` whole: written to a new file beside it, then renamed over it,
    so that a reader, or a kill -9 at any moment, finds the old file or the new one, never
    half of one. Raises `OSError` (a full disk, a read-only folder) with its temporary file
    removed; one left behind by a writer killed mid-way is removed by a later write.

    ``cache``: a file kept only to start faster, which a power cut may lose or leave torn (a
    reader then finds no use in it, and loads afresh): not synced to the disk, and the folder
    not looked through for temporaries left behind, which the cache's own sweep removes —
    both, for each of a library of thousands, took most of the time to keep it."""
    folder = path.parent
    if not cache:
        import glob  # only writes need it: not paid for on a session's start

        remove_stale_temps(folder, glob.escape(path.name))
    temp = folder / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(temp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            # On the disk before the rename: after a power cut, the name then leads to the
            # new contents or the old, never to an empty file.
            if not cache:
                os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if cache:
        return
    # The rename on the disk too: after a power cut, the name is there.
    with contextlib.suppress(OSError):  # a folder that cannot be opened or synced (some FUSE)
        folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(folder_fd)
        finally:
            os.close(folder_fd)


def remove_stale_temps(folder: Path, name_pattern: str) -> None:
    """Remove the temporary files `replace_atomically` left in ``folder``, killed mid-way,
    for the files whose names match ``name_pattern`` (a glob)."""
    for left in folder.glob(f".{name_pattern}.*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - left.lstat().st_mtime > STALE_TEMP_SECONDS:
                left.unlink()
