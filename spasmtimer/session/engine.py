"""The session engine: where a running session is, derived from a clock, never from ticks.

A `Session` holds a timeline and a clock (``time.monotonic`` unless a test passes a fake one).
Everything it reports — the current phase, the time left in it, the session's elapsed and
remaining time, the cues that are due — is computed from ``clock()`` when asked:

    position = (now - started_at - time_paused) + shift

where ``shift`` records the jumps made by skip and back. Phase boundaries are the running sums of
the (adjustable) phase lengths, so a session of thousands of phases ends exactly when their sum
says, however often or rarely anyone looks.

Every operation (pause, resume, skip, back, adjust, stop) is recorded as an `Event`, for the
history to keep. No Textual here: the app and the plain runner both drive this class.
"""

from __future__ import annotations

import bisect
import itertools
import math
import time
from enum import StrEnum
from typing import Literal, Protocol

import msgspec

from spasmtimer.base.clocks import Clock
from spasmtimer.program.resolved import BreathPart, BreathPattern
from spasmtimer.program.timeline import KIND_WORDS, PREPARE_NAME, Phase, Timeline

BACK_GRACE_SECONDS = 2.0
"""Back pressed within this long of a phase's start goes to the previous phase."""
EPSILON = 1e-6
"""Clock readings are floats: within a microsecond of a phase boundary counts as on it."""
COUNTDOWN_KINDS = frozenset({"prepare", "hold", "rest"})
"""Phases whose last three seconds are counted out."""
RESUME_GET_READY_SECONDS = 3.0
"""A session taken up again first gets ready for the program's `prepare`, and at least this
long: time to get back into position (docs/history.md, "Resuming")."""


class Status(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


EventKind = Literal["start", "pause", "resume", "skip", "back", "adjust", "stop"]
CueKind = Literal["start", "switch", "halfway", "countdown", "breath", "end"]


class Event(msgspec.Struct, frozen=True):
    """Something that happened to a session, for the history."""

    kind: EventKind
    elapsed: float
    """Seconds since the session started, pauses included (clock time)."""
    phase: int
    """The phase it happened in (for skip and back: the phase it left)."""
    seconds: float | None = None
    """For adjust: seconds added (negative: taken away), as applied."""


class Cue(msgspec.Struct, frozen=True):
    """Something to tell the person at a moment of the session."""

    kind: CueKind
    phase: int
    at: float
    """When, as a position in the session (seconds of session time from its start)."""
    text: str
    count: int | None = None
    """For a countdown: 3, 2 or 1."""
    resuming: bool = False
    """A cue of the get-ready before a session taken up again goes on."""


class Breath(msgspec.Struct, frozen=True):
    """Where the breath is within a breathing phase, or within a hold that has a `breath`."""

    part: BreathPart
    elapsed: float
    """Seconds into this part of the breath."""
    seconds: float
    """How long this part of the breath lasts."""

    @property
    def fraction(self) -> float:
        """How far through this part of the breath, 0 to 1."""
        return min(1.0, self.elapsed / self.seconds) if self.seconds > 0 else 1.0

    @property
    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed)


class State(msgspec.Struct, frozen=True):
    """A snapshot of the session at one instant."""

    status: Status
    index: int
    """The current phase (the last one once the session has finished)."""
    phase: Phase
    phase_seconds: float
    """The current phase's length, with any adjustment."""
    phase_elapsed: float
    phase_remaining: float
    elapsed: float
    """The position in the session, in seconds (skips jump it forward, back jumps it back)."""
    remaining: float
    """Session time left."""
    done_seconds: float
    """Time actually spent in the session's phases (see `Session.done_seconds`)."""
    total: float
    """The session's length, with any adjustment."""
    next: Phase | None
    breath: Breath | None
    resuming: bool = False
    """In the get-ready before the rest of the phase a session taken up again stopped in:
    `phase` is that get-ready, `index` and `elapsed` the phase and position it goes on at."""

    @property
    def done(self) -> bool:
        return self.status in (Status.FINISHED, Status.STOPPED)

    @property
    def progress(self) -> float:
        """How much of the session is done, 0 to 1."""
        return self.elapsed / self.total if self.total else 1.0


def breath_at(pattern: BreathPattern, t: float) -> Breath:
    """The part of a repeating breath pattern at ``t`` seconds into it."""
    parts = [(p, s) for p, s in pattern.parts() if s > 0]
    t %= pattern.cycle_seconds
    for part, seconds in parts:
        if t < seconds:
            return Breath(part, t, seconds)
        t -= seconds
    part, seconds = parts[-1]  # t landed on the cycle's end through float rounding
    return Breath(part, seconds, seconds)


