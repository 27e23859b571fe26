"""Break reminders (``spasmtimer remind``): when the next break is due, and what moves it.

A break is due ``every`` so long after the last one, where the last one is the latest of:
when the reminders began, a break taken here, a break skipped here, and a session of any
program recorded anywhere (another terminal, another machine sharing the history): each is a
break from sitting. A snooze
makes the next wait ten minutes instead. With a window (``--between 09:00-18:00``) breaks fall
only inside it: a wait begins at the latest when the window opens, and one that would end
after it closes waits for the next day's opening instead. A window whose end is before its
start (``22:00-02:00``) runs over midnight; on the days the clocks change, see `Window`.

Time comes from two clocks, both given: the wall clock (aware datetimes, kept in UTC here so
that every sum and comparison is of instants, and a change to or from summer time moves
nothing), by which the window and the history are read; and a monotonic clock, which says how
much time passed between two looks. Where they disagree the machine slept or its clock was set:

- more than `AWAY` of wall time the monotonic clock never saw: the machine slept (or was
  set forward). Away from the computer that long counts as a break: the wait starts again;
- less than that, or the clock set back: the wall clock was stepped, and the time already
  waited stays what it was.

Nothing here counts ticks, sleeps or draws: the app and the plain runner ask for the state
whenever they look, and say when a break is taken, snoozed or skipped. No Textual, and
nothing slower than the standard library and msgspec, so that any command may use it.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as time_of_day
from typing import TextIO

import msgspec

from spasmtimer.base.clocks import Clock, Now, utc_now
from spasmtimer.session.breaks import DEFAULT_EVERY as DEFAULT_EVERY
from spasmtimer.session.breaks import LONGEST_EVERY as LONGEST_EVERY
from spasmtimer.session.breaks import SHORTEST_EVERY as SHORTEST_EVERY

SNOOZE = timedelta(minutes=10)
AWAY = timedelta(minutes=5)
"""Wall time the monotonic clock did not see (the machine asleep) that counts as a break."""
CLOCK_STEP = 2.0
"""Seconds by which the two clocks may disagree between looks before the wall clock is taken
to have been set (rather than read a little late)."""
POLL_SECONDS = 5.0
"""How often the history is looked at for a session run elsewhere: one indexed query."""

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --- the window ---------------------------------------------------------------------------


class Window(msgspec.Struct, frozen=True):
    """The hours of the day in which breaks fall, in local time: [start, end], over midnight
    when ``end`` comes before ``start``.

    It opens once a day, the first time the local clock reads ``start``, and closes the first
    time after that it reads ``end``, so that on the days the clocks change:

    - going forward, a time they skip is read as the moment they skip it. Where 02:00 becomes
      03:00, 01:00–02:30 closes at the change, 02:30–04:00 opens at it, and 02:00–03:00 is not
      open at all that day;
    - going back, the hour they repeat counts once, the first time: where 02:00 becomes 01:00,
      00:30–01:30 closes at the first 01:30 and does not open again when the clock reads 01:00
      once more, and 01:30–03:00 stays open through the repeated hour, an hour longer.
    """

    start: time_of_day
    end: time_of_day

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("the window starts and ends at the same time")

    @property
    def over_midnight(self) -> bool:
        return self.end < self.start

    @property
    def length(self) -> timedelta:
        """How long it is open on an ordinary day (a change of clocks makes one day differ)."""
        minutes = (_minutes(self.end) - _minutes(self.start)) % (24 * 60)
        return timedelta(minutes=minutes)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def _span(self, day: date, zone: tzinfo | None) -> tuple[datetime, datetime]:
        """The instants it opens and closes, opening on local ``day``: the same instant when
        it is not open that day."""
        closes_on = day + timedelta(days=1) if self.over_midnight else day
        return first_reading(day, self.start, zone), first_reading(closes_on, self.end, zone)

    def around(self, instant: datetime, zone: tzinfo | None) -> tuple[datetime, datetime] | None:
        """The opening and closing of the window ``instant`` falls in, if it is open then."""
        day = instant.astimezone(zone).date()
        for n in range(-1, 2):
            opens, closes = self._span(day + timedelta(days=n), zone)
            if opens < closes and opens <= instant <= closes:
                return opens, closes
        return None

    def next_opening(self, instant: datetime, zone: tzinfo | None) -> datetime:
        """The first time it opens after ``instant``."""
        day = instant.astimezone(zone).date()
        for n in range(MOST_DAYS_CLOSED + 1):
            opens, closes = self._span(day + timedelta(days=n), zone)
            if instant < opens < closes:
                return opens
        raise ValueError(f"the window {self} does not open for {MOST_DAYS_CLOSED} days")


MOST_DAYS_CLOSED = 9
"""Days after today in which a window's next opening is looked for: far more than a change of
clocks keeps one closed (a day, as when Samoa left out a whole one, crossing the date line)."""


def _minutes(moment: time_of_day) -> int:
    return moment.hour * 60 + moment.minute


def first_reading(day: date, moment: time_of_day, zone: tzinfo | None) -> datetime:
    """The first instant (in UTC) at which the local clock reads ``moment`` on ``day``, in
    ``zone`` or in the system's own zone (None), whose summer time the C library knows.

    Where the clocks go back they read a time twice: this is the first. Where they go forward
    they skip some: a time skipped is never read, and this is the instant they skip it.
    """
    reading = datetime.combine(day, moment)
    earlier, later = sorted(_instant(reading.replace(fold=fold), zone) for fold in (0, 1))
    for candidate in (earlier, later):
        if _reading(candidate, zone) == reading:
            return candidate
    # Skipped: the two readings of it are the offsets before and after the change, which
    # falls between them.
    return _change_between(earlier, later, zone)


def _instant(reading: datetime, zone: tzinfo | None) -> datetime:
    """A naive reading of the local clock as an instant in UTC; its ``fold`` says which, where
    the clock reads it twice (and, where never, which offset to read it by)."""
    if zone is None:
        return reading.astimezone(UTC)  # a naive datetime is read in the system's zone
    return reading.replace(tzinfo=zone).astimezone(UTC)


def _read_twice(reading: datetime, zone: tzinfo | None) -> bool:
    """Does the local clock read ``reading`` (naive) twice, as the clocks go back?"""
    instants = {_instant(reading.replace(fold=fold), zone) for fold in (0, 1)}
    return len(instants) == 2 and all(_reading(i, zone) == reading for i in instants)


def _reading(instant: datetime, zone: tzinfo | None) -> datetime:
    """What the local clock reads at ``instant``, naive."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _change_between(earlier: datetime, later: datetime, zone: tzinfo | None) -> datetime:
    """The first instant after ``earlier``, to the second, whose offset from UTC differs from
    that at ``earlier`` (``later``, if none does before it)."""
    offset = earlier.astimezone(zone).utcoffset()
    low, high = 0, int((later - earlier).total_seconds())  # offsets at low: as at earlier
    while high - low > 1:
        middle = (low + high) // 2
        if (earlier + timedelta(seconds=middle)).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return earlier + timedelta(seconds=high)


