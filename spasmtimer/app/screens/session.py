"""The session screen: what to do now, in large digits, and what comes next.

It renders `Session.state_at(clock())` and forwards keys to the session; it computes nothing
about time itself. Between two redraws it sleeps until the next moment something visible
changes: the next whole second of the countdown, the next cue, or — only while breathing — the
next step of the breathing visual.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from spasmtimer.app.cues import Signals
from spasmtimer.app.figure import FigureView, Stage
from spasmtimer.app.messages import SessionOutcome
from spasmtimer.app.terminal_cues import BackgroundCues
from spasmtimer.app.widgets import Bar, BigClock, BreathBar, Line, plain
from spasmtimer.program.figures.pose import Figure
from spasmtimer.session.display import (
    BREATH_FRAME,
    SessionOutline,
    background_title,
    clock_text,
    figure_frame,
    next_figure_frame_in,
    notification,
    session_view,
    to_next_whole_second,
)
from spasmtimer.session.engine import Cue, Recorder, Resumption, Session, State, Status
from spasmtimer.session.levels import Level

BAR_WIDTH = 60
"""Progress bars stop growing here: a wider bar would only cost more bytes per redraw."""
PAUSED_WORD_STYLE = "$text on $warning"
"""The phase word while paused: its own cells marked, as the header's row is (app.tcss)."""
LOOKS_OF_KIND = {"inhale": "breath", "pause": "breath", "exhale": "breath", "pause_out": "breath"}
"""Kinds of phase drawn alike (one class, `-kind-breath`): a breath's parts differ in words."""


def kind_class(kind: str) -> str:
    """The session screen's class while a phase of ``kind`` runs (see app.tcss)."""
    return f"-kind-{LOOKS_OF_KIND.get(kind, kind)}"


