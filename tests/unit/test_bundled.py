"""The bundled programs: found from the installed package, complete, and sound at every level."""

from __future__ import annotations

from pathlib import Path

import pytest

from spasmtimer.base.locations import bundled_programs_dir
from spasmtimer.program.loader import load_program
from spasmtimer.program.resolved import Stretch
from spasmtimer.program.timeline import cap_level, expand
from spasmtimer.session.library import entries

PROGRAMS = sorted(bundled_programs_dir().glob("*.toml"))


def test_the_library_finds_every_program_of_the_checkout() -> None:
    # Installed, they are inside the package; in an editable install, in the checkout's
    # programs/. The release test (tests/system/test_release.py) checks what a wheel ships.
    checkout = Path(__file__).parents[2] / "programs"
    assert {p.name for p in PROGRAMS} == {p.name for p in checkout.glob("*.toml")}
    assert len(PROGRAMS) >= 6
    assert {e.name for e in entries() if e.source == "bundled"} == {p.stem for p in PROGRAMS}


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_each_program_is_complete(path: Path) -> None:
    program = load_program(path)
    assert program.title and program.summary and program.tags
    assert all(step.cue for step in program.steps), "every step says what to do"
    for level in range(cap_level(program) + 2):
        timeline = expand(program, level)
        # a session someone will actually do: between one and thirty minutes
        assert 60 <= timeline.total_seconds <= 30 * 60, (level, timeline.total_seconds)


def test_programs_with_stretches_carry_a_caution() -> None:
    for path in PROGRAMS:
        program = load_program(path)
        if any(isinstance(step, Stretch) for step in program.steps):
            assert program.caution, path.stem


def test_the_seated_hamstring_stretch_follows_the_articles() -> None:
    # "hold at least 15 to 30 seconds; repeat 2 to 4 times with each leg" (seed 001)
    program = load_program(bundled_programs_dir() / "seated-hamstring.toml")
    first = expand(program, 0)
    top = expand(program, cap_level(program))
    hamstring = lambda t: [p for p in t.phases if p.kind == "hold" and p.step == 0]  # noqa: E731
    assert {p.seconds for p in hamstring(first)} == {15}
    assert len(hamstring(first)) == 2 * 2
    assert {p.seconds for p in hamstring(top)} == {30}
    assert len(hamstring(top)) == 4 * 2
