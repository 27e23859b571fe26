"""One history across a person's machines, through a folder a sync tool carries
(docs/history.md, "Across machines").

Each machine writes one file of its own in the folder, ``MACHINE.sessions.jsonl``, and only
appends to it: a line for each change of one of its own sessions, once it is no longer running
(its end, its ratings), keyed by the session's `id`. So no file has two writers, and git sees
only additions. Every machine reads every other ``*.jsonl`` file there — conflict copies, a file
repeated under another name, an old copy of its own file — and takes each session in by `id`
with the one `merge`: a later copy of a session wins over an earlier one, and none is doubled.
The SQLite history itself never goes in the folder (a database copied mid-write is corrupt).

A file there is untrusted input, as a program someone sent: regular files only, each line
bounded, every value checked as a session read from the database is; a line that is not one is
passed over and said, once. How far each file was read is kept in the history (`sync_files`):
a file unchanged since (its size and times) is not opened; one that grew is read from where it
was left, if the bytes before that are still those read (else from its start, which changes
nothing already in). A last line without its newline (a file still being written, or carried
half-way) is left, said once, and read when it is whole.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import msgspec

from spasmtimer.base.files import FileRefused, read_regular_part
from spasmtimer.base.text import one_line
from spasmtimer.history.database import is_of_another_shape, passing_reason
from spasmtimer.history.liveness import Runner
from spasmtimer.history.merge import COLUMNS, merge_newer
from spasmtimer.history.records import Id, SessionRecord, host_name

FORMAT = "spasmtimer-sessions"
VERSION = 1
"""The version of the lines written here: a line of a later one is left for a later spasmtimer."""
SUFFIX = ".jsonl"
OWN_SUFFIX = ".sessions" + SUFFIX
MAX_LINE = 1 << 20
"""A line longer than this is no session of ours."""
READ_AT_ONCE = 64 << 20
"""A file is read this much at a time: memory stays bounded whatever its size."""
TAIL = 64
"""Bytes before where a file was left that must be unchanged for it to be read on from there."""
CARRIED = Runner(host="", pid=0)
"""The runner a session from elsewhere is written with: no process of this machine's."""


class Line(msgspec.Struct, frozen=True):
    """One line of a machine's file."""

    format: str
    version: int
    machine: Id
    session: msgspec.Raw


class Carried(msgspec.Struct):
    """What one exchange with the folder did."""

    taken: int = 0
    """Sessions taken in (new, or newer than what was here)."""
    sent: int = 0
    """Changes of this machine's sessions written out."""
    warnings: list[str] = msgspec.field(default_factory=list)


class BadLine(ValueError):
    """A line that is no session this version can take."""


class NewerLine(BadLine):
    """A line written by a later spasmtimer."""


# --- this machine ------------------------------------------------------------------------


def machine_id(db: sqlite3.Connection) -> str:
    """This history's machine id: the host's name (as far as it is plain) and random hex, so
    that two machines of one name differ; made the first time it is asked for, and again when
    the history finds itself on another host (a home copied to a new machine must not write
    the old one's file)."""
    host = host_name()
    row = db.execute(
        "SELECT m.value, h.value FROM meta AS m LEFT JOIN meta AS h ON h.key = 'machine_host' "
        "WHERE m.key = 'machine'"
    ).fetchone()
    if row is not None and row[1] == host:
        return str(row[0])
    plain = re.sub(r"[^A-Za-z0-9-]", "-", host)[:24].strip("-") or "machine"
    made = f"{plain}-{secrets.token_hex(4)}"
    with db:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('machine', ?)", (made,))
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('machine_host', ?)", (host,))
        db.execute("DELETE FROM meta WHERE key = 'sent'")  # a new file: everything goes in it
    return made


def own_file(folder: Path, machine: str) -> Path:
    return folder / f"{machine}{OWN_SUFFIX}"


# --- lines -------------------------------------------------------------------------------

_encoder = msgspec.json.Encoder()
_line_decoder = msgspec.json.Decoder(Line)
_record_decoder = msgspec.json.Decoder(SessionRecord)