class ConfirmStop(ModalScreen[bool]):
    """Asks before stopping: y or a second q stops, Esc carries on."""

    BINDINGS = [
        Binding("y,q", "dismiss(True)", "Stop"),
        Binding("escape,n", "dismiss(False)", "Carry on"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Stop the session?"
            yield Static("[b]y[/] or [b]q[/] stop  ·  [b]Esc[/] carry on")
        yield Footer()  # this dialog's keys, not those of the session behind it


class CautionScreen(ModalScreen[bool]):
    """A program's caution, shown before it starts; the count begins on Enter."""

    BINDINGS = [
        Binding("enter", "dismiss(True)", "Start"),
        Binding("escape", "dismiss(False)", "Back"),
    ]

    def __init__(self, caution: str) -> None:
        super().__init__()
        self.caution = caution

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Before you start"
            box.border_subtitle = "Enter start · Esc back"
            yield Static(plain(self.caution), id="caution-text")
        yield Footer()


class ResumeScreen(ModalScreen[bool | None]):
    """A session of this program stopped early: take it up again where it got to, or start
    over (Esc: neither, back)."""

    BINDINGS = [
        Binding("enter", "dismiss(True)", "Resume"),
        Binding("r", "dismiss(False)", "Start over"),
        Binding("escape", "dismiss(None)", "Back"),
    ]

    def __init__(self, title: str, at: float, of: float) -> None:
        super().__init__()
        self.question = f"Resume {title} at {clock_text(at)} of {clock_text(of)}?"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = "Stopped early"
            box.border_subtitle = "Enter resume · r start over"
            yield Static(plain(self.question), id="resume-question")
        yield Footer()


class SessionScreen(Screen[SessionOutcome]):
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("n,right", "skip", "Next"),
        Binding("p,left", "back", "Back"),
        Binding("plus,equals_sign", "adjust(5)", "+5 s"),
        Binding("minus,underscore", "adjust(-5)", "-5 s"),
        Binding("q", "stop", "Stop"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        title: str,
        level: Level,
        caution: str | None,
        recorder: Recorder,
        signals: Signals,
        background: BackgroundCues,
        resume: Resumption | None = None,
        figures: Sequence[Figure] = (),
    ) -> None:
        super().__init__(classes=self._first_classes(session, resume))
        self.session = session
        self.background = background
        self.resume = resume
        """Where the session is taken up again; None: from its start."""
        self.title_text = title
        self.level = level
        self.caution = caution
        self.recorder = recorder
        self.signals = signals
        self.pain_before: int | None = resume.pain_before if resume else None
        self._pain_typed = ""
        self._timer: Timer | None = None
        self._finished = False
        self._shown = False
        self.outline = SessionOutline(session.phases)
        self.figures = figures
        """The figures the program's steps name."""

    def _first_classes(self, session: Session, resume: Resumption | None) -> str:
        """The classes the screen will have once drawn: the first phase's kind, and the
        height's breakpoint. Given from the start, the screen is styled once; added after
        it is mounted, each restyled the whole screen again before its first frame."""
        # A session taken up again first gets ready (see `Session.start`).
        kind = "prepare" if resume and resume.at > 0 else session.phase_at(0).kind
        classes = [kind_class(kind)]
        try:
            height = self.app.size.height
        except RuntimeError:  # Textual's NoActiveAppError: made outside an app (a test)
            return " ".join(classes)
        reached = [(at, name) for at, name in self.VERTICAL_BREAKPOINTS if height >= at]
        if reached:
            classes.append(max(reached)[1])  # as Screen._on_resize chooses it
        return " ".join(classes)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._shown:
            # Shown for the first time, straight after its mount styled every widget with
            # the classes it was made with: Textual's restyle of the whole screen on resume
            # (which runs after this handler) would only work them all out again, just
            # before the first frame. Later resumes, after a dialog, restyle as usual.
            self._shown = True
            event.refresh_styles = False

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # Kept as attributes: they are redrawn every second, without a DOM query each time.
        self.header = Line(id="header")
        self.step = Line(id="step")
        self.detail = Line(id="detail")
        self.digits = BigClock(id="clock")
        self.figure = FigureView(self.figures, id="figure")
        self.stage = Stage(self.digits, self.figure, id="stage")
        self.word = Line(id="phase")
        self.breath = BreathBar(id="breath")
        self.cue = Line(id="cue")
        self.pain = Line(id="pain")
        self.step_bar = Bar(id="step-progress")
        self.session_bar = Bar(id="session-progress")
        self.next = Line(id="next")
        yield self.header
        with Vertical(id="main"):
            # The lines centre their own text (a new word repaints only its cells); the
            # breath bar, a fixed width, is centred by its row.
            yield self.step
            yield self.detail
            yield self.stage
            yield self.word
            with Center(id="breath-row"):
                yield self.breath
            yield self.cue
            yield self.pain
        yield self.step_bar
        yield self.session_bar
        yield self.next
        yield Footer()

    def on_mount(self) -> None:
        self.header.text = f"{self.title_text} · {self.level}"
        if self.caution:
            self.app.push_screen(CautionScreen(self.caution), self._after_caution)
        else:
            self.begin()

    def _after_caution(self, start: bool | None) -> None:
        if start:
            self.begin()
        else:
            self.dismiss(SessionOutcome(self.session, self.level, None))

    def begin(self) -> None:
        self.background.start()
        if self.resume is None:
            self.session.start()
        else:
            self.session.start(at=self.resume.at, done_before=self.resume.done)
        self.recorder.started(self.session, self.pain_before)
        self.tick()

    def on_unmount(self) -> None:
        # However the app goes (an error, an exit from elsewhere), the title is given back.
        self.background.stop()

    def on_resize(self, event: events.Resize) -> None:
        if self.session.started_at is not None:
            self.tick()

    # -- the clock -----------------------------------------------------------------------------
    def tick(self) -> None:
        """Redraw from the session's state now, give due cues, and sleep until the next change."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._finished:
            return
        state = self.session.state_at()
        for cue in self.session.due_cues():
            self.give(cue)
        self.recorder.sync(self.session)  # how far it got: at least every second (see SYNC_SECONDS)
        self.render_state(state)
        if state.done:
            self.finish()
            return
        delay = self._next_redraw(state)
        if delay is not None:
            self._timer = self.set_timer(delay, self.tick)

    def _next_redraw(self, state: State) -> float | None:
        if state.status is not Status.RUNNING:
            return None  # paused: nothing on screen moves
        waits = [to_next_whole_second(state.phase_remaining)]
        cue = self.session.next_cue_in(waits[0])
        if cue is not None and cue > 0:
            waits.append(cue)
        if state.breath is not None and state.breath.part in ("inhale", "exhale"):
            # Breathing frames on a grid from the phase's start, so that they fall together
            # with the countdown's whole seconds rather than between them.
            waits.append(BREATH_FRAME - (state.phase_elapsed % BREATH_FRAME))
        if self.figure.display and (frame := next_figure_frame_in(state)) is not None:
            waits.append(frame)
        return max(0.001, min(waits)) + 0.001

    def give(self, cue: Cue) -> None:
        note = notification(cue, self.session, self.outline)
        if note is not None:
            self.background.notify(*note)
        if self.signals.give(cue):
            # The flash is the phase word's line only: a bell for the eyes that costs a line
            # on the wire, not the whole clock.
            self.word.flash_once()

    # -- drawing -------------------------------------------------------------------------------
    def render_state(self, state: State) -> None:
        view = session_view(
            self.session,
            self.outline,
            state,
            title=self.title_text,
            level=self.level,
            pain_before=self.pain_before,
        )
        if view.paused != self.has_class("-paused"):
            self.set_class(view.paused, "-paused")
        self.header.text = view.header
        self.step.text = view.step
        self.detail.text = view.detail
        self.digits.value = view.countdown
        self.figure.frame = figure_frame(state)
        kind = kind_class(state.phase.kind)
        if not self.has_class(kind):
            # The clock and the word take the colour of the kind of phase (see app.tcss). A
            # new class restyles — and repaints — the whole clock: only when the colour changes.
            self.remove_class(*(c for c in self.classes if c.startswith("-kind-")))
            self.add_class(kind)
        self.word.text = view.word
        self.word.highlight = PAUSED_WORD_STYLE if view.paused else ""
        self.breath.show(state.breath)
        self.cue.text = view.cue
        self.pain.text = view.pain
        width = min(BAR_WIDTH, max(20, self.size.width - 4))
        self.step_bar.set_progress(view.step_done, view.step_label, width)
        self.session_bar.set_progress(view.session_done, view.session_label, width)
        self.next.text = view.next
        self.background.show(background_title(view), view.session_done)

    # -- keys ----------------------------------------------------------------------------------
    def _live(self) -> bool:
        return self.session.started_at is not None and not self.session.state_at().done

    def action_toggle_pause(self) -> None:
        if self._live():
            self.session.toggle_pause()
            self.recorder.sync(self.session)
            self.tick()

    def action_skip(self) -> None:
        if self._live():
            self.session.skip()
            self.recorder.sync(self.session)
            self.tick()

    def action_back(self) -> None:
        if self._live():
            self.session.back()
            self.recorder.sync(self.session)
            self.tick()

    def action_adjust(self, seconds: float) -> None:
        if self._live():
            self.session.adjust(seconds)
            self.recorder.sync(self.session)
            self.tick()

    def action_stop(self) -> None:
        if self._live():
            self.app.push_screen(ConfirmStop(), self._after_confirm)

    def _after_confirm(self, stop: bool | None) -> None:
        if stop:
            self.stop()

    def stop(self, *, interrupted: bool = False) -> None:
        """End the session now (q confirmed, Ctrl-C, or a signal)."""
        if self.session.started_at is not None:
            self.session.stop()
        self.finish(interrupted=interrupted)

    def action_help(self) -> None:
        from spasmtimer.app.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def on_key(self, event: events.Key) -> None:
        """Digits during get-ready record the pain before, without stopping the count."""
        if event.character is None or not event.character.isdigit():
            return
        if self.session.state_at().phase.kind != "prepare":
            return
        typed = self._pain_typed + event.character
        self._pain_typed = typed if typed == "10" else event.character
        self.pain_before = int(self._pain_typed)
        event.stop()
        if self.session.started_at is not None:
            self.recorder.rated_before(self.session, self.pain_before)
        self.tick()

    def finish(self, *, interrupted: bool = False) -> None:
        if self._finished:
            return
        self._finished = True
        if self._timer is not None:
            self._timer.stop()
        self.background.stop()
        self.recorder.sync(self.session)
        self.dismiss(SessionOutcome(self.session, self.level, self.pain_before, interrupted))
