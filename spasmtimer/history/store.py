"""Session history in SQLite, and the levels that follow from it (see docs/history.md).

Nothing a person did is lost: a session's row is written the moment it starts and updated as it
goes (see `spasmtimer.history.recording`, which writes from a thread of its own), so one ended
by Ctrl-C, SIGTERM, a closed SSH connection or a crash is still there. WAL mode lets two
terminals record at once, and readers never wait for a writer.

Every write is `merge`: a whole `SessionRecord` and its new events, taken in by the session's
`id` — the recorder's writes, a session kept beside the history (`spasmtimer.history.kept`),
and one from another machine alike. A row that cannot be read is skipped with a warning.

No Textual here: the CLI, the plain runner and the app all use this module.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from msgspec.structs import replace

from spasmtimer.base.clocks import Now, utc_now
from spasmtimer.base.text import one_line
from spasmtimer.history import database, days, lookups
from spasmtimer.history.database import (
    CANNOT_OPEN,
    PEEK_TIMEOUT,
    READ_ONLY,
    SCHEMA_VERSION,
    HistoryError,
    is_corrupt,
    is_of_another_shape,
    passing_reason,
)
from spasmtimer.history.days import COUNTED
from spasmtimer.history.kept import add_kept, kept_files
from spasmtimer.history.liveness import Runner, process_gone, this_process
from spasmtimer.history.merge import NEXT_CHANGE, merge
from spasmtimer.history.records import (
    EventRecord,
    SessionRecord,
    Totals,
    later_than,
    new_session_id,
    parse_iso,
)
from spasmtimer.history.records import totals as totals_of
from spasmtimer.history.rows import Mark, exported_event, readable_time, selection
from spasmtimer.history.times import day_span, iso, local_day
from spasmtimer.session.levels import Level, current_level, holds

if TYPE_CHECKING:
    from spasmtimer.history.sync import Carried

__all__ = ["History", "HistoryError", "merge"]


class History(msgspec.Struct):
    """The history database. Open it with `History.open`; sessions are written as they run by
    a `spasmtimer.history.recording.SessionRecorder`."""

    path: Path
    connection: sqlite3.Connection
    now: Now = utc_now
    problems: list[str] = msgspec.field(default_factory=list)
    """What went wrong opening it (a database moved aside), for the person to be told."""
    warnings: list[str] = msgspec.field(default_factory=list)
    """Rows that could not be read and were left out, each said once."""
    warn: Callable[[str], None] | None = None
    """Where to say a warning as it comes (besides keeping it in `warnings`)."""
    read_only: bool = False
    """Opened where it cannot be written (a read-only mount, another user's folder): it is
    read, and sessions are kept beside it, or said to be lost where nothing can be written."""
    selection: str | None = None
    """How its sessions are read, once worked out from its table (`rows.selection`)."""

    @classmethod
    def open(cls, path: Path, now: Now = utc_now) -> History:
        """Open (or create) the history at ``path``, moving it aside only if it is corrupt.

        Raises `HistoryError` when no database can be had (its folder cannot be made, it
        was written by a newer spasmtimer, or a new one cannot be created right now).
        """
        problems: list[str] = []
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise HistoryError(f"cannot create {path.parent}: {e.strerror or e}") from None
        try:
            connection = database.connect(path)
        except sqlite3.Error as e:
            if passing_reason(e) in (READ_ONLY, CANNOT_OPEN) and path.exists():
                return cls._read_only(path, now, passing_reason(e) or str(e))
            if not is_corrupt(e):
                raise HistoryError(f"cannot open {path}: {passing_reason(e) or e}") from None
            try:
                aside = database.move_aside(path, now())
            except OSError as move:
                raise HistoryError(
                    f"{path} cannot be read ({e}) nor moved aside ({move.strerror or move})"
                ) from None
            problems.append(
                f"The history at {path} is damaged ({e}); it was moved to {aside.name} "
                "and a new one started."
            )
            try:
                connection = database.connect(path)
            except sqlite3.Error as again:
                raise HistoryError(f"cannot open {path}: {again}") from None
        history = cls(path, connection, now, problems)
        history._give_ids()
        history.recover()
        history._keep_days()
        if kept_files(path):
            problems += add_kept(connection, path, now())
        return history

    @classmethod
    def _read_only(cls, path: Path, now: Now, reason: str) -> History:
        """The history where it cannot be written: read as it is, nothing recovered or added."""
        try:
            connection = database.connect_to_read(path)
        except sqlite3.Error as e:
            raise HistoryError(f"cannot open {path}: {passing_reason(e) or e}") from None
        said = (
            f"The history at {path} cannot be written here ({reason}): it is read, and "
            "nothing is written to it."
        )
        return cls(path, connection, now, [said], read_only=True)

    @classmethod
    def reader(cls, path: Path, now: Now = utc_now) -> History:
        """The history at ``path``, opened only to read, on a connection of its own: for a
        thread other than the one that opened it (SQLite's connections each keep to one).
        Raises `sqlite3.Error` when it cannot be read."""
        return cls(path, database.connect_to_read(path), now)

    @classmethod
    def peek(cls, path: Path, now: Now = utc_now) -> History | None:
        """The history at ``path`` opened only to read, at once, as a status line needs: no
        history is made and no row is written (no check, migration or recovery), so a session
        still marked running may have died; SQLite may still make the WAL's two side files.
        None when there is no history yet.

        A history of an older schema is opened with `open`, to be migrated once. Raises
        `HistoryError` when it cannot be read right now.
        """
        if not path.exists():
            return None
        try:
            connection = database.connect_to_read(path, PEEK_TIMEOUT)
        except sqlite3.Error as e:
            raise HistoryError(f"cannot read {path}: {passing_reason(e) or e}") from None
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.Error as e:
            connection.close()
            raise HistoryError(f"cannot read {path}: {passing_reason(e) or e}") from None
        if version != SCHEMA_VERSION:
            connection.close()
            return cls.open(path, now)
        return cls(path, connection, now)

    def close(self) -> None:
        self.connection.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.connection:  # one transaction, committed or rolled back
            yield self.connection

    # -- writing here and now (tests, and one-off changes) ---------------------------------------
    def begin(
        self,
        *,
        program: str,
        title: str,
        path: str,
        content_hash: str,
        level: int,
        planned_seconds: float,
        started_at: datetime,
        pain_before: int | None,
    ) -> str:
        """A new session, running from ``started_at`` in this process; its `id`."""
        record = SessionRecord(
            id=new_session_id(),
            program=program,
            title=title,
            path=path,
            content_hash=content_hash,
            level=level,
            started_at=started_at,
            ended_at=None,
            status="running",
            planned_seconds=planned_seconds,
            done_seconds=0.0,
            pain_before=pain_before,
            pain_after=None,
            notes=None,
            updated_at=started_at,
        )
        self.save(record)
        return record.id

    def save(self, record: SessionRecord, events: Sequence[EventRecord] = ()) -> None:
        """Write ``record`` (and its new ``events``) now, as this process's session."""
        with self._write() as db:
            merge(db, record, events, runner=this_process())

    def _change(self, session_id: str, **changes: Any) -> None:
        record = self.session(session_id)
        if record is None:
            raise KeyError(session_id)
        self.save(replace(record, **changes))

    def add_events(
        self,
        session_id: str,
        events: Sequence[EventRecord],
        *,
        done_seconds: float,
        updated_at: datetime,
    ) -> None:
        record = self.session(session_id)
        if record is None:
            raise KeyError(session_id)
        changed = replace(
            record, done_seconds=done_seconds, position=done_seconds, updated_at=updated_at
        )
        self.save(changed, events)

    def end(
        self, session_id: str, *, completed: bool, ended_at: datetime, done_seconds: float
    ) -> None:
        self._change(
            session_id,
            status="completed" if completed else "stopped",
            ended_at=ended_at,
            updated_at=ended_at,
            done_seconds=done_seconds,
            position=done_seconds,
        )

    def rate(
        self,
        session_id: str,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        record = self.session(session_id)
        self._change(
            session_id,
            pain_before=pain_before,
            pain_after=pain_after,
            notes=notes,
            marks=marks,
            updated_at=later_than(record.updated_at if record else None, self.now()),
        )

    def _give_ids(self) -> None:
        """Give each session another program added without an `id` one of its own."""
        try:
            rows = self.connection.execute("SELECT id FROM sessions WHERE uid IS NULL").fetchall()
            if rows:
                with self._write() as db:
                    db.executemany(
                        f"UPDATE sessions SET uid = ?, changed = {NEXT_CHANGE} WHERE id = ?",
                        [(new_session_id(), row_id) for (row_id,) in rows],
                    )
        except sqlite3.Error as e:
            if passing_reason(e) is None and not is_of_another_shape(e):
                raise

    def _keep_days(self) -> None:
        """Work out the days with a counted session, if they are not kept in this machine's
        time zone (`spasmtimer.history.days`); left for the next time if another program holds
        the history."""
        try:
            days.keep_up(self.connection)
        except sqlite3.Error as e:
            if passing_reason(e) is None and not is_of_another_shape(e):
                raise

    def recover(self) -> int:
        """Mark as stopped the sessions whose process died without saying so (a crash, a kill).

        Their end is the last time they were heard from. Returns how many were recovered; a
        database locked by another program is left for the next time.
        """
        try:
            rows = self.connection.execute(
                "SELECT id, host, pid, process, updated_at FROM sessions WHERE status = 'running'"
            ).fetchall()
            now = self.now()
            dead = []
            for row_id, host, pid, started, updated in rows:
                try:
                    heard = parse_iso(updated)
                except (TypeError, ValueError):
                    continue  # unreadable: `sessions` says so
                # A pid that is no number (another program's row) is no process of ours.
                runner = Runner(str(host), pid, started if isinstance(started, str) else None)
                if not isinstance(pid, int) or process_gone(runner, heard, now):
                    dead.append((updated, row_id))
            if dead:
                with self._write() as db:
                    db.executemany(
                        "UPDATE sessions SET status = 'stopped', ended_at = ?, "
                        f"changed = {NEXT_CHANGE} WHERE id = ?",
                        dead,
                    )
        except sqlite3.Error as e:
            if passing_reason(e) is None and not is_of_another_shape(e):
                raise
            return 0
        return len(dead)

    # -- reading ---------------------------------------------------------------------------------
    def sessions(
        self, program: str | None = None, since: datetime | None = None
    ) -> list[SessionRecord]:
        """Sessions, oldest first; only one program's if ``program`` is given, only those
        begun at or after ``since`` if it is. A row that cannot be read is left out, and said
        once in `warnings`."""
        conditions, parameters = [], []
        if program is not None:
            conditions.append("program = ?")
            parameters.append(program)
        if since is not None:
            conditions.append("started_at >= ?")
            parameters.append(iso(since))
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        return list(self._read_sessions(f"{where} ORDER BY started_at, id", tuple(parameters)))

    def each(self, program: str | None = None) -> Generator[SessionRecord, None, None]:
        """As `sessions`, read one by one as they are asked for: years of them are never held
        whole."""
        where, parameters = ("WHERE program = ?", (program,)) if program is not None else ("", ())
        return self._read_sessions(f"{where} ORDER BY started_at, id", parameters)

    def session(self, session_id: str) -> SessionRecord | None:
        """The session with this `id`, if it is here and can be read."""
        with contextlib.closing(self._read_sessions("WHERE uid = ?", (session_id,))) as found:
            return next(found, None)

    def _read_sessions(
        self, rest: str, parameters: tuple[object, ...]
    ) -> Generator[SessionRecord, None, None]:
        """The sessions ``rest`` (a WHERE and ORDER BY) selects, read one by one as they are
        asked for: a row that cannot be read is passed over, and said once in `warnings`."""
        with contextlib.closing(self._read_rows(rest, parameters)) as rows:
            for _, record in rows:
                if record is not None:
                    yield record

    def _read_marked(
        self, rest: str, parameters: tuple[object, ...]
    ) -> Generator[tuple[Mark, SessionRecord], None, None]:
        """As `_read_sessions`, each session with its `Mark`."""
        with contextlib.closing(self._read_rows(rest, parameters)) as rows:
            for mark, record in rows:
                if record is not None:
                    yield mark, record

    def _read_rows(
        self, rest: str, parameters: tuple[object, ...]
    ) -> Generator[tuple[Mark, SessionRecord | None], None, None]:
        """Each row ``rest`` selects, with its `Mark`: where it stands in the history's order,
        to read on from. A row that cannot be read comes as None, and is said once in
        `warnings`."""
        if self.selection is None:
            self.selection, missing = selection(self.connection)
            if self.selection is None:
                self._say("History: it has no sessions table (another program's?): none is read.")
                return
            if missing:
                self._say(
                    f"History: its sessions table has no {', '.join(missing)} (another "
                    "program's change): read as empty, a session that needs it left out; new "
                    "sessions are kept beside it."
                )
        selected = f"SELECT {self.selection} FROM sessions {rest}"
        cursor = self.connection.execute(selected, parameters)
        cursor.row_factory = sqlite3.Row
        try:
            for row in cursor:
                fields = dict(row)
                mark = Mark(fields.pop("mark_started"), fields.pop("mark_row"))
                try:
                    record: SessionRecord | None = SessionRecord.from_row(fields)
                except (TypeError, ValueError) as e:
                    record = None
                    # The id as text, on one line: another program may have written it.
                    self._say(
                        f"History: session {one_line(str(row['id']))} cannot be read ({e}) and "
                        "is left out."
                    )
                yield mark, record
        finally:
            # A statement left open keeps this connection's read snapshot: it would go on
            # seeing the history as it was, whatever the writer adds.
            cursor.close()

    def _say(self, warning: str) -> None:
        """Say ``warning`` once, and keep it in `warnings`."""
        if warning not in self.warnings:
            self.warnings.append(warning)
            if self.warn is not None:
                self.warn(warning)

    def events(self, session_id: str) -> list[tuple[str, str, float, int, float | None]]:
        """A session's events as the events table holds them: kind, time, seconds since the
        start, phase, seconds adjusted."""
        return self.connection.execute(
            "SELECT kind, at, elapsed, phase, seconds FROM events WHERE session_id = "
            "(SELECT id FROM sessions WHERE uid = ?) ORDER BY id",
            (session_id,),
        ).fetchall()

    # What follows reads from an index and the rows it needs, never every row: `run` asks a
    # program's latest and last counted sessions as it starts, `status` and `history` the
    # totals and the streak. The times are written in one fixed-width UTC form (`iso`), so
    # SQL orders them as time does.
    def latest(self, program: str) -> SessionRecord | None:
        """The program's most recently started session."""
        newest_first = "WHERE program = ? ORDER BY started_at DESC, id DESC"
        with contextlib.closing(self._read_sessions(newest_first, (program,))) as records:
            return next(records, None)

    def last_counted(self, program: str) -> SessionRecord | None:
        """The program's session that counts toward its level and ended last."""
        with contextlib.closing(self._counted_newest_first(program)) as records:
            return next(records, None)

    def _counted_newest_first(self, program: str) -> Generator[SessionRecord, None, None]:
        # Only a completed session counts: the index holds those alone.
        newest_first = (
            "WHERE program = ? AND status = 'completed' "
            "ORDER BY coalesce(ended_at, started_at) DESC, id DESC"
        )
        with contextlib.closing(self._read_sessions(newest_first, (program,))) as records:
            yield from (record for record in records if record.counted)

    def current_level(self, program: str, cap: int | None, now: datetime | None = None) -> Level:
        """The level ``program`` runs at next, with the steps it holds; ``cap`` is its cap
        level (None: not known)."""
        last = self.last_counted(program)
        level = current_level(last.as_counted() if last else None, cap, now or self.now())
        held = self._held(program) if last is not None and last.marks else ()
        return replace(level, held=held) if held else level

    def _held(self, program: str) -> tuple[tuple[int, int], ...]:
        """The steps of ``program`` held (`levels.holds`): its sessions back as marks run."""
        with contextlib.closing(self._counted_newest_first(program)) as records:
            return holds(r.as_counted() for r in records)

    def sync_with(self, folder: Path, *, take: bool = True) -> Carried:
        """Take in what other machines wrote in ``folder`` (unless not ``take``), and write out
        this machine's sessions they do not have yet (`spasmtimer.history.sync.carry`)."""
        from spasmtimer.history.sync import Carried, carry

        return Carried() if self.read_only else carry(self.connection, folder, take=take)

    def levels(self, now: datetime | None = None) -> Callable[[str, int | None], Level]:
        """Every program's level now, from one read of each one's last counted session: a
        function of a program's name and cap level (None: not known), which reads nothing
        more (the connection may be closed by then), so that a library of hundreds takes its
        levels from one look."""
        last = self.last_counted_of_each()
        at = now or self.now()
        held = {program: self._held(program) for program, r in last.items() if r.marks}

        def level_of(program: str, cap: int | None) -> Level:
            record = last.get(program)
            level = current_level(record.as_counted() if record else None, cap, at)
            steps = held.get(program)
            return replace(level, held=steps) if steps else level

        return level_of

    def last_counted_of_each(self) -> dict[str, SessionRecord]:
        """Each program's `last_counted`, by name, for those that have one: what every level
        follows from, read once (for a library of hundreds, most never run)."""
        found = {}
        for name in self.programs():
            last = self.last_counted(name)
            if last is not None:
                found[name] = last
        return found

    def programs(self) -> list[str]:
        """The name of every program with a session, in order: one step of the index on
        program for each (not a read of every row)."""
        try:
            rows = self.connection.execute(
                "WITH RECURSIVE named(name) AS (SELECT min(program) FROM sessions UNION ALL "
                "SELECT (SELECT min(program) FROM sessions WHERE program > named.name) "
                "FROM named WHERE named.name IS NOT NULL) "
                "SELECT name FROM named WHERE name IS NOT NULL"
            ).fetchall()
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
            return sorted({r.program for r in self.sessions()})
        return [name for (name,) in rows if isinstance(name, str)]

    def count(self, program: str | None = None) -> int:
        """How many sessions there are (of ``program``), readable or not."""
        where, parameters = ("WHERE program = ?", (program,)) if program is not None else ("", ())
        try:
            return int(
                self.connection.execute(
                    f"SELECT count(*) FROM sessions {where}", parameters
                ).fetchone()[0]
            )
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
            return len(self.sessions(program))

    def newest(
        self, limit: int, *, program: str | None = None, after: Mark | None = None
    ) -> tuple[list[SessionRecord], Mark | None]:
        """A page of the history: up to ``limit`` sessions, newest first (of ``program``, and
        after the one marked ``after``), read from the index of sessions by start; and the
        mark to read on from, None when none are left."""
        conditions: list[str] = []
        parameters: list[object] = []
        if program is not None:
            conditions.append("program = ?")
            parameters.append(program)
        if after is not None:
            conditions.append("(started_at, sessions.rowid) < (?, ?)")
            parameters += [after.started, after.row]
        where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
        rest = f"{where}ORDER BY started_at DESC, sessions.rowid DESC LIMIT ?"
        page: list[SessionRecord] = []
        last: Mark | None = None
        with contextlib.closing(self._read_rows(rest, (*parameters, limit + 1))) as rows:
            for count, (mark, record) in enumerate(rows, 1):
                if count > limit:  # one more than asked: there is more to read
                    return page, last
                last = mark
                if record is not None:
                    page.append(record)
        return page, None

    def rated_newest(self, limit: int) -> tuple[list[SessionRecord], int]:
        """The newest ``limit`` sessions with a pain rating, newest first, and how many have one:
        by the index of the rated sessions."""
        rated = "pain_before IS NOT NULL OR pain_after IS NOT NULL"
        found: list[SessionRecord] = []
        with contextlib.closing(
            self._read_sessions(f"WHERE {rated} ORDER BY started_at DESC, sessions.rowid DESC", ())
        ) as records:
            for record in records:
                if len(found) == limit:
                    break
                found.append(record)
        [count] = self.connection.execute(f"SELECT count(*) FROM sessions WHERE {rated}").fetchone()
        return found, int(count)

    def started_between(self) -> tuple[datetime, datetime] | None:
        """When the first session started, and the last (as dated, the future too): two steps
        of the index of sessions by start. None when there is none."""
        ends = []
        for order in ("", " DESC"):
            rows = self.connection.execute(
                f"SELECT started_at FROM sessions ORDER BY started_at{order}"
            )
            try:
                ends.append(next((t for (t,) in rows if readable_time(t)), None))
            finally:
                rows.close()
        first, last = ends
        if first is None or last is None:
            return None
        return parse_iso(first), parse_iso(last)

    def done_since(self, day: date) -> Iterator[tuple[datetime, float]]:
        """When each session started and the seconds done in it, of the sessions of the local
        ``day`` and after: by the index of sessions by start."""
        start, _ = day_span(day, day)
        rows = self.connection.execute(
            "SELECT started_at, done_seconds FROM sessions WHERE started_at >= ?", (start,)
        )
        try:
            for started, done in rows:
                if readable_time(started) and isinstance(done, int | float) and done >= 0:
                    at = parse_iso(started)
                    if local_day(at) >= day:
                        yield at, float(done)
        finally:
            rows.close()

    def levels_before(
        self, program: str, day: date | None = None
    ) -> Generator[tuple[datetime, int], None, None]:
        """When each of the program's counted sessions started, and its level, newest first, of
        those that started before the local ``day`` (any day, if None): by the index of a
        program's sessions by start, reading those two columns alone."""
        conditions, parameters = f"program = ? AND {COUNTED}", [program]
        if day is not None:
            _, end = day_span(day - timedelta(days=1), day - timedelta(days=1))
            conditions += " AND started_at < ?"
            parameters.append(end)
        rows = self.connection.execute(
            f"SELECT started_at, level FROM sessions WHERE {conditions} "
            "ORDER BY started_at DESC, sessions.rowid DESC",
            parameters,
        )
        try:
            for started, level in rows:
                if not readable_time(started) or not isinstance(level, int) or level < 0:
                    continue  # unreadable: left out, as `sessions` leaves it
                at = parse_iso(started)
                if day is None or local_day(at) < day:
                    yield at, level
        finally:
            rows.close()

    def streak(self, now: datetime | None = None) -> int:
        """`Totals.streak_days`, alone: from the days kept, as `totals` reads it."""
        now = now or self.now()
        try:
            return lookups.streak(self.connection, now)
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
            return totals_of(self.sessions(), now).streak_days

    def totals(self, now: datetime | None = None, program: str | None = None) -> Totals:
        """`records.totals` of every session (of ``program``), from the indexes: this week's
        sessions, the streak's days (`spasmtimer.history.days`), and SQLite's own sums of all
        of them."""
        now = now or self.now()
        db = self.connection
        try:
            week_counted, week_seconds = lookups.week_so_far(db, now, program)
            streak = lookups.streak(db, now, program)
            counted, seconds = lookups.in_all(db, program)
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
            return totals_of(self.sessions(program), now)
        return Totals(week_counted, week_seconds / 60, streak, counted, seconds / 60)

    def exported(
        self, program: str | None = None
    ) -> Generator[tuple[SessionRecord, list[EventRecord]], None, None]:
        """Every session (of ``program``), oldest first, with its exported events (see
        `EXPORTED_EVENTS`), read as they are asked for: an export of years is written as it is
        read, never held whole. An event row that cannot be read is left out."""
        where, parameters = ("WHERE program = ? ", (program,)) if program is not None else ("", ())
        # Oldest first (sessions started in the same millisecond, by row); and their events in
        # the same order (by the index of sessions by start, then of events by session), read
        # side by side with them.
        rows = self._read_rows(f"{where}ORDER BY started_at, sessions.rowid", parameters)
        try:
            events: Iterator[tuple[Any, ...]] = self.connection.execute(
                "SELECT sessions.rowid, kind, events.at, elapsed, phase, seconds FROM sessions "
                f"JOIN events ON events.session_id = sessions.id {where}"
                "ORDER BY sessions.started_at, sessions.rowid, events.id",
                parameters,
            )
        except sqlite3.OperationalError as e:
            if not is_of_another_shape(e):
                raise
            self._say(f"History: the sessions' events cannot be read ({e}).")
            events = iter(())
        pending = next(events, None)
        try:
            for mark, record in rows:
                found = []
                while pending is not None and pending[0] == mark.row:
                    event = exported_event(*pending[1:])
                    if event is not None:
                        found.append(event)
                    pending = next(events, None)
                if record is not None:  # one that cannot be read is left out, with its events
                    yield record, found
        finally:
            rows.close()
            if isinstance(events, sqlite3.Cursor):
                events.close()
