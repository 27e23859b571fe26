"""``spasmtimer status``: one short line for a tmux status bar or a shell prompt.

    desk-break in 12m · 3 today · 5-day streak

It is drawn again every few seconds, so it must be quick (standard library, msgspec and the
history only: no program file is loaded, no Textual) and it never writes: see `History.peek`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import msgspec

from spasmtimer.base.text import cell_width, fit_cells, one_line
from spasmtimer.history.records import SessionRecord, local_day, totals

MAX_WIDTH = 60
"""Columns the line may take at most: a status bar shares its row with the window list."""

RUNNING_WITHIN = timedelta(seconds=10)
"""A session marked running whose row was written this recently is running now; one older was
cut off (its row is written at least every second while it runs, paused or not)."""


class Status(msgspec.Struct, frozen=True):
    """What `spasmtimer status` says: the next break, and the sessions done."""

    program: str
    due_in: float | None
    """Seconds until the next break is due (0 or less: due now); None while one is running."""
    today: int
    """Sessions that counted today, of any program (with a course: of those it asks)."""
    streak_days: int
    due_today: int | None = None
    """With a course: the sessions it asks of today."""
    later: str | None = None
    """With a course whose next session is not today: when it is ("tomorrow 08:00")."""


def next_break_due(records: Sequence[SessionRecord], every: float) -> datetime | None:
    """When a break is next due: ``every`` seconds after the end of the latest session, of
    whatever program (whether it counted or not: any session is a break from sitting, and
    resets the wait). None when there has been none — one is due now."""
    if not records:
        return None
    ends = [r.ended_at or r.updated_at or r.started_at for r in records]
    return max(ends) + timedelta(seconds=every)


def status_of(
    records: Sequence[SessionRecord], program: str, every: float, now: datetime
) -> Status:
    """The status line's facts, from every session in the history (oldest first). One in the
    future (`SessionRecord.in_future`: a clock was wrong) is passed over: were it the latest,
    the next break would wait for it, a year if it is dated a year ahead."""
    dated = [r for r in records if not r.in_future(now)]
    # A session of any program is a break: "desk-break due" just after seven minutes of
    # another program's stretches would send the person straight back to the floor.
    running = any(
        r.status == "running" and r.updated_at is not None and now - r.updated_at < RUNNING_WITHIN
        for r in dated
    )
    due = next_break_due(dated, every)
    due_in = None if running else (due - now).total_seconds() if due else 0.0
    today = local_day(now)
    counted_today = sum(r.counted and local_day(r.started_at) == today for r in dated)
    return Status(program, due_in, counted_today, totals(dated, now).streak_days)


def wait_text(seconds: float) -> str:
    """How long until a break, in whole minutes rounded up: "12m", "1h05m"."""
    minutes = max(1, math.ceil(seconds / 60 - 1e-9))
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


def status_line(status: Status, *, tmux: bool = False) -> str:
    """The line, at most `MAX_WIDTH` columns; with ``tmux``, the program's part coloured in
    tmux's own markup (``#[fg=…]``), which tmux reads in a status bar and does not show."""
    if status.later is not None:
        when, style = status.later, ""
    elif status.due_in is None:
        when, style = "now", "fg=green"
    elif status.due_in <= 0:
        when, style = "due", "fg=yellow,bold"
    else:
        when, style = f"in {wait_text(status.due_in)}", ""
    if status.due_today is not None:
        rest = [f"{status.today} of {status.due_today} today"]
    else:
        rest = [f"{status.today} today" if status.today else "none today"]
    if status.streak_days >= 2:
        rest.append(f"{status.streak_days}-day streak")
    tail = f" {when}" + "".join(f" · {part}" for part in rest)
    name = fit_cells(one_line(status.program), MAX_WIDTH - cell_width(tail))
    if not tmux:
        return name + tail
    name = name.replace("#", "##")  # tmux reads "#" as the start of its markup
    head, _, after = tail.partition(" · ")
    program_part = f"{name}{head}"
    if style:
        program_part = f"#[{style}]{program_part}#[default]"
    return f"{program_part} · {after}"
