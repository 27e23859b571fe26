"""What was worked out from a file, kept as JSON in the cache folder so that the next time
skips the work: reading a course or a figure takes pydantic, some 200 ms, and a status line or
``spasmtimer figure`` should not pay for it each time.

Kept as data (msgspec JSON, decoded into the type asked for), never as code, under a key the
caller makes of everything the result depends on — the file's bytes, the code that reads it.
A kept file that is missing, damaged or of another key is a miss, silently; a cache folder that
cannot be written only means the work is done each time.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import os
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import msgspec

from spasmtimer.base import locations
from spasmtimer.base.files import FileRefused, read_regular, replace_atomically

T = TypeVar("T")
MAX_KEPT_BYTES = 4 << 20


_code_stamps: dict[tuple[str, ...], tuple[object, ...]] = {}
"""This process's `code_stamp` of each set of layers, once worked out: its code does not
change under it, and listing and stat'ing every module for each program took most of the time
a library of hundreds took to load from its kept copies."""


def code_stamp(layers: Sequence[str]) -> tuple[object, ...]:
    """The code that reads a file: each module of the package's ``layers`` and pydantic's
    version, as their files stand (changed by an upgrade or an edit to a checkout)."""
    key = tuple(layers)
    if key not in _code_stamps:
        _code_stamps[key] = _work_out_code_stamp(key)
    return _code_stamps[key]


def _work_out_code_stamp(layers: Sequence[str]) -> tuple[object, ...]:
    ours = Path(__file__).parent.parent
    stamp: list[object] = []
    for layer in layers:
        for module in sorted((ours / layer).rglob("*.py")):
            info = module.stat()
            stamp.append((str(module.relative_to(ours)), info.st_mtime_ns, info.st_size))
    # pydantic decides what a file may say. Its version without importing it (that is what
    # is saved): its package's files are rewritten when it is upgraded.
    for package in ("pydantic", "pydantic_core"):
        spec = importlib.machinery.PathFinder.find_spec(package)  # importlib.util costs 5 ms
        origin = spec.origin if spec else None
        if origin is None:
            stamp.append((package, None))
            continue
        found = os.stat(origin)
        stamp.append((package, origin, found.st_mtime_ns, found.st_size))
    return tuple(stamp)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kept_or_made(
    kind: str, where: str, key: Sequence[str], type_: type[T], make: Callable[[], T]
) -> T:
    """``make()``, or what it gave before for the same ``key``: kept in the cache folder as
    ``KIND-CRC.json``, one file for each ``where`` (a file's path), replaced when the key
    changes. Whatever ``make`` raises is raised, and nothing is kept."""
    path = locations.cache_dir() / f"{kind}-{zlib.crc32(where.encode()):08x}.json"
    wanted = [kind, where, *key]
    with contextlib.suppress(FileRefused, msgspec.DecodeError, ValueError, RecursionError):
        kept_key, kept = msgspec.json.decode(
            read_regular(path, MAX_KEPT_BYTES), type=tuple[list[str], msgspec.Raw]
        )
        if kept_key == wanted:
            return msgspec.json.decode(kept, type=type_)
    made = make()
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(path, msgspec.json.encode((wanted, made)))
    return made