def _start_text(phase: Phase) -> str:
    if phase.kind == "switch":
        return f"Switch to {phase.side}" if phase.side else "Switch sides"
    words = KIND_WORDS[phase.kind]
    if phase.kind in ("prepare", "rest") and phase.step is None:
        return words.capitalize()
    return f"{phase.name}: {words}" + (f", {phase.side}" if phase.side else "")


def phase_cues(
    phase: Phase,
    index: int,
    start: float,
    seconds: float,
    after: float = -math.inf,
    until: float = math.inf,
) -> list[Cue]:
    """The cues of one phase that starts at ``start`` and lasts ``seconds``, in time order:
    only those due in ``after < at <= until`` (a window of an hour's hold is cheap)."""
    end = start + seconds
    cues = [Cue("switch" if phase.kind == "switch" else "start", index, start, _start_text(phase))]
    if phase.kind == "hold" and phase.breath is not None:
        cues += [
            Cue("breath", index, start + offset, KIND_WORDS[part].capitalize())
            for offset, part in phase.breath.cue_offsets(seconds, after - start, until - start)
        ]
    if phase.kind == "hold" and phase.halfway:
        cues.append(Cue("halfway", index, start + seconds / 2, phase.halfway))
    if phase.kind in COUNTDOWN_KINDS:
        cues += [
            Cue("countdown", index, end - n, str(n), count=n) for n in (3, 2, 1) if end - n > start
        ]
    cues = [c for c in cues if after < c.at <= until]
    cues.sort(key=lambda c: c.at)  # stable: a start cue stays before a breath cue at its instant
    return cues


