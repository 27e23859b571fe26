"""After a session: what was done, the level, and the pain ratings and notes to keep."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from spasmtimer.app.screens.session import SessionOutcome
from spasmtimer.app.widgets import plain
from spasmtimer.display import seconds_text
from spasmtimer.engine import Status


@dataclass(frozen=True)
class Ratings:
    pain_before: int | None
    pain_after: int | None
    notes: str | None


def _rating(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= 10 else None


class SummaryScreen(Screen[Ratings]):
    # Enter saves through Input.Submitted, which comes after the Input has taken the keys typed
    # before it: a priority binding could save before a digit sent in the same burst arrived.
    BINDINGS = [
        Binding("enter", "save", "Save and close"),
        Binding("escape", "skip", "Close without ratings"),
    ]

    def __init__(
        self,
        outcome: SessionOutcome,
        *,
        title: str,
        next_level: Callable[[int | None, int | None], str],
    ) -> None:
        super().__init__()
        self.outcome = outcome
        self.title_text = title
        self.next_level = next_level

    def compose(self) -> ComposeResult:
        session = self.outcome.session
        state = session.state_at(session.ended_at())
        completed = state.status is Status.FINISHED
        with Vertical(id="summary"):
            yield Static(
                "Session complete" if completed else "Stopped early",
                id="summary-title",
                classes="-done" if completed else "-stopped",
            )
            yield Static(plain(f"{self.title_text} · level {session.timeline.level}"))
            done_phases = state.index + 1 if completed else state.index
            yield Static(
                f"Time: {seconds_text(round(state.elapsed))} of {seconds_text(round(state.total))}"
                f" · {done_phases} of {len(session.phases)} phases"
            )
            yield Static(self.next_level(self.outcome.pain_before, None), id="next-level")
            with Horizontal(classes="rating"):
                yield Label("Pain before (0–10):")
                yield Input(
                    "" if self.outcome.pain_before is None else str(self.outcome.pain_before),
                    id="pain-before",
                    restrict=r"\d{0,2}",
                    max_length=2,
                    placeholder="skip",
                )
            with Horizontal(classes="rating"):
                yield Label("Pain now (0–10):")
                yield Input(id="pain-after", restrict=r"\d{0,2}", max_length=2, placeholder="skip")
            with Horizontal(classes="rating"):
                yield Label("Notes:")
                yield Input(id="notes", placeholder="anything to remember (optional)")
            yield Static("", id="rating-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#pain-after", Input).focus()

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
        self.query_one("#next-level", Static).update(self.next_level(before, after))

    def ratings(self) -> Ratings | None:
        before = self.query_one("#pain-before", Input).value
        after = self.query_one("#pain-after", Input).value
        if (before and _rating(before) is None) or (after and _rating(after) is None):
            return None
        notes = self.query_one("#notes", Input).value.strip() or None
        return Ratings(_rating(before), _rating(after), notes)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        ratings = self.ratings()
        if ratings is not None:
            self.dismiss(ratings)

    def action_skip(self) -> None:
        self.dismiss(Ratings(self.outcome.pain_before, None, None))
