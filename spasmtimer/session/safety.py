"""When to see a doctor instead: the safety notice, shown the first time spasmtimer is used
through any path (the app, ``run``, ``run --plain``, ``serve``), and recorded once shown.

Written from the facts in docs/exercises.md.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from spasmtimer.base import locations

NOT_ADVICE = (
    "spasmtimer is a timer for exercises you have chosen or been given. It is not medical advice."
)

GET_HELP_NOW = [
    "problems controlling your bladder or bowels",
    "a fever with the back pain",
    "weakness or numbness in your legs",
]
"""Get medical help promptly if spasms come with any of these."""

SEE_A_DOCTOR = [
    "the pain gets worse, or has not eased within 72 hours",
    "spasms are frequent and severe, or do not respond to stretching",
    "the pain followed a fall or another injury",
]
"""See a doctor if any of these is true."""

WHILE_EXERCISING = [
    "In the first day or two of a spasm the back is easily hurt again: be gentle, and rest "
    "only a day or two — gentle movement and short walks help more than lying still.",
    "Go only as far as you can before the pain starts, and stop if it sharpens or spreads "
    "down a leg.",
    "While your back hurts, avoid toe touches, sit-ups and leg lifts.",
]


SECTIONS = (
    ("Get medical help promptly if a spasm comes with:", GET_HELP_NOW),
    ("See a doctor if:", SEE_A_DOCTOR),
    ("While you exercise", WHILE_EXERCISING),
)
"""The notice's sections, in order: a heading and its points."""


def notice_text() -> str:
    """The notice as plain text, for ``run --plain``."""
    sections = [
        f"{heading}\n" + "\n".join(f"  - {item}" for item in items) for heading, items in SECTIONS
    ]
    return "When to see a doctor instead\n\n" + "\n\n".join(sections) + f"\n\n{NOT_ADVICE}"


def marker() -> Path:
    """The file whose presence records that the notice was shown."""
    return locations.data_dir() / "safety-seen"


def seen(path: Path | None = None) -> bool:
    """Was the notice shown here before? A data folder that cannot be looked into (another
    user's, under ``sudo -E``) counts as not: it is shown again, which is better than never."""
    try:
        return (path or marker()).exists()
    except OSError:
        return False


def record_seen(path: Path | None = None) -> None:
    """Never ask again; if it cannot be recorded (a read-only disk), it is shown next time too,
    which is better than not at all."""
    path = path or marker()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