def encode(record: SessionRecord, machine: str) -> bytes:
    """The line for ``record``, a session of this machine's (``machine``) or carried here."""
    carried = msgspec.structs.replace(record, origin=record.origin or machine)
    return (
        _encoder.encode(
            {"format": FORMAT, "version": VERSION, "machine": machine, "session": carried}
        )
        + b"\n"
    )


def decode(raw: bytes, own: str) -> SessionRecord:
    """The session in a line (its `origin` None when it is this machine's, ``own``); raises
    `NewerLine` or `BadLine`."""
    if len(raw) > MAX_LINE:
        raise BadLine("a line too long to be a session")
    try:
        line = _line_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError) as e:  # nested a thousand deep: no session
        raise BadLine(str(e)) from None
    if line.format != FORMAT:
        raise BadLine(f"not a line of spasmtimer's sessions ({one_line(line.format)[:40]})")
    if line.version > VERSION:
        raise NewerLine(f"written by a later spasmtimer (version {line.version})")
    try:
        record = _record_decoder.decode(line.session)
    except (msgspec.DecodeError, ValueError, RecursionError) as e:
        raise BadLine(str(e)) from None
    wrote = record.origin or line.machine
    origin = None if wrote == own else wrote
    # A replace checks the record again: only when it changes (tens of thousands are read).
    return record if record.origin == origin else msgspec.structs.replace(record, origin=origin)


# --- sending this machine's sessions out ---------------------------------------------------


class _Sent(msgspec.Struct):
    """How far this machine's sessions were sent, and into what: the folder, and this
    machine's file as it was left (another folder, or the file gone, rolled back or replaced,
    and everything is sent again; readers double nothing)."""

    folder: str
    inode: int
    size: int
    up_to: int
    """Every row changed up to this number (`merge.NEXT_CHANGE`) was looked at."""


def send_out(db: sqlite3.Connection, folder: Path, machine: str) -> int:
    """Append to this machine's file every change of its own sessions not yet written there
    (none that is still running); how many. Two processes never send at once (a lock on the
    file). Raises `OSError` when the file cannot be written: nothing is then taken as sent."""
    path = own_file(folder, machine)
    where = os.path.realpath(folder)
    top = db.execute("SELECT coalesce(max(changed), 0) FROM sessions").fetchone()[0]
    sent = _sent(db)
    try:
        info = os.stat(path)
        now = (info.st_ino, info.st_size)
    except FileNotFoundError:
        now = None
    if (
        sent is not None
        and top <= sent.up_to
        and (sent.folder, sent.inode, sent.size)
        == (
            where,
            *(now or (-1, -1)),
        )
    ):
        return 0  # nothing new, and the file is as it was left
    if now is None and not _lines_since(db, 0, top, machine):
        _mark(db, _Sent(where, -1, -1, top))  # nothing of this machine's yet: no file either
        return 0
    fd = os.open(
        path,
        os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
        0o644,
    )
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode) or opened.st_nlink != 1:
            raise OSError(f"{path.name} is not a file of this machine's own")
        fcntl.flock(fd, fcntl.LOCK_EX)
        sent = _sent(db)  # as the process that held the lock last left it
        top = db.execute("SELECT coalesce(max(changed), 0) FROM sessions").fetchone()[0]
        opened = os.fstat(fd)
        same = sent is not None and (sent.folder, sent.inode, sent.size) == (
            where,
            opened.st_ino,
            opened.st_size,
        )
        up_to = sent.up_to if same and sent is not None else 0
        lines = _lines_since(db, up_to, top, machine)
        if lines:
            _end_on_a_whole_line(fd, opened.st_size)
            view = memoryview(b"".join(lines))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        left = os.fstat(fd)
        _mark(db, _Sent(where, left.st_ino, left.st_size, top))  # before the lock goes
    finally:
        os.close(fd)
    return len(lines)


def _mark(db: sqlite3.Connection, sent: _Sent) -> None:
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('sent', ?)",
        (msgspec.json.encode(sent).decode(),),
    )
    db.commit()  # the next sender, in this process or another, starts from here


def _sent(db: sqlite3.Connection) -> _Sent | None:
    row = db.execute("SELECT value FROM meta WHERE key = 'sent'").fetchone()
    try:
        return msgspec.json.decode(row[0], type=_Sent) if row else None
    except (msgspec.DecodeError, RecursionError):
        return None