class Session:
    """One run of a timeline, driven by a clock."""

    def __init__(self, timeline: Timeline, clock: Clock = time.monotonic) -> None:
        if not timeline.phases:
            raise ValueError("a session needs at least one phase")
        self.timeline = timeline
        self.clock = clock
        self.phases = timeline.phases
        self.durations = [p.seconds for p in self.phases]
        self.starts: list[float] = []
        self.total = 0.0
        self._restart_from(0)
        self.events: list[Event] = []
        self.started_at: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._shift = 0.0
        self._stopped_at: float | None = None
        self._done_before = 0.0
        self._cue_cursor = -math.inf
        self._cue_phase = 0
        self.resumed_at: float | None = None
        """Where a session taken up again went on from (seconds from its start)."""
        self.get_ready: Phase | None = None
        """The get-ready before the phase a session taken up again goes on in."""
        # The get-ready's span in running time (`_active`): neither a phase of the timeline
        # nor time done. Both 0 without one.
        self._ready_from = 0.0
        self._ready_until = 0.0
        self._ready_cursor = 0.0
        """The get-ready's cues are given up to this running time."""

    # -- time --------------------------------------------------------------------------------
    def _now(self, now: float | None) -> float:
        return self.clock() if now is None else now

    def _restart_from(self, index: int) -> None:
        """Recompute phase starts from ``index`` on, after a phase's length changed."""
        previous = self.starts[index] if index < len(self.starts) else 0.0
        # Rounded as they are summed, so 500 phases of 0.1 s end at 50.0, not 50.00000000000044.
        tail = itertools.accumulate(
            self.durations[index:], lambda a, b: round(a + b, 6), initial=previous
        )
        self.starts[index:] = list(tail)
        self.total = self.starts.pop()

    def _active(self, now: float) -> float:
        """Seconds the session has been running (not paused) at ``now``."""
        if self.started_at is None:
            return 0.0
        until = now
        if self._stopped_at is not None:
            until = min(until, self._stopped_at)
        if self._paused_at is not None:
            until = min(until, self._paused_at)
        return until - self.started_at - self._paused_total

    def _run(self, now: float) -> float:
        """Seconds the session has run through its phases at ``now``: running, not paused,
        and not getting ready to go on after being taken up again."""
        return max(0.0, self._active(now) - self._ready_until)

    def getting_ready(self, now: float | None = None) -> bool:
        """Is it in the get-ready before the phase a session taken up again goes on in?"""
        return self.started_at is not None and (
            self._active(self._now(now)) < self._ready_until - EPSILON
        )

    def done_seconds(self, now: float | None = None) -> float:
        """Time actually spent in the session's phases: time running, not paused. Time skipped
        with skip, or cut with adjust, was never spent; time added and then held was; time
        gone back over is spent again. It stops when the session ends. A session taken up
        again counts what was done before too, and not the get-ready before it goes on."""
        spent = max(0.0, min(self._run(self._now(now)), self.total - self._shift))
        return self._done_before + spent

    def position(self, now: float | None = None) -> float:
        """Where the session is, in seconds from its start, at ``now``."""
        position = self._run(self._now(now)) + self._shift
        return self.total if position >= self.total - EPSILON else position

    def _index_at(self, position: float) -> int:
        found = bisect.bisect_right(self.starts, position + EPSILON) - 1
        return max(0, min(found, len(self.phases) - 1))

    def phase_at(self, position: float) -> Phase:
        """The phase the session is in at ``position`` seconds from its start."""
        return self.phases[self._index_at(position)]

    def status(self, now: float | None = None) -> Status:
        now = self._now(now)
        if self._stopped_at is not None:
            return Status.STOPPED
        if self.started_at is None:
            return Status.READY
        if self.position(now) >= self.total:
            return Status.FINISHED
        return Status.PAUSED if self._paused_at is not None else Status.RUNNING

    def ended_at(self, now: float | None = None) -> float | None:
        """The clock time the session ended (finished or stopped), or None while it runs."""
        status = self.status(now)
        if status is Status.STOPPED:
            return self._stopped_at
        if status is Status.FINISHED:
            assert self.started_at is not None
            ready = self._ready_until
            return self.started_at + self._paused_total + ready + (self.total - self._shift)
        return None

    def state_at(self, now: float | None = None) -> State:
        now = self._now(now)
        position = self.position(now)
        index = self._index_at(position)
        if self.get_ready is not None and self.getting_ready(now):
            seconds = self._ready_until - self._ready_from
            elapsed = self._active(now) - self._ready_from
            return State(
                status=self.status(now),
                index=index,
                phase=self.get_ready,
                phase_seconds=seconds,
                phase_elapsed=elapsed,
                phase_remaining=seconds - elapsed,
                elapsed=position,
                remaining=self.total - position,
                done_seconds=self.done_seconds(now),
                total=self.total,
                next=self.phases[index],
                breath=None,
                resuming=True,
            )
        phase = self.phases[index]
        seconds = self.durations[index]
        phase_elapsed = min(max(position - self.starts[index], 0.0), seconds)
        breath = None
        if phase.kind in ("inhale", "pause", "exhale", "pause_out"):
            breath = Breath(phase.kind, phase_elapsed, seconds)
        elif phase.kind == "hold" and phase.breath is not None:
            breath = breath_at(phase.breath, phase_elapsed)
        return State(
            status=self.status(now),
            index=index,
            phase=phase,
            phase_seconds=seconds,
            phase_elapsed=phase_elapsed,
            phase_remaining=seconds - phase_elapsed,
            elapsed=position,
            remaining=self.total - position,
            done_seconds=self.done_seconds(now),
            total=self.total,
            next=self.phases[index + 1] if index + 1 < len(self.phases) else None,
            breath=breath,
        )

    def next_change(self, now: float | None = None) -> float | None:
        """Clock time of the next phase start or session end, for a runner to sleep until."""
        now = self._now(now)
        if self.status(now) is not Status.RUNNING:
            return None
        if self.getting_ready(now):
            return now + (self._ready_until - self._active(now))
        position = self.position(now)
        index = self._index_at(position)
        boundary = self.starts[index + 1] if index + 1 < len(self.phases) else self.total
        return now + (boundary - position)

    # -- cues --------------------------------------------------------------------------------
    def due_cues(self, now: float | None = None) -> list[Cue]:
        """The cues that have come due since the last call, in order.

        Cues passed over by a skip are not given; after back, the phase's cues come again.
        """
        now = self._now(now)
        if self.started_at is None:
            return []
        due: list[Cue] = []
        if self._ready_cursor < self._ready_until:
            due += self._get_ready_cues(now)
            if self._ready_cursor < self._ready_until:
                return due  # the phases go on once it is over
        position = self.position(now)
        horizon = position + EPSILON
        last = self._index_at(position)
        for index in range(self._cue_phase, last + 1):
            due += phase_cues(
                self.phases[index],
                index,
                self.starts[index],
                self.durations[index],
                self._cue_cursor,
                horizon,
            )
        if position >= self.total and self._cue_cursor < self.total:
            due.append(Cue("end", len(self.phases) - 1, self.total, "Session complete"))
        self._cue_cursor = horizon
        self._cue_phase = last
        return due

    def _get_ready_cues(self, now: float) -> list[Cue]:
        """The cues of the get-ready before a session taken up again goes on, due since the
        last call (given at its position: no session time passes while it lasts); as it ends,
        the start of the phase it goes on in, when that is part way through."""
        assert self.get_ready is not None and self.resumed_at is not None
        active = self._active(now)
        horizon = min(active, self._ready_until) + EPSILON
        at, index = self.resumed_at, self._index_at(self.resumed_at)
        cues = phase_cues(
            self.get_ready,
            index,
            self._ready_from,
            self._ready_until - self._ready_from,
            self._ready_cursor,
            horizon,
        )
        due = [Cue(c.kind, c.phase, at, c.text, c.count, resuming=True) for c in cues]
        self._ready_cursor = horizon
        if horizon >= self._ready_until and at > self.starts[index] + EPSILON:
            # From its start, the phase's own start cue comes with the phases' cues.
            phase = self.phases[index]
            kind: CueKind = "switch" if phase.kind == "switch" else "start"
            due.append(Cue(kind, index, at, _start_text(phase)))
        return due

    def _rewind_cues_to(self, index: int) -> None:
        """Let the cues of the phase at ``index`` come again from its start."""
        self._cue_phase = index
        self._cue_cursor = self.starts[index] - EPSILON

    def next_cue_in(self, within: float, now: float | None = None) -> float | None:
        """Seconds of session time until the next cue of the current phase, if one comes within
        ``within`` seconds (for scheduling a wake-up)."""
        now = self._now(now)
        if self.get_ready is not None and self.getting_ready(now):
            active = self._active(now)
            ready = phase_cues(
                self.get_ready,
                0,
                self._ready_from,
                self._ready_until - self._ready_from,
                active,
                active + within,
            )
            return ready[0].at - active if ready else None
        position = self.position(now)
        index = self._index_at(position)
        upcoming = phase_cues(
            self.phases[index],
            index,
            self.starts[index],
            self.durations[index],
            position,
            position + within,
        )
        return upcoming[0].at - position if upcoming else None

    # -- operations --------------------------------------------------------------------------
    def _record(
        self, kind: EventKind, now: float, phase: int, seconds: float | None = None
    ) -> None:
        assert self.started_at is not None
        self.events.append(Event(kind, now - self.started_at, phase, seconds))

    def _live(self, now: float) -> bool:
        return self.status(now) in (Status.RUNNING, Status.PAUSED)

    def start(self, now: float | None = None, *, at: float = 0.0, done_before: float = 0.0) -> None:
        """Start counting; a session taken up again starts ``at`` the position it got to, with
        ``done_before`` seconds done already (and records a resume rather than a start).

        A session taken up again first gets ready (docs/history.md, "Resuming"): for the
        program's `prepare`, at least `RESUME_GET_READY_SECONDS`, with the figure of the phase
        it goes on in; then the rest of that phase. The get-ready is neither a phase of the
        timeline nor time done."""
        if self.started_at is not None:
            return
        self.started_at = self._now(now)
        self._done_before = done_before
        self._shift = max(0.0, min(at, self.total))
        index = self._index_at(self._shift)
        if at > 0:
            # Cues from where it got to on: those before were given before it stopped.
            self._cue_phase = index
            self._cue_cursor = self._shift - EPSILON
            self.resumed_at = self._shift
            self.get_ready = resumed_get_ready(self.phases, index)
            self._ready_until = self.get_ready.seconds
            self._ready_cursor = -EPSILON
        self._record("resume" if at > 0 else "start", self.started_at, index)

    def pause(self, now: float | None = None) -> None:
        now = self._now(now)
        if self.status(now) is Status.RUNNING:
            self._paused_at = now
            self._record("pause", now, self._index_at(self.position(now)))

    def resume(self, now: float | None = None) -> None:
        now = self._now(now)
        if self.status(now) is Status.PAUSED and self._paused_at is not None:
            self._paused_total += now - self._paused_at
            self._paused_at = None
            self._record("resume", now, self._index_at(self.position(now)))

    def toggle_pause(self, now: float | None = None) -> None:
        now = self._now(now)
        if self.status(now) is Status.PAUSED:
            self.resume(now)
        else:
            self.pause(now)

    def _jump_to(self, target: float, now: float) -> None:
        self._shift += target - self.position(now)

    def skip(self, now: float | None = None) -> None:
        """Go to the start of the next phase (or end the session from its last phase)."""
        now = self._now(now)
        if not self._live(now):
            return
        if self.getting_ready(now):
            self._ready_until = self._active(now)  # on with the session: none of it skipped
            return
        index = self._index_at(self.position(now))
        self._record("skip", now, index)
        target = self.starts[index + 1] if index + 1 < len(self.phases) else self.total
        self._jump_to(target, now)
        self._cue_cursor = target - EPSILON
        self._cue_phase = min(index + 1, len(self.phases) - 1)

    def back(self, now: float | None = None) -> None:
        """Restart the current phase, or go to the previous one early in the current one."""
        now = self._now(now)
        if not self._live(now):
            return
        if self.getting_ready(now):  # the get-ready again, from its start
            active, length = self._active(now), self._ready_until - self._ready_from
            self._ready_from, self._ready_until = active, active + length
            self._ready_cursor = active - EPSILON
            return
        position = self.position(now)
        index = self._index_at(position)
        self._record("back", now, index)
        if position - self.starts[index] < BACK_GRACE_SECONDS and index > 0:
            index -= 1
        self._jump_to(self.starts[index], now)
        self._rewind_cues_to(index)

    def adjust(self, seconds: float, now: float | None = None) -> None:
        """Lengthen (or, with a negative ``seconds``, shorten) the current phase.

        A phase is never shortened to before now: taking away more than is left ends it now.
        """
        now = self._now(now)
        if not self._live(now):
            return
        if self.getting_ready(now):  # longer or shorter to get ready: no session time
            self._ready_until = max(self._ready_until + seconds, self._active(now))
            return
        position = self.position(now)
        index = self._index_at(position)
        elapsed = position - self.starts[index]
        new = max(self.durations[index] + seconds, elapsed)
        applied = new - self.durations[index]
        self.durations[index] = new
        self._restart_from(index)
        if index + 1 < len(self.phases):
            # Shortened to end now: the next phase's start cue is still to come.
            self._cue_cursor = min(self._cue_cursor, self.starts[index + 1] - EPSILON)
        self._record("adjust", now, index, applied)

    def stop(self, now: float | None = None) -> None:
        now = self._now(now)
        if self.started_at is None or self._stopped_at is not None:
            return
        if self.status(now) is Status.FINISHED:
            return
        self._stopped_at = now
        self._record("stop", now, self._index_at(self.position(now)))


