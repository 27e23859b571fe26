"""``spasmtimer new``: a commented starter program, written with tomli-w."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w

from spasmtimer.base import locations

HEADER = """\
# A spasmtimer program. Check it with `spasmtimer check FILE`, preview it with
# `spasmtimer plan FILE`, and run it with `spasmtimer run FILE`. Programs saved in
# {config}/programs/ appear in the library under their file name.
#
# Durations are seconds (20, 1.5) or strings ("90s", "1m30s", "2m").
# For completion in your editor (taplo / Even Better TOML):
#   spasmtimer schema > {config}/program.schema.json
# then make the first line of a program in {config}/programs/
#   #:schema ../program.schema.json
"""
"""The comment the starter opens with; ``{config}`` is the folder the library's programs are
in (``$XDG_CONFIG_HOME/spasmtimer``), as the person would type it."""


def header() -> str:
    """`HEADER` naming the folders where they are on this machine: a comment that named
    ~/.config/spasmtimer/programs/ was wrong wherever XDG_CONFIG_HOME is set elsewhere."""
    return HEADER.format(config=locations.shown_path(locations.config_dir()))


STEP_COMMENTS = [
    """\
# A breathing drill: breathe in, hold, breathe out, for a number of cycles. `figure` names
# the picture that shows it (`spasmtimer figure --list` lists them; see
# `spasmtimer figure deep-breathing`): its body moves with the breath.
# `ramp` changes a value from cycle to cycle within a session: here the exhale grows by
# 1 s every 2 cycles, up to 6 s. `progress` changes a value from level to level, across
# sessions: one more cycle every 2 levels, up to 8.
""",
    """\
# A stretch: hold it `reps` times on each side, with `rest` between reps and `switch`
# seconds to change sides. `halfway` is said at the middle of every hold. Its figure shows
# the held pose, mirrored for the other side.
# The hold grows by 5 s every 2 levels, up to 30 s; one more rep every 4 levels, up to 3.
""",
    """\
# A plain rest. No extra rest is added before or after a rest step.
""",
]

STARTER: dict[str, Any] = {
    "title": "My program",  # replaced by the title given to `new`
    "summary": "Slow breathing, then a gentle stretch for the lower back.",
    "tags": ["custom", "gentle"],
    "caution": "Stop if the pain sharpens or spreads down a leg.",
    "defaults": {"prepare": 5, "rest_after": 10},
    "steps": [
        {
            "type": "breathe",
            "name": "Deep breathing 5-1-3",
            "figure": "deep-breathing",
            "inhale": 5,
            "pause": 1,
            "exhale": 3,
            "cycles": 4,
            "cue": "Breathe in slowly through the nose and picture a tight knot loosening.",
            "ramp": {"exhale": {"by": 1, "every": 2, "max": 6}},
            "progress": {"cycles": {"by": 1, "every": 2, "max": 8}},
        },
        {
            "type": "stretch",
            "name": "Knee to chest",
            "figure": "knee-to-chest",
            "hold": "15s",
            "reps": 2,
            "sides": "both",
            "switch": 5,
            "rest": 10,
            "cue": "Lie on your back and draw one knee gently towards your chest.",
            "halfway": "Breathe out and let the lower back sink into the floor.",
            "progress": {
                "hold": {"by": 5, "every": 2, "max": 30},
                "reps": {"by": 1, "every": 4, "max": 3},
            },
        },
        {
            "type": "rest",
            "name": "Lie still",
            "figure": "lying-still",
            "seconds": 30,
            "cue": "Let your whole back rest on the floor and breathe normally.",
        },
    ],
}


def title_from_name(path: Path) -> str:
    """A title for a program that has none yet, from its file's name: "evening-unwind.toml"
    -> "Evening unwind"."""
    words = " ".join(path.stem.replace("_", " ").replace("-", " ").split())
    return words[:1].upper() + words[1:] if words else "My program"


def starter_text(title: str = "My program") -> str:
    """The starter program: tomli-w's output with a comment before the file and each step."""
    body = tomli_w.dumps({**STARTER, "title": title})
    chunks = body.split("[[steps]]\n")
    # tomli-w writes the steps as [[steps]] tables because they are too long to fit inline.
    assert len(chunks) == len(STEP_COMMENTS) + 1, "every step needs its comment"
    out = header() + "\n" + chunks[0]
    for comment, chunk in zip(STEP_COMMENTS, chunks[1:], strict=True):
        out += comment + "[[steps]]\n" + chunk
    return out


def write_starter(path: Path, title: str) -> None:
    """Write the starter program to ``path`` (`write_new`)."""
    write_new(path, starter_text(title))


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to a new file at ``path`` atomically, making its folder if need be (on a
    fresh install, not even ~/.config/spasmtimer/programs/ exists); raise `FileExistsError`
    rather than overwrite."""
    if path.exists():
        raise FileExistsError(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder should be: not "already exists"
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder)) from None
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        # link() fails if the name exists, so a file created meanwhile is never replaced.
        os.link(temp, path)
    finally:
        os.unlink(temp)