def _lines_since(db: sqlite3.Connection, up_to: int, top: int, machine: str) -> list[bytes]:
    """A line for each of this machine's sessions, ended, that changed after ``up_to``."""
    selection = ", ".join(f"{column} AS {name}" for name, column in COLUMNS.items())
    cursor = db.execute(
        f"SELECT {selection} FROM sessions WHERE changed > ? AND changed <= ? "
        "AND origin IS NULL AND uid IS NOT NULL AND status != 'running' ORDER BY changed",
        (up_to, top),
    )
    cursor.row_factory = sqlite3.Row
    lines = []
    with contextlib.closing(cursor):
        for row in cursor:
            try:
                lines.append(encode(SessionRecord.from_row(dict(row)), machine))
            except ValueError:
                continue  # a row that cannot be read is said by the history's own reading
    return lines


def _end_on_a_whole_line(fd: int, size: int) -> None:
    """Cut a last line left short (a crash mid-write) from this machine's file: it was never
    taken as sent, and is sent again whole."""
    if size and os.pread(fd, 1, size - 1) != b"\n":
        start = max(0, size - MAX_LINE)
        before = os.pread(fd, size - start, start)
        os.ftruncate(fd, start + before.rfind(b"\n") + 1 if b"\n" in before else start)


# --- taking in what other machines wrote ---------------------------------------------------


class _Read(msgspec.Struct):
    inode: int
    size: int
    mtime_ns: int
    offset: int
    tail: bytes
    said: int


def take_in(db: sqlite3.Connection, folder: Path, machine: str) -> Carried:
    """Take in every session other machines wrote in ``folder`` since last time."""
    carried = Carried()
    read_by = db.execute("SELECT value FROM meta WHERE key = 'read_by'").fetchone()
    if read_by is None or read_by[0] != str(VERSION):
        # Lines of a later version were passed over: this version may take them now.
        with db:
            db.execute("DELETE FROM sync_files")
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('read_by', ?)", (str(VERSION),)
            )
    for path in _files(folder, machine, carried):
        try:
            _take_in_file(db, path, machine, carried)
        except FileRefused as e:
            if _newly_refused(db, path):  # said once, until it changes
                carried.warnings.append(f"Sync: {_shown(path)} {e}: passed over.")
    return carried