_WINDOW = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*")


def parse_window(text: str) -> Window:
    """``"09:00-18:00"`` as a `Window`; ``"24:00"`` may end one (midnight). Raises
    `ValueError` with a message that says what is wrong, for ``--between``."""
    match = _WINDOW.fullmatch(text)
    if match is None:
        raise ValueError("must be two times of the day, such as 09:00-18:00")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    for hours, minutes, may_be_midnight in ((start_h, start_m, False), (end_h, end_m, True)):
        if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not may_be_midnight)):
            moment = f"{hours:02d}:{minutes:02d}"
            raise ValueError(f"has {moment}, which is not a time of the day (00:00 to 23:59)")
    start = time_of_day(start_h, start_m)
    end = time_of_day(0, 0) if end_h == 24 else time_of_day(end_h, end_m)
    if start == end:
        raise ValueError("starts and ends at the same time: give the hours breaks fall in")
    return Window(start, end)


def every_problem(every: timedelta, window: Window | None) -> str | None:
    """What is wrong with reminding every ``every`` within ``window``, if anything."""
    if not SHORTEST_EVERY <= every <= LONGEST_EVERY:
        return "must be from 1m to 24h"
    if window is not None and every > window.length:
        return (
            f"is longer than the window {window} ({every_text(window.length)}): "
            "no break would ever be due"
        )
    return None


# --- the schedule -------------------------------------------------------------------------


class LastSession(msgspec.Struct, frozen=True):
    """The most recent session in the history, of any program, as far as reminders care."""

    id: str
    at: datetime
    """When it ended or, while it runs, when it was last heard from."""
    running: bool


class ReminderState(msgspec.Struct, frozen=True):
    """What the reminders say at one moment."""

    now: datetime
    due_at: datetime
    """When the next break is due (or became due)."""
    snoozed: bool
    """The wait is a snooze's."""
    held: bool
    """The window moved the break: it falls at its next opening's wait rather than after
    the last break's."""

    @property
    def due(self) -> bool:
        return self.now >= self.due_at

    @property
    def remaining(self) -> float:
        """Seconds until the break is due (0 once it is)."""
        return max(0.0, (self.due_at - self.now).total_seconds())


LastSessionOf = Callable[[], LastSession | None]
"""Reads the latest session, of any program, from the history (None: none, or it cannot be
read)."""
PlacedOf = Callable[[datetime | None], datetime | None]
"""A course's next time for a program, later than a moment passed (`Reminders.placed`)."""


