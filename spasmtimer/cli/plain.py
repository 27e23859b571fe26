"""``spasmtimer run --plain``: one line per phase, for dumb terminals, screen readers and pipes.

Each phase is announced by one line on stdout as it starts, and nothing is written between, so a
screen reader or a log stays quiet. Everything else (the caution, the pain questions, the closing
words) goes to stderr, which keeps stdout a clean record of the session.

The runner sleeps until the engine's next phase boundary, computed from the clock each time, so
lateness never accumulates: a session of many short phases ends when their sum says.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TextIO

import msgspec

from spasmtimer.base import exits
from spasmtimer.base.clocks import Clock
from spasmtimer.base.text import TerminalText, one_line
from spasmtimer.session.display import (
    clock_text,
    count_from,
    counting_text,
    done_text,
    finished,
    phase_sentence,
    resumed_get_ready_sentence,
    seconds_text,
)
from spasmtimer.session.engine import (
    SYNC_SECONDS,
    NullRecorder,
    Recorder,
    Resumption,
    Session,
    Status,
)
from spasmtimer.session.levels import Level

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, TypeAlias

    Handler: TypeAlias = Callable[[int, FrameType | None], Any] | int | None
    """What `signal.signal` takes and gives back: a function, `signal.SIG_DFL` or `SIG_IGN`,
    or None (a handler not set from Python)."""


class Interrupted(Exception):
    """The session was ended by a signal: SIGINT, SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP (a closed SSH connection) into `Interrupted`, and Ctrl-C into
    KeyboardInterrupt, for a session to stop on and be recorded as stopped.

    Until here a Ctrl-C ended the command at once (`spasmtimer.__main__`): raised while it
    imported, it could be swallowed (msgspec's import does). Nothing is imported within.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise Interrupted(signum)

    raising: dict[int, Handler] = {
        signal.SIGINT: signal.default_int_handler,
        signal.SIGTERM: handler,
        signal.SIGHUP: handler,
    }
    previous: dict[int, Handler] = {}
    try:
        for signum, raise_for in raising.items():
            # Each kept as soon as it is replaced: a signal raised between two is put back too.
            previous[signum] = signal.signal(signum, raise_for)
        yield
    finally:
        for signum, found in previous.items():
            signal.signal(signum, found)


def bell_stream(stdout: TextIO, stderr: TextIO) -> TextIO | None:
    """Where the terminal bell can be heard: stdout when it is a terminal, else stderr when
    that is (``run --plain | cat``, ``| tee log``: the lines go on, and so do the bells);
    None when neither is, for a bell never goes into a pipe or a file."""
    for stream in (stdout, stderr):
        if stream.isatty():
            return stream
    return None


def ring_bell(stream: TextIO) -> None:
    """One bell on ``stream``: through the command line, every control character written is
    made visible, so the bell, rung on purpose, takes its own way."""
    if isinstance(stream, TerminalText):
        stream.bell()
    else:
        stream.write("\a")
    stream.flush()


class Outcome(msgspec.Struct):
    """How a `--plain` session went: the session itself, its ratings and the exit status."""

    session: Session
    pain_before: int | None
    pain_after: int | None
    exit_status: int


@contextmanager
def line_ended_if_cut_off(prompted: bool, stderr: TextIO) -> Iterator[None]:
    """While an answer is read after a prompt on the terminal: should Ctrl-C or a signal cut
    it off, end the prompt's line, so that the shell's prompt starts on a line of its own."""
    try:
        yield
    except (KeyboardInterrupt, Interrupted):
        if prompted:
            with suppress(OSError):
                stderr.write("\n")
                stderr.flush()
        raise


def _answer(prompt: str, interactive: bool, stdin: TextIO, stderr: TextIO) -> str | None:
    """One line read after ``prompt`` (shown on a terminal); None at the end of input, or of
    one that cannot be read at all."""
    if interactive:
        stderr.write(prompt)
        stderr.flush()
    try:
        with line_ended_if_cut_off(interactive, stderr):
            line = stdin.readline()
    except OSError:
        line = ""
    if not line:
        if interactive:
            stderr.write("\n")
        return None
    return line


def ask_pain(question: str, stdin: TextIO, stderr: TextIO) -> tuple[int | None, bool]:
    """Read one line, 0-10 or empty to skip. Returns (rating, input still open).

    At the end of input nothing is asked. On a terminal a bad answer is asked again; from a
    pipe it is reported and skipped, so the next line is not taken for another answer. An input
    that cannot be read at all (``nohup`` gives a write-only /dev/null) counts as ended, and a
    terminal is not asked when the question cannot reach it.
    """
    interactive = stdin.isatty()
    if interactive and not stderr.isatty():
        return None, False  # the question would not be seen, and the session would wait on it
    while True:
        line = _answer(f"{question} (0-10, Enter to skip): ", interactive, stdin, stderr)
        if line is None:
            return None, False
        answer = line.strip()
        if not answer:
            return None, True
        if answer.isdigit() and 0 <= int(answer) <= 10:
            return int(answer), True
        stderr.write(f"Pain is a number from 0 to 10 (got {answer!r}).\n")
        if not interactive:
            return None, True


def ask_marks(steps: Sequence[str], stdin: TextIO, stderr: TextIO) -> tuple[tuple[int, ...], bool]:
    """Ask which steps hurt or were too hard, as `ask_pain` asks: their numbers on one line
    ("2 4"), or empty for none. Returns (the steps, from 0; input still open)."""
    interactive = stdin.isatty()
    if interactive and not stderr.isatty():
        return (), False
    if interactive:
        listed = " · ".join(f"{n} {one_line(name)}" for n, name in enumerate(steps, 1))
        stderr.write(f"Steps: {listed}\n")
    question = "Did a step hurt, or was it too hard? Its numbers, or Enter for none: "
    while True:
        line = _answer(question, interactive, stdin, stderr)
        if line is None:
            return (), False
        words = line.replace(",", " ").split()
        if all(w.isdigit() and 1 <= int(w) <= len(steps) for w in words):
            return tuple(sorted({int(w) - 1 for w in words})), True
        stderr.write(f"Give step numbers from 1 to {len(steps)} (got {line.strip()!r}).\n")
        if not interactive:
            return (), True


def fitted(text: str, stream: TextIO, indent: str = "") -> str:
    """``text`` wrapped at words to the width of the terminal ``stream`` is (an item of a list,
    "- ", goes on under its words; ``indent`` before every other line's following lines); as
    it is when ``stream`` is a pipe or a file, whose reader wraps as it will."""
    try:
        if not stream.isatty():
            return text
        columns = os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return text
    if columns <= 0:  # a terminal that does not say its size (a pty no one sized)
        return text
    width = columns - 1
    import textwrap

    fitted = []
    for line in text.split("\n"):
        words = line.lstrip(" ")
        under = " " * (len(line) - len(words) + 2) if words.startswith("- ") else indent
        fitted.append(
            textwrap.fill(
                line,
                max(width, 20),
                subsequent_indent=under,
                break_long_words=False,
                break_on_hyphens=False,
            )
            if line
            else ""
        )
    return "\n".join(fitted)


class PlainRunner:
    """Runs one session and writes its lines; the clock and sleep are injectable for tests."""

    def __init__(
        self,
        session: Session,
        *,
        title: str,
        level: Level | None = None,
        caution: str | None = None,
        bell: bool = True,
        notice: str | None = None,
        resume: Resumption | None = None,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        sleep: Callable[[float], None] = time.sleep,
        recorder: Recorder | None = None,
        steps: Sequence[str] = (),
    ) -> None:
        self.session = session
        self.steps = steps
        """The program's steps by name, for the person to mark one that hurt."""
        self.clock: Clock = session.clock
        self.title = title
        self.level = level or Level(session.timeline.level)
        """The level it runs at, as the program's history has it (eased, say)."""
        self.caution = caution
        self.notice = notice
        """Shown first, and waited for (Enter) on a terminal: the safety notice, the first
        time."""
        self.resume = resume
        """Where a session stopped early is taken up again; None: from the start."""
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.bell = bell
        self.bell_to: TextIO | None = None
        """Where the bell rings at each phase, as `run` finds the streams: None for none."""
        self.sleep = sleep
        self.recorder: Recorder = recorder or NullRecorder()

    def say(self, text: str) -> None:
        self.stderr.write(fitted(text, self.stderr) + "\n")
        self.stderr.flush()

    def announce(self, index: int, at: float | None = None) -> None:
        """The line for the phase at ``index``, from its start — or from ``at``, part way
        through it (a session taken up again), with the time left in it as a count starts
        from it (whole seconds: the engine's position is no time to show)."""
        session = self.session
        start = session.starts[index] if at is None else at
        seconds = session.starts[index] + session.durations[index] - start
        if start > session.starts[index] + 1e-6:  # part way: the program's length no more
            seconds = count_from(seconds)
        self.write_line(clock_text(start), phase_sentence(session.phases, index, seconds))

    def announce_get_ready(self, index: int) -> None:
        """The line for the get-ready before a session taken up again goes on in the phase at
        ``index``."""
        session = self.session
        assert session.get_ready is not None and session.resumed_at is not None
        sentence = resumed_get_ready_sentence(session.get_ready, session.phases, index)
        self.write_line(clock_text(session.resumed_at), sentence)

    def write_line(self, at: str, sentence: str) -> None:
        """``0:15  Hold Knee to chest, 20 s.``, its sentence wrapped under itself on a
        terminal."""
        if self.bell_to is not None:
            ring_bell(self.bell_to)
        self.stdout.write(fitted(f"{at}  {sentence}", self.stdout, " " * (len(at) + 2)) + "\n")
        self.stdout.flush()

    def run(self) -> Outcome:
        session = self.session
        timeline = session.timeline
        self.bell_to = bell_stream(self.stdout, self.stderr) if self.bell else None
        with signals_interrupt():
            try:
                if self.notice:
                    self.say(self.notice)
                    if self.stdin.isatty():
                        self.stderr.write("Press Enter to go on. ")
                        self.stderr.flush()
                        with line_ended_if_cut_off(True, self.stderr):
                            self.stdin.readline()
                length = seconds_text(timeline.total_seconds)
                self.say(f"{self.title} · {self.level} · {length}")
                if self.caution:
                    self.say(f"Caution: {self.caution}")
                if self.resume is None:
                    pain_before, input_open = ask_pain("Pain now", self.stdin, self.stderr)
                else:
                    at = clock_text(self.resume.at)
                    self.say(f"Taking it up again at {at} of {clock_text(timeline.total_seconds)}.")
                    pain_before, input_open = self.resume.pain_before, True
                    if pain_before is None:  # not given before it stopped: asked now
                        pain_before, input_open = ask_pain("Pain now", self.stdin, self.stderr)
            except (KeyboardInterrupt, Interrupted, OSError) as e:
                if isinstance(e, OSError):
                    status = self._output_failed(e, "the session did not start")
                    return Outcome(session, None, None, status)
                return Outcome(session, None, None, _exit_status(e))
            try:
                if self.resume is None:
                    session.start()
                else:
                    session.start(at=self.resume.at, done_before=self.resume.done)
                state = session.state_at()
                # The person first; the history's write can take a moment.
                if state.resuming:
                    self.announce_get_ready(state.index)
                else:
                    self.announce(state.index, None if self.resume is None else state.elapsed)
                self.recorder.started(session, pain_before)
                self._count(announced=state.index, getting_ready=state.resuming)
            except (KeyboardInterrupt, Interrupted, OSError) as e:
                session.stop()
                self.recorder.sync(session)
                if isinstance(e, OSError):
                    stopped = f"the session stopped at {clock_text(session.position())}"
                    return Outcome(session, pain_before, None, self._output_failed(e, stopped))
                return Outcome(session, pain_before, None, _exit_status(e))
            pain_after = None
            marks: tuple[int, ...] = ()
            try:
                ended = finished(session)
                self.say(f"Session complete: {done_text(ended.done, ended.planned)}.")
                if why_not := counting_text(ended.finished, ended.done, ended.planned):
                    self.say(why_not)
                if input_open:
                    pain_after, input_open = ask_pain(
                        "Pain now, after the session", self.stdin, self.stderr
                    )
                if input_open and self.steps:
                    marks, _ = ask_marks(self.steps, self.stdin, self.stderr)
            except (KeyboardInterrupt, Interrupted, OSError) as e:
                if isinstance(e, OSError):
                    status = self._output_failed(e, "the session is recorded")
                    return Outcome(session, pain_before, None, status)
                return Outcome(session, pain_before, None, _exit_status(e))
            self.recorder.rated(pain_before, pain_after, None, marks)
            return Outcome(session, pain_before, pain_after, exits.OK)

    def _output_failed(self, error: OSError, then: str) -> int:
        """Say, on stderr if it can still be written, that the session's lines can no longer be
        written and what became of the session; the exit status for it."""
        if isinstance(error, BrokenPipeError):
            # Its reader went away (``| head``): as a shell reports a process SIGPIPE ended.
            said, status = "the output was closed", exits.signalled(signal.SIGPIPE)
        else:  # a full disk (``> /dev/full``), a terminal gone (EIO)
            said, status = f"cannot write the output: {error.strerror or error}", exits.INVALID
        with suppress(OSError):  # stderr may be that same closed pipe
            self.stderr.write(f"spasmtimer: {said}; {then}.\n")
            self.stderr.flush()
        return status

    def _count(self, announced: int, getting_ready: bool = False) -> None:
        """Announce each phase as it starts, sleeping until the next boundary in between, or for
        `SYNC_SECONDS` at most, so that the record keeps up within a long phase.

        A wake-up later than a whole phase (a loaded machine, phases of 10 ms) still announces
        every phase it passed, each with its own start time. ``getting_ready``: the get-ready
        of a session taken up again is announced, and then comes the rest of the phase at
        ``announced``.
        """
        while True:
            state = self.session.state_at()
            if getting_ready and not state.resuming and not state.done:
                self.announce(announced, self.session.resumed_at)
                getting_ready = False
            last = state.index if state.status is Status.RUNNING else len(self.session.phases) - 1
            if not getting_ready:
                for index in range(announced + 1, last + 1):
                    self.announce(index)
                announced = last
            self.recorder.sync(self.session)
            wake = self.session.next_change()
            if wake is None:
                return
            self.sleep(min(max(0.0, wake - self.clock()), SYNC_SECONDS))


def _exit_status(error: BaseException) -> int:
    if isinstance(error, Interrupted):
        return exits.signalled(error.signum)
    return exits.INTERRUPTED
