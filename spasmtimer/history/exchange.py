"""``spasmtimer sync HOST``: two histories exchange what the other lacks, over a pair of
streams — the person's own ``ssh`` to ``spasmtimer sync --serve`` at the far end (docs/history.md,
"Across machines").

Lines of JSON, one way then the other, each side's sessions written as the sync folder's lines
are (`sync.encode`) and taken in with the same merge (`merge.merge_newer`):

1. this side: ``{"format", "version", "machine", "dry_run", "have": [[id, version], ...]}``
2. the far side: ``{"machine", "want": [id, ...], "sending": N}``, then N sessions this side
   lacks (or holds an older copy of);
3. this side: ``{"sending": M}``, then the M sessions asked for;
4. the far side: ``{"taken": K}``.

With ``dry_run`` each side counts and takes in nothing. Sessions still running are not sent.
What the far side says is as untrusted as a file in the sync folder: each line is bounded, and
each session checked as one read from a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import msgspec

from spasmtimer.history.merge import merge_newer
from spasmtimer.history.records import iso
from spasmtimer.history.store import History
from spasmtimer.history.sync import CARRIED, BadLine, decode, encode, machine_id

PROTOCOL = "spasmtimer-sync"
VERSION = 1
MAX_LINE = 64 << 20
"""The longest line either side reads: a first line listing a million sessions fits."""


class ExchangeError(Exception):
    """The other side said something this one cannot follow, or stopped half-way."""


class Exchanged(msgspec.Struct):
    """What one exchange moved (or, dry, would move)."""

    taken: int = 0
    """Sessions this side took in from the other."""
    given: int = 0
    """Sessions the other side took in from this one."""
    bad: int = 0
    """Lines from the other side that were no session, passed over."""


def _have(history: History) -> dict[str, str]:
    return {
        record.id: iso(record.updated_at or record.started_at)
        for record in history.sessions()
        if record.status != "running"
    }


def _send(out: IO[bytes], header: dict[str, Any], records: Iterable[bytes]) -> None:
    out.write(msgspec.json.encode(header) + b"\n")
    for line in records:
        out.write(line)
    out.flush()


def _read_line(stream: IO[bytes]) -> bytes:
    line = stream.readline(MAX_LINE + 1)
    if not line:
        raise ExchangeError("the other side stopped before the exchange was done")
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise ExchangeError("the other side sent a line too long to be read")
    return line


def _read_header(stream: IO[bytes]) -> dict[str, Any]:
    try:
        header = msgspec.json.decode(_read_line(stream))
    except (msgspec.DecodeError, RecursionError):
        raise ExchangeError("the other side is not spasmtimer sync --serve") from None
    if not isinstance(header, dict):
        raise ExchangeError("the other side is not spasmtimer sync --serve")
    return header


def _take(
    history: History, stream: IO[bytes], count: int, own: str, dry_run: bool, done: Exchanged
) -> int:
    records = []
    for _ in range(count):
        try:
            records.append(decode(_read_line(stream).rstrip(b"\n"), own))
        except BadLine:
            done.bad += 1
    if dry_run:
        return len(records)
    with history.connection as db:
        ended = [record for record in records if record.status != "running"]
        return merge_newer(db, ended, runner=CARRIED)


def _lines(history: History, ids: set[str], own: str) -> list[bytes]:
    return [encode(r, own) for r in history.sessions() if r.id in ids and r.status != "running"]


def ask(history: History, send: IO[bytes], receive: IO[bytes], *, dry_run: bool) -> Exchanged:
    """This side of the exchange: it speaks first."""
    own = machine_id(history.connection)
    have = _have(history)
    _send(
        send,
        {
            "format": PROTOCOL,
            "version": VERSION,
            "machine": own,
            "dry_run": dry_run,
            "have": [[i, v] for i, v in have.items()],
        },
        (),
    )
    answer = _read_header(receive)
    if answer.get("format") != PROTOCOL:
        raise ExchangeError("the other side is not spasmtimer sync --serve")
    if not isinstance(answer.get("version"), int) or answer["version"] > VERSION:
        raise ExchangeError("the other side is a later spasmtimer: upgrade this one")
    wanted, count = answer.get("want"), answer.get("sending")
    if not isinstance(wanted, list) or not isinstance(count, int) or count < 0:
        raise ExchangeError("the other side answered out of turn")
    done = Exchanged()
    done.taken = _take(history, receive, count, own, dry_run, done)
    asked = {i for i in wanted if isinstance(i, str)}
    _send(send, {"sending": len(lines := _lines(history, asked, own))}, lines)
    close = getattr(send, "close", None)
    if close is not None:
        close()
    last = _read_header(receive)
    given = last.get("taken")
    if not isinstance(given, int):
        raise ExchangeError("the other side stopped before the exchange was done")
    done.given = given
    return done


def serve(history: History, receive: IO[bytes], send: IO[bytes]) -> Exchanged:
    """The far side of the exchange (``spasmtimer sync --serve``): it answers."""
    own = machine_id(history.connection)
    hello = _read_header(receive)
    if hello.get("format") != PROTOCOL or not isinstance(hello.get("have"), list):
        raise ExchangeError("this is spasmtimer sync --serve: run spasmtimer sync HOST instead")
    if not isinstance(hello.get("version"), int) or hello["version"] > VERSION:
        raise ExchangeError("the other side is a later spasmtimer: upgrade this one")
    dry_run = hello.get("dry_run") is True
    theirs: dict[str, str] = {}
    for pair in hello["have"]:
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair):
            theirs[pair[0]] = pair[1]
    mine = _have(history)
    lacking = {i for i, v in mine.items() if i not in theirs or theirs[i] < v}
    want = [i for i, v in theirs.items() if i not in mine or mine[i] < v]
    lines = _lines(history, lacking, own)
    _send(
        send,
        {
            "format": PROTOCOL,
            "version": VERSION,
            "machine": own,
            "want": want,
            "sending": len(lines),
        },
        lines,
    )
    done = Exchanged(given=len(lines))
    header = _read_header(receive)
    count = header.get("sending")
    if not isinstance(count, int) or count < 0:
        raise ExchangeError("the other side answered out of turn")
    done.taken = _take(history, receive, count, own, dry_run, done)
    _send(send, {"taken": done.taken}, ())
    return done