class Reminders:
    """When the next break is due. Ask `state` whenever you look; say what happened with
    `snooze`, `skip` and `break_taken`.

    Given ``last_session``, `state` reads the history at most every `POLL_SECONDS`, and once
    more when a break falls due, before it is said: a session run elsewhere a moment ago
    puts the break off rather than ringing for it.
    """

    def __init__(
        self,
        every: timedelta = DEFAULT_EVERY,
        window: Window | None = None,
        *,
        wall: Now = utc_now,
        clock: Clock = time.monotonic,
        zone: tzinfo | None = None,
        last_session: LastSessionOf | None = None,
        placed: PlacedOf | None = None,
    ) -> None:
        problem = every_problem(every, window)
        if problem:
            raise ValueError(f"every {every_text(every)} {problem}")
        self.every = every
        self.window = window
        self.wall = wall
        self.clock = clock
        self.zone = zone
        """The zone the window is read in; None: the system's own."""
        now = self._read_wall()
        self._looked = (now, clock())
        self._since = now
        """When the current wait began."""
        self._wait = every
        self._snoozed = False
        self._rung = False
        self._seen: LastSession | None = None
        self._seen_any = False
        self.last_session = last_session
        self._polled: tuple[datetime, float] | None = None
        """When the history was last read, by each clock."""
        self.placed = placed
        """A course's times, when it places the breaks rather than ``every``: given a moment
        passed (or None), the first of its times not yet kept and later than that moment."""
        self._passed: datetime | None = None
        """The moment a break was last taken or skipped: a course's times up to it are done."""
        self._placed_at = placed(None) if placed is not None else None

    # -- what happened -----------------------------------------------------------------------
    def snooze(self) -> None:
        """Not now: ask again in ten minutes."""
        self._restart(self._look(), SNOOZE, snoozed=True)

    def skip(self) -> None:
        """Not this one: the next is due a whole wait from now (or at the course's next)."""
        self._pass(self._look())

    def break_taken(self) -> None:
        """A session of the program has just ended here."""
        self._pass(self._look())

    def _pass(self, now: datetime) -> None:
        self._passed = now
        self._restart(now)
        self._read_placed()

    def history_shows(self, last: LastSession | None) -> None:
        """What the history says is the latest session, of any program (None: none, or it could
        not be read). A session seen for the first time, or one that has moved on (it is
        running, or has ended since), starts the wait again from when it was last heard of —
        never from the future, and never earlier than the current wait began. The first
        look also counts one that ended less than a wait before the reminders began."""
        now = self._look()
        first, self._seen_any = not self._seen_any, True
        if last is None or last == self._seen:
            return
        self._seen = last
        heard = min(last.at, now)
        if heard > self._since or (first and heard > self._since - self.every):
            self._restart(heard)

    # -- what is due ---------------------------------------------------------------------------
    def state(self) -> ReminderState:
        now = self._look()
        if self.last_session is not None and self._time_to_read(now):
            self._polled = (now, self._looked[1])
            self.history_shows(self.last_session())
            self._read_placed()
            now = self._looked[0]
        due_at, held = self._due_at()
        return ReminderState(now, due_at, self._snoozed and not held, held)

    def newly_due(self) -> bool:
        """Is a break due that has not been said yet? True once per break: for the bell and
        the notification."""
        if self._rung or not self.state().due:
            return False
        self._rung = True
        return True

    # -- inside ------------------------------------------------------------------------------
    def _time_to_read(self, now: datetime) -> bool:
        if self._polled is None:
            return True
        polled_wall, polled_mono = self._polled
        if self._looked[1] - polled_mono >= POLL_SECONDS:
            return True
        due_at, _ = self._due_at()
        return now >= due_at > polled_wall  # due since the last read: read once more first

    def _read_placed(self) -> None:
        if self.placed is None:
            return
        placed_at = self.placed(self._passed)
        if placed_at != self._placed_at:  # kept, here or elsewhere
            self._placed_at = placed_at
            self._snoozed = self._rung = False

    def _due_at(self) -> tuple[datetime, bool]:
        if self.placed is not None and not self._snoozed:
            if self._placed_at is None:  # the course places nothing more: look again later
                return self._since + LONGEST_EVERY, True
            return self._placed_at, False
        start, wait = self._since, self._wait
        if self.window is None:
            return start + wait, False
        held = False
        for _ in range(8):  # a day or two at most; the bound only guards against surprises
            span = self.window.around(start, self.zone)
            if span is not None and start + wait <= span[1]:
                break
            start, wait, held = self.window.next_opening(start, self.zone), self.every, True
        return start + wait, held

    def _restart(
        self, since: datetime, wait: timedelta | None = None, *, snoozed: bool = False
    ) -> None:
        self._since = since
        self._wait = wait or self.every
        self._snoozed = snoozed
        self._rung = False

    def _read_wall(self) -> datetime:
        now = self.wall()
        if now.tzinfo is None:
            raise ValueError("the wall clock must give aware datetimes")
        # Two datetimes of one zone are subtracted and compared by their clock readings, not
        # as instants: in UTC, an hour is an hour on the day the clocks change too.
        return now.astimezone(UTC)

    def _look(self) -> datetime:
        """The wall clock now, after making sense of any jump since the last look."""
        now, mono = self._read_wall(), self.clock()
        then, then_mono = self._looked
        self._looked = (now, mono)
        unseen = (now - then).total_seconds() - (mono - then_mono)
        if unseen >= AWAY.total_seconds():
            self._restart(now)  # asleep, or away from it: that was a break
        elif abs(unseen) > CLOCK_STEP:
            # The clock was set: what was waited stays waited, and when the history was
            # read moves with it.
            step = timedelta(seconds=unseen)
            self._since += step
            if self._polled is not None:
                self._polled = (self._polled[0] + step, self._polled[1])
        return now


