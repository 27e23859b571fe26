"""When to see a doctor instead: the red flags shown on the app's safety screen.

Written from the articles distilled in shared/EXERCISES.md.
"""

from __future__ import annotations

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