def resumed_get_ready(phases: tuple[Phase, ...], index: int) -> Phase:
    """The get-ready before a session taken up again goes on in the phase at ``index``: as
    long as the session's own (the program's `prepare`), at least `RESUME_GET_READY_SECONDS`,
    and showing that phase's figure, to get back into position."""
    first, phase = phases[0], phases[index]
    prepare = first.seconds if first.kind == "prepare" else 0.0
    return Phase(
        "prepare",
        max(RESUME_GET_READY_SECONDS, prepare),
        PREPARE_NAME,
        round=phase.round,
        rounds=phase.rounds,
        figure=phase.figure,
        mirrored=phase.mirrored,
    )


class Resumption(msgspec.Struct, frozen=True):
    """Where a session stopped early is taken up again."""

    at: float
    """The position it got to, in seconds from the session's start."""
    done: float
    """Seconds already done."""
    pain_before: int | None
    """The pain rating given before it first started."""


SYNC_SECONDS = 1.0
"""A runner calls `Recorder.sync` at least this often while a session runs, so that a kill -9
or a power cut loses at most about this much of it (docs/history.md: at most 2 seconds)."""


class Recorder(Protocol):
    """What keeps a record of a session as it goes (the history store implements it)."""

    def started(self, session: Session, pain_before: int | None) -> None:
        """The session has just started."""

    def rated_before(self, session: Session, pain_before: int) -> None:
        """The pain before, typed during get-ready: kept at once, so that a session cut off
        a moment later still has it (docs/history.md, "Resuming")."""

    def sync(self, session: Session) -> None:
        """Write the session's new events and how far it got, and its end once it has ended.

        Called after every change and at least every `SYNC_SECONDS` while the session runs;
        an implementation may skip a call that brings nothing new within that time."""

    def rated(
        self,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        """The pain ratings (0-10, None when skipped), notes and the steps marked as having
        hurt or been too hard (from 0), once the session is over."""


class NullRecorder:
    """Keeps nothing: for runs with no history."""

    def started(self, session: Session, pain_before: int | None) -> None:
        pass

    def rated_before(self, session: Session, pain_before: int) -> None:
        pass

    def sync(self, session: Session) -> None:
        pass

    def rated(
        self,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        pass