# --- words ----------------------------------------------------------------------------------


def every_text(every: timedelta) -> str:
    """``45 min``, ``1 h 30 min``, ``1 min 30 s``."""
    whole = round(every.total_seconds())
    hours, rest = divmod(whole, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "h"), (minutes, "min"), (seconds, "s")) if n]
    return " ".join(parts) or "0 s"


def when_text(at: datetime, now: datetime, zone: tzinfo | None = None) -> str:
    """A moment as a clock on the wall says it: ``14:50``, ``09:45 tomorrow``, ``Mon 09:45``;
    in the hour the clocks repeat, with its zone's name (``01:50 EST``), which of the two."""
    local, today = at.astimezone(zone), now.astimezone(zone).date()
    hours = f"{local:%H:%M}"
    if _read_twice(local.replace(tzinfo=None), zone):
        hours += f" {local:%Z}"
    if local.date() == today:
        return hours
    if local.date() == today + timedelta(days=1):
        return f"{hours} tomorrow"
    return f"{WEEKDAYS[local.weekday()]} {hours}"


def schedule_text(title: str, every: timedelta, window: Window | None) -> str:
    """``Desk break every 45 min, 09:00–18:00``."""
    between = f", {window}" if window else ""
    return f"{title} every {every_text(every)}{between}"


def waiting_text(state: ReminderState, window: Window | None, zone: tzinfo | None = None) -> str:
    """What the wait is, under the time left: when the break falls, and why then."""
    when = when_text(state.due_at, state.now, zone)
    if state.held and window is not None:
        return f"Breaks {window}: the next at {when}"
    if state.snoozed:
        return f"Snoozed until {when}"
    return f"Next break at {when}"


def run_command(program: str) -> str:
    """The command that starts a break of ``program`` (a name, or a path to its file)."""
    return f"spasmtimer run {shlex.quote(program)}"


def due_line(
    now: datetime, title: str, length: str, program: str, zone: tzinfo | None = None
) -> str:
    """The line ``remind --plain`` prints when a break is due."""
    local = now.astimezone(zone)
    return f"{local:%H:%M}  Time for a break: {title}, {length}. {run_command(program)}"


# --- remind --plain -----------------------------------------------------------------------


class PlainReminders:
    """``remind --plain``: one line on ``out`` each time a break is due, and nothing between.

    No one can answer it, so a break said is a break skipped: the next is due a whole wait
    later — later still if the history shows a session of the program. It sleeps until the
    next break or the next look at the history, whichever is sooner.
    """

    def __init__(
        self,
        reminders: Reminders,
        *,
        describe: Callable[[], tuple[str, str]],
        program: str,
        out: TextIO,
        bell: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.reminders = reminders
        self.describe = describe
        """The program's title and length, as they are when a break is due (its file may
        have changed, its level moved on)."""
        self.program = program
        self.out = out
        self.bell = bell
        self.sleep = sleep

    def run(self, breaks: int | None = None) -> None:
        """Remind until interrupted (or, for tests, until ``breaks`` have been said)."""
        said = 0
        while breaks is None or said < breaks:
            state = self.reminders.state()
            if not state.due:
                self.sleep(max(0.01, min(state.remaining, POLL_SECONDS)))
                continue
            title, length = self.describe()
            line = due_line(state.now, title, length, self.program, self.reminders.zone)
            self.out.write(line + "\n")
            self.out.flush()
            if self.bell is not None:
                self.bell()
            self.reminders.skip()
            said += 1