def has_news(db: sqlite3.Connection, folder: Path) -> bool:
    """Whether ``folder`` holds anything not yet taken in (a file new or changed since), as
    far as a read-only look can tell: a status line, drawn every few seconds, opens the
    history to write only then."""
    row = db.execute("SELECT value FROM meta WHERE key = 'machine'").fetchone()
    if row is None:
        return True
    seen = {
        path: (inode, size, mtime_ns)
        for path, inode, size, mtime_ns in db.execute(
            "SELECT path, inode, size, mtime_ns FROM sync_files"
        )
    }
    quiet = Carried()
    for path in _files(folder, str(row[0]), quiet):
        stamp = _stamp(path)
        if stamp is not None and seen.get(str(path)) != stamp:
            return True
    return False


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What says a file in the folder changed: its inode, size and time (of the link itself,
    for one that leads nowhere); None when it is gone."""
    for look in (os.stat, os.lstat):
        try:
            info = look(path)
        except OSError:
            continue
        return info.st_ino, info.st_size, info.st_mtime_ns
    return None


def _newly_refused(db: sqlite3.Connection, path: Path) -> bool:
    """Whether ``path``, refused, has changed since it was last refused (or is new)."""
    stamp = _stamp(path)
    if stamp is None:
        return True
    row = db.execute(
        "SELECT inode, size, mtime_ns FROM sync_files WHERE path = ? AND offset = -1",
        (str(path),),
    ).fetchone()
    if row is not None and tuple(row) == stamp:
        return False
    with db:
        db.execute(
            "INSERT OR REPLACE INTO sync_files (path, inode, size, mtime_ns, offset, tail, said) "
            "VALUES (?, ?, ?, ?, -1, x'', 1)",
            (str(path), *stamp),
        )
    return True


def _files(folder: Path, machine: str, carried: Carried) -> Iterator[Path]:
    own = own_file(folder, machine).name
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        carried.warnings.append(f"Sync: the folder {folder} cannot be read: {e.strerror or e}.")
        return
    for entry in entries:
        # Hidden names are a sync tool's files on their way (".syncthing.*.tmp").
        if entry.name == own or entry.name.startswith(".") or not entry.name.endswith(SUFFIX):
            continue
        yield Path(entry.path)


def _take_in_file(db: sqlite3.Connection, path: Path, machine: str, carried: Carried) -> None:
    try:
        info = os.stat(path)
    except OSError as e:
        raise FileRefused(f"cannot be read: {e.strerror or e}") from None
    key = str(path)
    row = db.execute(
        "SELECT inode, size, mtime_ns, offset, tail, said FROM sync_files WHERE path = ?", (key,)
    ).fetchone()
    was = _Read(*row) if row and row[3] >= 0 else None  # offset -1: refused before
    if was is not None and (was.inode, was.size, was.mtime_ns) == (
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
    ):
        return  # unchanged: not even opened
    start = 0
    if was is not None and was.offset <= info.st_size:
        before, _ = read_regular_part(path, was.offset - len(was.tail), len(was.tail), "file")
        if before == was.tail:
            start = was.offset
    offset, said = start, was.said if was else 0
    newer = bad = 0
    while True:
        # Never past the size it had when looked at: a file that says it is empty but reads
        # on for ever (/proc's, behind a link) is read as empty.
        data, _ = read_regular_part(
            path, offset, max(0, min(READ_AT_ONCE, info.st_size - offset)), "file"
        )
        whole = data.rfind(b"\n") + 1
        if whole == 0 and len(data) >= READ_AT_ONCE:  # one line of 64 MiB: no session
            whole = len(data)
            bad += 1
            lines: list[bytes] = []
        else:
            lines = data[:whole].split(b"\n")[:-1]
        records = []
        for raw in lines:
            if not raw.strip():
                continue
            try:
                records.append(decode(raw, machine))
            except NewerLine:
                newer += 1
            except BadLine:
                bad += 1
        with db:  # taken in when it has ended
            done = [record for record in records if record.status != "running"]
            carried.taken += merge_newer(db, done, runner=CARRIED)
        offset += whole
        if offset >= info.st_size or len(data) < READ_AT_ONCE or whole == 0:
            break
    partial = info.st_size > offset
    if newer:
        carried.warnings.append(
            f"Sync: {_shown(path)} has {newer} session(s) written by a later spasmtimer: "
            "upgrade spasmtimer here to take them in."
        )
    if bad:
        carried.warnings.append(
            f"Sync: {_shown(path)} has {bad} line(s) that are no session: passed over."
        )
    if partial and said != info.st_size:
        carried.warnings.append(
            f"Sync: the last line of {_shown(path)} is not whole yet (still being written or "
            "carried): it is read once it is."
        )
        said = info.st_size
    tail_start = max(0, offset - TAIL)
    tail, _ = read_regular_part(path, tail_start, offset - tail_start, "file")
    with db:
        db.execute(
            "INSERT OR REPLACE INTO sync_files (path, inode, size, mtime_ns, offset, tail, said) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, info.st_ino, info.st_size, info.st_mtime_ns, offset, tail, said),
        )


def _shown(path: Path) -> str:
    return one_line(path.name)


def carry(db: sqlite3.Connection, folder: Path, *, take: bool = True) -> Carried:
    """Take in what other machines wrote in ``folder`` (a folder a sync tool carries) into the
    history ``db``, unless not ``take``, and write out this machine's sessions they do not have
    yet. What cannot be done now is said in the result's warnings and left for next time."""
    if not folder.is_dir():  # said as the command starts, not again as it ends
        said = f"Sync: the folder {folder} is not there: make it, or set sync_folder."
        return Carried(warnings=[said] if take else [])
    try:
        machine = machine_id(db)
        carried = take_in(db, folder, machine) if take else Carried()
        try:
            carried.sent = send_out(db, folder, machine)
        except OSError as e:
            carried.warnings.append(
                f"Sync: this machine's sessions cannot be written to {folder} "
                f"({e.strerror or e}): they are written the next time."
            )
    except sqlite3.Error as e:
        if passing_reason(e) is None and not is_of_another_shape(e):
            raise
        return Carried(warnings=[f"Sync: the history is busy ({e}): left for next time."])
    return carried
