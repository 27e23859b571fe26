"""The Textual app: the library, the session screen and their neighbours.

The app owns what outlives a screen — settings, the clock, the recorder, the bell — and moves
between screens. Everything about time comes from the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
from textual import on
from textual.app import App, SuspendNotSupported
from textual.binding import Binding
from textual.notifications import SeverityLevel

from spasmtimer.app import terminal_cues, textual_output
from spasmtimer.app.cues import Signals, Speaker, speech_command
from spasmtimer.app.kept_css import KeptCSS
from spasmtimer.app.messages import (
    EditProgram,
    OpenSettings,
    PreviewProgram,
    RunProgram,
    SessionOutcome,
    ShowHistory,
)
from spasmtimer.app.screens.session import ResumeScreen, SessionScreen
from spasmtimer.app.terminal_cues import BackgroundCues
from spasmtimer.base import exits, locations, startup
from spasmtimer.base.clocks import Clock, utc_now
from spasmtimer.base.text import printable
from spasmtimer.history.records import SessionRecord
from spasmtimer.history.service import HistoryService, NoHistory, resumption
from spasmtimer.program.timeline import LimitError, Timeline, expand
from spasmtimer.session import library, safety
from spasmtimer.session.engine import Recorder, Session
from spasmtimer.session.levels import Level
from spasmtimer.session.library import FilesStamp, Item
from spasmtimer.session.settings import Settings, save_settings

if TYPE_CHECKING:
    from spasmtimer.app.screens.remind import Remind, RemindScreen
    from spasmtimer.app.screens.summary import Ratings
    from spasmtimer.base.clocks import Now

# The screens a session does not open are imported when they are first shown: the history's
# (with the trends) alone costs a `run` some 30 ms before its first frame.

AUTO_THEME = "auto"
BELL_SPACING = 0.25
"""Seconds between the bells of one pattern, so terminals do not merge them into one."""
BREAK_BELLS = 2
"""Bells when a break falls due: more than a phase's one, fewer than a session's end."""
ENDING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals that end a session as Ctrl-C does, keeping its record."""


@contextlib.contextmanager
def drawing_on_the_terminal() -> Iterator[None]:
    """Textual draws on stderr. With stderr sent elsewhere (``2>errors.log``) and stdout the
    terminal, the screen went to the file and the terminal stayed blank: while the app runs,
    stderr is the terminal, and it is given back after."""
    if os.environ.get("TEXTUAL_DRIVER") or os.isatty(2) or not os.isatty(1):
        yield
        return
    redirected = os.dup(2)
    try:
        os.dup2(1, 2)
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os.dup2(redirected, 2)
        os.close(redirected)


class SpasmtimerApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "spasmtimer"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+c", "interrupt", "Stop and quit", priority=True, show=False)]

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        notices: list[str] | None = None,
        run: tuple[Item, Timeline] | None = None,
        remind: Remind | None = None,
        history: HistoryService | None = None,
        clock: Clock = time.monotonic,
        wall: Now = utc_now,
        bell: bool = True,
        notify: bool = False,
        resume: bool = False,
        safety_marker: Path | None = None,
        environ: Mapping[str, str] | None = None,
        terminal_out: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        textual_output.install()  # fewer bytes per update: see there
        self.settings = settings or Settings()
        self.notices = list(notices or [])
        self.run_only = run
        """The one session to run (``spasmtimer run``), after which the app exits."""
        self.remind = remind
        """Break reminders (``spasmtimer remind``): the app waits for breaks, not the library."""
        self.history: HistoryService = history or NoHistory()
        self.clock = clock
        self.wall = wall
        """The wall clock, by which break reminders read their hours and the history."""
        self.bell_allowed = bell
        self.resume_asked = resume
        """``run --resume``: take a session stopped early up again without asking."""
        self.notify_asked = notify
        """``run --notify``: notifications for this run, whatever the setting says."""
        self.terminal = terminal_cues.detect(os.environ if environ is None else environ)
        self._terminal_out = terminal_out
        self.safety_marker = safety_marker or safety.marker()
        self.speaker = Speaker(speech_command() if self.settings.speech else None)
        self.rung: deque[int] = deque(maxlen=500)
        """The latest bell patterns rung (1, 2 or 3 bells), bounded: sessions last hours."""
        self.held_signals: list[int] = []
        """Signals that came while the app started, before it took them in its own loop."""
        self.ending_signals: tuple[int, ...] = ENDING_SIGNALS
        """The signals that end it: those not ignored when it started (`run_on_terminal`)."""
        self.ending = False
        """Set once the app is stopping for a signal or Ctrl-C: nothing new is opened."""
        self._library_prepare = self.settings.prepare
        """The get-ready time the library's programs were last loaded with."""

    def run_on_terminal(self, finish: Callable[[], None]) -> int:
        """Run the app on the terminal, then ``finish`` (write what it leaves to write); the
        exit status.

        SIGINT, SIGTERM and SIGHUP are held from the start. Until the app takes them in its
        own loop, a SIGINT would reach asyncio's handler, which cancels Textual's main task —
        and Textual takes that for a clean exit, status 0 — and SIGTERM or SIGHUP would kill it
        with the terminal left in the app's modes. They are held again once the loop has
        closed, while ``finish`` writes the history's last changes: bash sends its jobs a
        second SIGHUP as their terminal goes. A signal ignored when the app starts (``nohup``)
        stays ignored. The handlers found are put back at the end.
        """

        def hold(signum: int, frame: object) -> None:
            self.held_signals.append(signum)

        self.ending_signals = tuple(
            signum for signum in ENDING_SIGNALS if signal.getsignal(signum) != signal.SIG_IGN
        )
        found = {signum: signal.signal(signum, hold) for signum in self.ending_signals}
        kept_css = KeptCSS.read()
        kept_css.install(self.stylesheet)  # the CSS parsed last time: 18 ms of the first frame
        try:
            try:
                with drawing_on_the_terminal():
                    self.run()
            finally:
                for signum in self.ending_signals:
                    signal.signal(signum, hold)  # asyncio's loop gave them back as it closed
                finish()
                kept_css.keep()
        finally:
            for signum, handler in found.items():
                signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if self.return_code:
            return self.return_code
        return exits.signalled(self.held_signals[0]) if self.held_signals else exits.OK

    # -- start-up --------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.settings.theme not in (AUTO_THEME, *self.available_themes):
            self.notices.append(f"Unknown theme {self.settings.theme!r}: using the default.")
            self.settings = msgspec.structs.replace(self.settings, theme=AUTO_THEME)
        self.apply_theme()
        for notice in self.notices:
            self.say(notice, severity="warning", timeout=6)
        self._catch_signals()
        self.history.on_warning(self._warn_from_any_thread)
        # Once Textual has finished starting: it writes nothing to the terminal until then, and
        # a screen pushed sooner has its first frame drawn, thrown away, and drawn again some
        # 20 ms after it could have been on the terminal.
        self.call_later(self._open_first_screen)

    def _open_first_screen(self) -> None:
        if self.ending:
            return
        self.call_after_refresh(startup.started)  # the first frame is drawn: collect again
        if self.remind is not None:
            self.push_screen(self.remind_screen(self.remind))
        elif self.run_only is None:
            from spasmtimer.app.screens.library import LibraryScreen

            self.push_screen(LibraryScreen(self.library_items, self.course_due_line))
        if safety.seen(self.safety_marker):
            self._begin()
        else:
            from spasmtimer.app.screens.safety import SafetyScreen

            # The first time, through any path: when to see a doctor comes before anything.
            self.push_screen(SafetyScreen(), self._safety_read)

    def _safety_read(self, _: None) -> None:
        safety.record_seen(self.safety_marker)
        self._begin()

    def _begin(self) -> None:
        if self.run_only is not None:
            self.run_program(*self.run_only)

    def _warn_from_any_thread(self, message: str) -> None:
        """A warning from the history's writer thread, shown without making it wait."""
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: the app has gone
            loop.call_soon_threadsafe(self._warn, message)

    def _warn(self, message: str) -> None:
        self.say(message, severity="warning", timeout=8)

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 5
    ) -> None:
        """A notification whose words may come from outside (a file name, a setting, an
        error): shown as plain text."""
        self.notify(printable(message), severity=severity, timeout=timeout, markup=False)

    def _catch_signals(self) -> None:
        """SIGTERM, SIGHUP from a closed SSH connection, and SIGINT from another program (the
        Ctrl-C key is a key here, not a signal) end a session as Ctrl-C does."""
        try:
            loop = asyncio.get_running_loop()
            for signum in self.ending_signals:
                loop.add_signal_handler(signum, self.interrupt, exits.signalled(signum))
        except (NotImplementedError, RuntimeError, ValueError):
            return  # not the main thread (as under some test runners), or not Unix
        self._resume_only_after_suspend()
        if self.held_signals:
            self.interrupt(exits.signalled(self.held_signals[0]))

    def _resume_only_after_suspend(self) -> None:
        """Textual's driver takes every SIGCONT for a return from Ctrl-Z and starts drawing
        again. But a shell sends its jobs SIGCONT after SIGHUP when their terminal goes (a
        closed tmux pane or SSH connection): drawing on a terminal that is gone, the app hung
        for ever on its way out, holding the history open. Here only a SIGCONT that follows
        the driver's own suspend (it marks it) resumes."""
        driver, resume = self._driver, signal.getsignal(signal.SIGCONT)
        if not callable(resume) or not hasattr(driver, "_must_signal_resume"):
            return  # not Textual's Linux driver as it was checked

        def on_sigcont(signum: int, frame: object) -> None:
            if driver._must_signal_resume:  # type: ignore[union-attr]
                resume(signum, frame)  # type: ignore[arg-type]

        signal.signal(signal.SIGCONT, on_sigcont)
        # The driver suspends (Ctrl-Z, SIGTSTP) from inside a signal handler, wherever the main
        # thread happens to be: under load, now and then in the middle of a write it then waits
        # for, and the app never stopped. From the event loop, it suspends between two steps.
        suspend = signal.getsignal(signal.SIGTSTP)
        if callable(suspend):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTSTP, suspend, signal.SIGTSTP, None
            )

    def apply_theme(self) -> None:
        if self.settings.theme != AUTO_THEME:
            self.theme = self.settings.theme
        elif self.console.color_system == "standard":
            # 16-colour terminals (TERM=screen, linux, vt100): the terminal's own colours rather
            # than the nearest matches to ours, which turn the accent an alarming red.
            self.theme = "ansi-dark"
        else:
            self.theme = "textual-dark"

    def course_due_line(self) -> str | None:
        from spasmtimer.app.course_today import CourseToday

        return CourseToday(self.history, self.wall).due_line()

    def course_after(self, recorder: Recorder, program: str) -> str | None:
        from spasmtimer.app.course_today import CourseToday
        from spasmtimer.history.recording import SessionRecorder

        record = recorder.record if isinstance(recorder, SessionRecorder) else None
        return CourseToday(self.history, self.wall).after(record, program)

    def library_items(self, known: Sequence[Item] = (), stamp: FilesStamp = ()) -> Iterator[Item]:
        """The library's programs as they are loaded (on the library's loading thread): those
        of ``known`` whose files are as ``stamp`` found them as they are, unless the settings
        have changed the get-ready time since."""
        prepare = self.settings.prepare
        if prepare != self._library_prepare:
            known, self._library_prepare = (), prepare
        return library.iter_items(self.history.levels(), prepare, known=known, known_stamp=stamp)

    def remind_screen(self, remind: Remind) -> RemindScreen:
        from spasmtimer.app.screens.remind import RemindScreen
        from spasmtimer.session.reminders import Reminders

        reminders = Reminders(
            remind.every,
            remind.window,
            wall=self.wall,
            clock=self.clock,
            last_session=remind.last_session,
            placed=remind.placed,
        )
        entry = remind.item.entry

        def ring() -> None:
            if self.settings.bell and self.bell_allowed:
                self.ring(BREAK_BELLS)
            if self.settings.speech:
                self.speaker.say("Time for a break")

        return RemindScreen(
            reminders,
            remind.item,
            schedule=remind.times,
            reload=lambda: library.load_item(entry, self.history.level_of, self.settings.prepare),
            ring=ring,
            flash=self.settings.flash,
            cues=BackgroundCues(
                self.write_to_terminal,
                self.terminal,
                self.clock,
                self.set_timer,
                title=False,  # the sessions it starts set the title, and give it back
                notifications=terminal_cues.notifications_for(
                    self.settings.notify, self.terminal, asked=self.notify_asked
                ),
                progress=False,
            ),
        )

    # -- cues --------------------------------------------------------------------------------
    def ring(self, count: int) -> None:
        self.rung.append(count)
        self.bell()
        for n in range(1, count):
            self.set_timer(n * BELL_SPACING, self.bell)

    def write_to_terminal(self, sequence: str) -> None:
        """A sequence for the terminal itself (its title, a notification), between frames."""
        if self._terminal_out is not None:
            self._terminal_out(sequence)
        elif self._driver is not None:
            self._driver.write(sequence)

    def background_cues(self) -> BackgroundCues:
        """Title, notifications and progress for a session, as the settings say now."""
        return BackgroundCues(
            self.write_to_terminal,
            self.terminal,
            self.clock,
            self.set_timer,
            title=self.settings.title,
            notifications=terminal_cues.notifications_for(
                self.settings.notify, self.terminal, asked=self.notify_asked
            ),
            progress=self.settings.progress,
        )

    def signals(self) -> Signals:
        return Signals(
            self.ring,
            bell=self.settings.bell and self.bell_allowed,
            flash=self.settings.flash,
            speaker=self.speaker if self.settings.speech else None,
        )

    # -- sessions ----------------------------------------------------------------------------
    def run_program(self, item: Item, timeline: Timeline | None = None) -> None:
        """Run ``item`` (``timeline`` if given, else the program at its level). If a session of
        it stopped early and can be taken up again, ask first — unless ``run --resume``."""
        stopped = self.history.resumable(item)
        if stopped is None:
            self.start_session(item, timeline)
        elif self.resume_asked:
            self.start_session(item, resuming=stopped)
        else:

            def chosen(resume: bool | None) -> None:
                if resume is None:  # Esc: back, and for `run`, out
                    if self.run_only is not None:
                        self.exit(return_code=0)
                elif resume:
                    self.start_session(item, resuming=stopped)
                else:
                    self.start_session(item, timeline)

            question = ResumeScreen(item.title, stopped.position, stopped.planned_seconds)
            self.push_screen(question, chosen)

    def start_session(
        self,
        item: Item,
        timeline: Timeline | None = None,
        *,
        resuming: SessionRecord | None = None,
    ) -> None:
        """Run a session of ``item``: ``timeline`` if given, else the program at its level (at
        the stopped session's level, when ``resuming`` takes that one up again)."""
        assert item.program is not None
        level_wanted = resuming.level if resuming else item.level.value
        if timeline is None:
            try:
                timeline = expand(item.program, level_wanted, item.level.held)
            except LimitError as e:
                self.say(f"{item.title} cannot run at level {level_wanted}: {e}", severity="error")
                return
        session = Session(timeline, self.clock)
        recorder = self.history.recorder_for(item, timeline, resuming)
        # The item's level, with how it was eased, unless the session runs at another one.
        level = item.level if item.level.value == timeline.level else Level(timeline.level)
        screen = SessionScreen(
            session,
            title=item.title,
            level=level,
            caution=item.program.caution,
            recorder=recorder,
            signals=self.signals(),
            background=self.background_cues(),
            resume=resumption(resuming) if resuming else None,
            figures=item.program.figures,
        )
        self.push_screen(screen, lambda outcome: self._session_over(item, recorder, outcome))

    def _session_over(self, item: Item, recorder: Recorder, outcome: SessionOutcome | None) -> None:
        if outcome is None:
            return
        if outcome.interrupted:
            return  # the app is exiting already
        if outcome.session.started_at is None:  # Esc at the caution: nothing happened
            if self.run_only is not None:
                self.exit(return_code=0)
            return
        from spasmtimer.app.screens.remind import RemindScreen
        from spasmtimer.app.screens.summary import SummaryScreen

        for screen in self.screen_stack:
            if isinstance(screen, RemindScreen):
                screen.break_taken()  # the wait starts again from its end
        summary = SummaryScreen(
            outcome,
            title=item.title,
            level=outcome.level,
            next_level=lambda before, after: self.history.next_level_text(
                item, outcome.session, before, after
            ),
            course=self.course_after(recorder, item.entry.name),
            steps=[step.name for step in item.program.steps] if item.program else (),
        )
        self.push_screen(summary, lambda ratings: self._rated(recorder, ratings))

    def _rated(self, recorder: Recorder, ratings: Ratings | None) -> None:
        if ratings is not None:
            recorder.rated(ratings.pain_before, ratings.pain_after, ratings.notes, ratings.marks)
        self.history.share()
        if self.run_only is not None:
            self.exit(return_code=0)
            return
        self.pop_to_library()

    def pop_to_library(self) -> None:
        """Back to the library, which reloads itself as it is shown again (or to the break
        reminders, which look at the time again)."""
        from spasmtimer.app.screens.library import LibraryScreen
        from spasmtimer.app.screens.remind import RemindScreen

        while len(self.screen_stack) > 2 and not isinstance(
            self.screen, LibraryScreen | RemindScreen
        ):
            self.pop_screen()

    def interrupt(self, status: int = exits.INTERRUPTED) -> None:
        """Ctrl-C, SIGTERM or SIGHUP: stop any session at once, keep its record, and quit."""
        self.ending = True
        for screen in self.screen_stack:
            if isinstance(screen, SessionScreen) and not screen.session.state_at().done:
                screen.stop(interrupted=True)
        self.speaker.close()
        self.exit(return_code=status)

    def action_interrupt(self) -> None:
        self.interrupt()

    # -- library actions ---------------------------------------------------------------------
    @on(PreviewProgram)
    def _preview(self, message: PreviewProgram) -> None:
        from spasmtimer.app.screens.preview import PreviewScreen

        self.push_screen(PreviewScreen(message.item))

    @on(RunProgram)
    def _run(self, message: RunProgram) -> None:
        self.run_program(message.item)

    @on(EditProgram)
    def _edit(self, message: EditProgram) -> None:
        item = message.item
        copying = item.entry.source == "bundled" and not self._own_copy(item).exists()
        path = self.editable_copy(item)
        if path is None:
            return
        self.edit_file(path)
        if copying:
            self._keep_copy_if_changed(item.entry.path, path)
        self.pop_to_library()
        from spasmtimer.app.screens.library import LibraryScreen

        if isinstance(self.screen, LibraryScreen):
            self.screen.reload(keep=path.stem)

    def editable_copy(self, item: Item) -> Path | None:
        """The file to edit: a bundled program is first copied to the user's folder (kept
        only if the editor changes it: see `_keep_copy_if_changed`)."""
        if item.entry.source != "bundled":
            return item.entry.path
        target = self._own_copy(item)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(item.entry.path, target)
        except OSError as e:
            self.say(f"Cannot copy the program to {target}: {e}", severity="error")
            return None
        return target

    def _own_copy(self, item: Item) -> Path:
        """Where the user's own copy of a bundled program goes."""
        return locations.user_programs_dir() / item.entry.path.name

    def _keep_copy_if_changed(self, bundled: Path, copy: Path) -> None:
        """A bundled program's copy, after the editor: kept if it changed (in place of the
        bundled one, from now on), else removed, so that closing the editor without a change
        leaves the library as it was."""
        shown = locations.shown_path(copy)
        try:
            unchanged = copy.read_bytes() == bundled.read_bytes()
            if unchanged:
                copy.unlink()
        except OSError as e:
            self.say(f"Your copy {shown}: {e.strerror or e}", severity="warning")
            return
        if unchanged:
            self.say("No change, so no copy kept: the bundled program stays in use.")
        else:
            self.say(f"Your own copy, in place of the bundled one: {shown}")

    def edit_file(self, path: Path) -> None:
        """Open ``path`` in $VISUAL or $EDITOR, with the app suspended meanwhile."""
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        try:
            with self.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
        except (OSError, SuspendNotSupported) as e:
            self.say(f"Cannot open an editor ({editor}): {e}", severity="error")

    @on(ShowHistory)
    def _history(self) -> None:
        from spasmtimer.app.screens.history import HistoryScreen

        view = self.history.view(library.cap_of)
        if view is None:
            self.notify("No history is being kept: it could not be opened.", severity="warning")
            return
        self.push_screen(HistoryScreen(view, self.history.older))

    @on(OpenSettings)
    def _settings(self) -> None:
        from spasmtimer.app.screens.settings import SettingsScreen

        screen = SettingsScreen(
            self.settings,
            [AUTO_THEME, *sorted(self.available_themes)],
            speech_command() is not None,
            self.terminal,
        )
        self.push_screen(screen, self._settings_closed)

    def _settings_closed(self, settings: Settings | None) -> None:
        if settings is None:
            self.apply_theme()  # undo a theme being tried out
            return
        try:
            save_settings(settings)
        except OSError as e:
            self.say(f"Settings not saved: {e}", severity="error")
            return
        self.settings = settings
        self.speaker = Speaker(speech_command() if settings.speech else None)
        self.notify("Settings saved.")
