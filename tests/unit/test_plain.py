"""The plain runner: one line per phase, pain on stdin, exact timing, clean stops on signals."""

from __future__ import annotations

import io
import itertools
import sys
from pathlib import Path

import pytest

from spasmtimer.cli.plain import PlainRunner
from spasmtimer.program.loader import load_program
from spasmtimer.program.timeline import expand
from spasmtimer.session.engine import SYNC_SECONDS, Resumption, Session, Status
from spasmtimer.session.levels import Level
from tests.support import FakeClock, quick_program

DATA = Path(__file__).parents[1] / "data"


class Tape(io.StringIO):
    """A text stream that says whether it is a terminal."""

    def __init__(self, text: str = "", tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Log:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []
        self.synced_at: list[float] = []
        """The session's position at each sync while it ran."""

    def started(self, session: Session, pain_before: int | None) -> None:
        self.calls.append(("started", pain_before))

    def rated_before(self, session: Session, pain_before: int) -> None:
        self.calls.append(("rated_before", pain_before))

    def sync(self, session: Session) -> None:
        self.calls.append(("sync", session.status()))
        if session.status() is Status.RUNNING:
            self.synced_at.append(session.position())

    def rated(
        self,
        pain_before: int | None,
        pain_after: int | None,
        notes: str | None,
        marks: tuple[int, ...] = (),
    ) -> None:
        self.calls.append(("rated", pain_after))
        self.marks = marks


def runner(
    clock: FakeClock,
    stdin: str = "",
    *,
    program: str = "spec-example.toml",
    tty_out: bool = False,
    sleep=None,
    **kw,
) -> tuple[PlainRunner, Tape, Tape, Log]:
    timeline = expand(load_program(DATA / "valid" / program), 0)
    out, err, log = Tape(tty=tty_out), Tape(), Log()
    r = PlainRunner(
        Session(timeline, clock),
        title="Test",
        stdin=Tape(stdin),
        stdout=out,
        stderr=err,
        sleep=sleep or clock.advance,
        recorder=log,
        **kw,
    )
    return r, out, err, log


def test_one_line_per_phase_and_pain_before_and_after(clock: FakeClock) -> None:
    r, out, err, log = runner(clock, "3\n2\n", caution="Stop if it hurts.")
    outcome = r.run()
    lines = out.getvalue().splitlines()
    assert len(lines) == len(r.session.phases) == 44
    assert lines[0] == "0:00  Get ready, 5 s. Next: Deep breathing 5-1-3."
    assert lines[1] == (
        "0:05  Deep breathing 5-1-3, cycle 1 of 8: breathe in, 5 s. "
        "Picture a tight knot unravelling as you breathe in."
    )
    assert lines[26] == (
        "1:39  Seated hamstring stretch, left leg, rep 1 of 3: hold, 20 s. "
        "Sit on the edge of the bed, one leg along it. Lean forward gently."
    )
    assert lines[27] == "1:59  Seated hamstring stretch: switch to right leg, 5 s."
    assert lines[-1] == "4:59  Breathing, cycle 2 of 2: breathe out, 3 s."
    assert (outcome.exit_status, outcome.pain_before, outcome.pain_after) == (0, 3, 2)
    assert "Caution: Stop if it hurts." in err.getvalue()
    assert "\a" not in out.getvalue()
    # The record keeps up within phases: at least once a second of the session.
    gaps = [b - a for a, b in itertools.pairwise([0.0, *log.synced_at, r.session.total])]
    assert max(gaps) <= SYNC_SECONDS + 1e-9
    heartbeats = [c for c in log.calls if c == ("sync", Status.RUNNING)]
    assert [c for c in log.calls if c not in heartbeats] == [
        ("started", 3),
        ("sync", Status.FINISHED),
        ("rated", 2),
    ]


def test_a_phase_taken_up_part_way_says_its_time_in_whole_seconds(clock: FakeClock) -> None:
    """Issue: ``run --plain --resume`` printed the engine's position: "hold, 0.270623 s."."""
    at = 99 + 20 - 0.270623  # 0.270623 s before the end of the first hold
    r, out, _, _ = runner(clock, resume=Resumption(at, at, None))
    r.run()
    [resumed] = [line for line in out.getvalue().splitlines() if "left leg, rep 1 of 3: hold" in line]
    assert resumed == (
        "1:58  Seated hamstring stretch, left leg, rep 1 of 3: hold, 1 s. "
        "Sit on the edge of the bed, one leg along it. Lean forward gently."
    )


def test_the_header_says_the_level_as_it_was_eased(clock: FakeClock) -> None:
    """Issue: the --plain header said "level 3" where plan and the app said it was eased."""
    r, _, err, _ = runner(clock, level=Level(3, eased_from=4, idle_days=12))
    r.run()
    assert err.getvalue().splitlines()[0] == (
        "Test · level 3, eased from 4 after 12 days · 5 min 2 s"
    )


def test_the_session_ends_exactly_on_time(clock: FakeClock) -> None:
    r, _, _, _ = runner(clock)
    start = clock.now
    r.run()
    assert r.session.ended_at() == start + 302
    assert clock.now == pytest.approx(start + 302)


def test_late_wake_ups_do_not_add_up(clock: FakeClock) -> None:
    # Every sleep oversleeps by 30 ms: the session still ends on time, and every phase is announced.
    r, out, _, _ = runner(clock, sleep=lambda s: clock.advance(s + 0.03))
    start = clock.now
    r.run()
    assert r.session.ended_at() == pytest.approx(start + 302)
    assert len(out.getvalue().splitlines()) == 44


def test_at_end_of_input_nothing_is_asked(clock: FakeClock) -> None:
    r, _, err, log = runner(clock, "")
    outcome = r.run()
    assert (outcome.pain_before, outcome.pain_after, outcome.exit_status) == (None, None, 0)
    assert "(0-10" not in err.getvalue()  # no prompts written to a pipe
    assert log.calls[-1] == ("rated", None)


def test_empty_lines_skip_and_bad_answers_from_a_pipe_are_skipped(clock: FakeClock) -> None:
    r, _, err, _ = runner(clock, "\nlots\n")
    outcome = r.run()
    assert (outcome.pain_before, outcome.pain_after) == (None, None)
    assert "Pain is a number from 0 to 10 (got 'lots')" in err.getvalue()


class CtrlC(Tape):
    """A terminal's input on which the person presses Ctrl-C instead of answering."""

    def readline(self, size: int | None = -1, /) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


@pytest.mark.parametrize("notice", [None, "When to see a doctor."])
def test_ctrl_c_at_a_prompt_ends_its_line(clock: FakeClock, notice: str | None) -> None:
    """Issue: Ctrl-C at the pain prompt left the shell's prompt on the same line."""
    r, _, err, _ = runner(clock, notice=notice)
    r.stdin = CtrlC(tty=True)
    err.tty = True
    outcome = r.run()
    assert outcome.exit_status == 130
    prompt = "Press Enter to go on. " if notice else "Pain now (0-10, Enter to skip): "
    assert err.getvalue().endswith(prompt + "\n")


def test_a_terminal_is_asked_again(clock: FakeClock) -> None:
    r, _, err, _ = runner(clock, "11\n4\n\n")
    r.stdin.tty = err.tty = True  # type: ignore[union-attr]
    outcome = r.run()
    assert (outcome.pain_before, outcome.pain_after) == (4, None)
    assert err.getvalue().count("Pain now (0-10, Enter to skip): ") == 2


def test_a_terminal_is_not_asked_what_it_cannot_see(clock: FakeClock) -> None:
    # `run --plain 2>log`: the question would go to the log, and the session wait on it.
    r, _, err, log = runner(clock, "4\n")
    r.stdin.tty = True  # type: ignore[union-attr]
    outcome = r.run()
    assert (outcome.pain_before, outcome.pain_after) == (None, None)
    assert "Pain now" not in err.getvalue()
    assert ("started", None) in log.calls and outcome.exit_status == 0


def test_bell_only_on_a_terminal_and_not_with_no_bell(clock: FakeClock) -> None:
    r, out, _, _ = runner(clock, tty_out=True)
    r.run()
    assert out.getvalue().count("\a") == 44
    r, out, _, _ = runner(FakeClock(), tty_out=True, bell=False)
    r.run()
    assert "\a" not in out.getvalue()


def test_piped_the_bell_rings_on_stderr_when_that_is_a_terminal(clock: FakeClock) -> None:
    """Issue: `run --plain | cat` rang no bell, though stderr was still the terminal."""
    r, out, err, _ = runner(clock)
    err.tty = True
    r.run()
    assert "\a" not in out.getvalue()  # the lines stay clean for the pipe
    assert err.getvalue().count("\a") == 44
    r, out, err, _ = runner(FakeClock())  # neither a terminal: no bell anywhere
    r.run()
    assert "\a" not in out.getvalue() + err.getvalue()


def test_ctrl_c_stops_and_records(clock: FakeClock) -> None:
    def sleep(seconds: float) -> None:
        clock.advance(seconds)
        if clock.now > 1100:
            raise KeyboardInterrupt

    r, _, _, log = runner(clock, "5\n", sleep=sleep)
    outcome = r.run()
    assert outcome.exit_status == 130
    assert r.session.state_at().status is Status.STOPPED
    assert log.calls[0] == ("started", 5)
    assert log.calls[-1] == ("sync", Status.STOPPED)


# --- real processes -----------------------------------------------------------------------





# --- the safety notice, the first time ----------------------------------------------------


def test_the_notice_goes_to_stderr_without_waiting_when_stdin_is_not_a_terminal(
    clock: FakeClock,
) -> None:
    r, out, err, _ = runner(clock, "3\n2\n", notice="When to see a doctor instead")
    outcome = r.run()
    assert err.getvalue().startswith("When to see a doctor instead\n")
    assert "Press Enter" not in err.getvalue()
    assert "When to see" not in out.getvalue()
    assert (outcome.pain_before, outcome.pain_after) == (3, 2)  # no line taken for Enter


def test_on_a_terminal_the_notice_waits_for_enter(clock: FakeClock) -> None:
    r, _, err, _ = runner(clock, "\n3\n2\n", notice="When to see a doctor instead")
    r.stdin.tty = err.tty = True  # type: ignore[union-attr]
    outcome = r.run()
    assert "Press Enter to go on." in err.getvalue()
    assert (outcome.pain_before, outcome.pain_after) == (3, 2)


def test_plain_shows_the_notice_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from spasmtimer.cli import entry as cli
    from spasmtimer.session import safety

    program = quick_program(tmp_path, seconds=0.01)
    for first in (True, False):
        monkeypatch.setattr(sys, "stdin", io.StringIO())
        assert cli.main(["run", str(program), "--plain"]) == 0
        err = capsys.readouterr().err
        assert ("When to see a doctor instead" in err) is first
        assert safety.seen()


def test_on_a_terminal_lines_are_wrapped_at_words_under_themselves() -> None:
    import fcntl
    import os
    import struct
    import termios

    from spasmtimer.cli.plain import fitted

    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    with os.fdopen(follower, "w") as terminal:
        line = "0:05  Slow breathing, cycle 1 of 4: breathe in, 5 s. Sit back, feet flat."
        assert fitted(line, terminal, " " * 6).splitlines() == [
            "0:05  Slow breathing, cycle 1 of 4:",
            "      breathe in, 5 s. Sit back, feet",
            "      flat.",
        ]
        item = "  - In the first day or two of a spasm the back is easily hurt again"
        assert fitted(item, terminal).splitlines()[1].startswith("    ")
        # To a pipe or a file, as it is: its reader wraps as it will.
        assert fitted(line, io.StringIO()) == line
    os.close(leader)
