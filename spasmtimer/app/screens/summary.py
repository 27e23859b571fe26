"""After a session: what was done, the level, and the pain ratings and notes to keep."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import msgspec
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, SelectionList, Static

from spasmtimer.app.messages import SessionOutcome
from spasmtimer.app.widgets import plain
from spasmtimer.session.display import done_text, finished
from spasmtimer.session.levels import Level, counts


class Ratings(msgspec.Struct, frozen=True):
    """What the summary was given: the pain ratings and a note, each optional."""

    pain_before: int | None
    pain_after: int | None
    notes: str | None
    marks: tuple[int, ...] = ()
    """The steps (from 0) marked as having hurt or been too hard."""


def _rating(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= 10 else None


class StepMarks(SelectionList[int]):
    """The program's steps, to mark one that hurt: Space marks, and Enter moves on as it does
    from every field of the summary (an Enter meant to move on never marks a step). A letter
    typed here is the start of a note: it goes to the notes, which come next."""

    def on_key(self, event: events.Key) -> None:
        # Before the list's own bindings (Enter marks), which a binding cannot override.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.screen.focus_next()
        elif event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            notes = self.screen.query_one("#notes", Input)
            notes.focus()
            notes.insert_text_at_cursor(event.character)


class Field(Input):
    """An input whose Enter moves to the next field, and says so in the footer."""

    BINDINGS = [Binding("enter", "submit", "Next field")]


class SummaryScreen(Screen[Ratings]):
    """The keyboard alone fills it in: Enter moves to the next field, Ctrl+S saves (as does the
    Save button), Esc closes without ratings.

    Enter moves on through Input.Submitted, which comes after the Input has taken the keys typed
    before it, so digits sent in the same burst as an Enter (a paste, a slow link) land where
    they were typed.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "skip", "Close without ratings"),
    ]

    def __init__(
        self,
        outcome: SessionOutcome,
        *,
        title: str,
        level: Level,
        next_level: Callable[[int | None, int | None], str],
        course: str | None = None,
        steps: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.steps = steps
        """The program's steps by name, for the person to mark one that hurt."""
        self.course = course
        """What the course says of the program now ("Course: 1 of 2 today — next at 18:00")."""
        self.outcome = outcome
        self.title_text = title
        self.level = level
        self.next_level = next_level

    def compose(self) -> ComposeResult:
        ended = finished(self.outcome.session)
        with Vertical(id="summary"):
            yield Static(
                "Session complete" if ended.finished else "Stopped early",
                id="summary-title",
                classes="-done" if ended.finished else "-stopped",
            )
            yield Static(plain(f"{self.title_text} · {self.level}"))
            yield Static(f"Time: {done_text(ended.done, ended.planned)}")
            yield Static(plain(self.next_level(self.outcome.pain_before, None)), id="next-level")
            if self.course:
                yield Static(plain(self.course), id="course")
            with Horizontal(classes="rating"):
                yield Label("Pain before (0–10):")
                yield Field(
                    "" if self.outcome.pain_before is None else str(self.outcome.pain_before),
                    id="pain-before",
                    restrict=r"\d{0,2}",
                    max_length=2,
                    placeholder="skip",
                )
            with Horizontal(classes="rating"):
                yield Label("Pain now (0–10):")
                yield Field(id="pain-after", restrict=r"\d{0,2}", max_length=2, placeholder="skip")
            if self.steps:
                holds = (
                    ""
                    if counts(ended.finished, ended.done, ended.planned)
                    else ("; this session did not count, so a mark is noted and holds nothing")
                )
                yield Label(f"Did a step hurt, or was it too hard? Space marks it{holds}:")
                yield StepMarks(
                    *((plain(f"{n}. {name}"), n - 1) for n, name in enumerate(self.steps, 1)),
                    id="marks",
                )
            with Horizontal(classes="rating"):
                yield Label("Notes:")
                yield Field(
                    id="notes", placeholder="anything to remember (optional)", select_on_focus=False
                )
            with Horizontal(classes="rating"):
                yield Label("")
                yield Button("Save", id="save", variant="primary")
            yield Static("", id="rating-error")
        yield Footer()

    def on_mount(self) -> None:
        # From the top, as the form reads: the pain before, unless given while getting ready.
        first = "#pain-before" if self.outcome.pain_before is None else "#pain-after"
        self.query_one(first, Input).focus()

    @on(Input.Changed)
    def _check(self) -> None:
        bad = [
            name
            for name, key in (("before", "#pain-before"), ("now", "#pain-after"))
            if (text := self.query_one(key, Input).value) and _rating(text) is None
        ]
        message = f"Pain {' and '.join(bad)}: a number from 0 to 10" if bad else ""
        self.query_one("#rating-error", Static).update(message)
        # The ratings can hold the level back: say so as they are typed.
        before = _rating(self.query_one("#pain-before", Input).value)
        after = _rating(self.query_one("#pain-after", Input).value)
        self.query_one("#next-level", Static).update(plain(self.next_level(before, after)))

    def ratings(self) -> Ratings | None:
        before = self.query_one("#pain-before", Input).value
        after = self.query_one("#pain-after", Input).value
        if (before and _rating(before) is None) or (after and _rating(after) is None):
            return None
        notes = self.query_one("#notes", Input).value.strip() or None
        marks = self.query("#marks")
        marked = tuple(sorted(marks.first(StepMarks).selected)) if marks else ()
        return Ratings(_rating(before), _rating(after), notes, marked)

    def _bad_rating(self) -> Input | None:
        """The first rating that is not 0–10, if any."""
        for key in ("#pain-before", "#pain-after"):
            field = self.query_one(key, Input)
            if field.value and _rating(field.value) is None:
                return field
        return None

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # A bad rating keeps the focus, its text selected, so that what is typed next
        # replaces it: moving on put the correction into the notes.
        if event.input.id != "notes" and event.value and _rating(event.value) is None:
            event.input.select_all()
            return
        self.focus_next()

    @on(Button.Pressed, "#save")
    def _save_button(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        ratings = self.ratings()
        if ratings is not None:
            self.dismiss(ratings)
        elif (bad := self._bad_rating()) is not None:
            bad.focus()  # where the error the line below says is

    def action_skip(self) -> None:
        self.dismiss(Ratings(self.outcome.pain_before, None, None))
