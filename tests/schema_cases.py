"""Programs the editor schema must accept, and the common mistakes it must flag.

Shared by the schema's unit tests (`tests/unit/test_schema.py`, with jsonschema) and what taplo
says with it (`tests/system/test_taplo.py`).
"""

from __future__ import annotations

from pathlib import Path

from spasmtimer.base.locations import bundled_programs_dir

DATA = Path(__file__).parent / "data"
VALID = [
    *sorted(bundled_programs_dir().glob("*.toml")),
    *sorted((DATA / "valid").rglob("*.toml")),
    *sorted((DATA / "warnings").glob("*.toml")),
]
BROKEN = sorted((DATA / "broken").glob("*.toml"))

MISTAKES = {
    "typo": '[[steps]]\ntype = "stretch"\nhodl = 20\n',
    "unknown step type": '[[steps]]\ntype = "strech"\nhold = 20\n',
    "negative duration": '[[steps]]\ntype = "stretch"\nhold = -5\n',
    "negative duration string": '[[steps]]\ntype = "rest"\nseconds = "-5s"\n',
    "zero count": '[[steps]]\ntype = "breathe"\ninhale = 3\nexhale = 3\ncycles = 0\n',
    "unknown top-level key": 'titel = "x"\n[[steps]]\ntype = "rest"\nseconds = 5\n',
    "schedule without cap": '[[steps]]\ntype = "stretch"\nhold = 5\nprogress = { hold = { by = 5 } }\n',
    "reps in ramp": '[[steps]]\ntype = "stretch"\nhold = 5\nramp = { reps = { by = 1, max = 3 } }\n',
    "no steps": 'title = "x"\n',
}
