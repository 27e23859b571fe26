"""The timeline a program expands to (docs/programs.md, "The timeline"), phase by phase."""

from __future__ import annotations

from pathlib import Path

import pytest
from msgspec.structs import replace

from spasmtimer.base.locations import bundled_programs_dir
from spasmtimer.program.loader import load_program
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.resolved import Stretch
from spasmtimer.program.timeline import (
    LimitError,
    Timeline,
    cap_level,
    change_levels,
    expand,
    measure,
)

VALID = Path(__file__).parents[1] / "data" / "valid"


def brief(timeline: Timeline) -> list[str]:
    """Each phase as 'kind seconds [side] [rN] [cN]', to compare whole timelines at a glance."""
    out = []
    for p in timeline.phases:
        parts = [p.kind, f"{p.seconds:g}"]
        if p.side:
            parts.append(p.side)
        if p.rep:
            parts.append(f"r{p.rep}")
        if p.cycle:
            parts.append(f"c{p.cycle}")
        out.append(" ".join(parts))
    return out


def plan(write, text: str, level: int = 0) -> list[str]:
    return brief(expand(load_program(write("p.toml", text)), level))


def test_the_spec_example_expands_exactly() -> None:
    timeline = expand(load_program(VALID / "spec-example.toml"), 0)
    breathing = []
    for cycle, exhale in enumerate([3, 3, 4, 4, 5, 5, 6, 6], start=1):
        breathing += [f"inhale 5 c{cycle}", f"pause 1 c{cycle}", f"exhale {exhale} c{cycle}"]
    stretch = []
    for rep in (1, 2, 3):
        stretch += [
            f"hold 20 left leg r{rep}",
            f"switch 5 right leg r{rep}",
            f"hold 20 right leg r{rep}",
        ]
        if rep < 3:
            stretch.append("rest 10")
    included = []
    for cycle in (1, 2):  # cycles from the included file's own [defaults]
        included += [f"inhale 5 c{cycle}", f"pause 1 c{cycle}", f"exhale 3 c{cycle}"]
    assert brief(timeline) == [
        "prepare 5",
        *breathing,
        "rest 10",  # rest_after between the breathing and the stretch
        *stretch,
        # no rest_after next to the rest step, on either side
        "rest 30",
        *included,
    ]
    assert timeline.total_seconds == 302
    assert [p.name for p in timeline.phases[-3:]] == ["Breathing"] * 3
    assert timeline.phases[26].halfway == "Breathe out and let it go a little further."


def test_the_spec_example_progresses_by_level() -> None:
    program = load_program(VALID / "spec-example.toml")
    timeline = expand(program, 4)
    holds = [p for p in timeline.phases if p.kind == "hold"]
    # progress: hold 20 + 5 * (4 // 2) = 30; reps 3 + 4 // 4 = 4; cycles 8 + 4 // 2 = 10
    assert {p.seconds for p in holds} == {30}
    assert len(holds) == 4 * 2
    assert max(p.cycle or 0 for p in timeline.phases if p.step == 0) == 10
    # the ramp still runs on top of the progressed cycles: exhale caps at 6
    assert [p.seconds for p in timeline.phases if p.kind == "exhale" and p.step == 0][-2:] == [6, 6]
    assert cap_level(program) == 8  # cycles reach 12 at level 8; hold 30 at 4; reps 4 at 4
    assert list(change_levels(program)) == [0, 2, 4, 6, 8]


def test_the_defaults_cascade_through_includes() -> None:
    program = load_program(VALID / "cascade.toml")
    inner, middle, outer = program.steps
    assert isinstance(inner, Stretch) and isinstance(middle, Stretch) and isinstance(outer, Stretch)
    # step, then its own file's [defaults], then outwards, then the built-ins
    assert (inner.reps, inner.switch, inner.rest, inner.rest_after) == (3, 2, 6, 8)
    assert (middle.reps, middle.switch, middle.rest, middle.rest_after) == (2, 4, 6, 8)
    assert (outer.reps, outer.switch, outer.rest, outer.rest_after) == (5, 5, 20, 30)
    assert program.prepare == 3
    assert len(program.files) == 3


def test_an_included_files_title_rounds_and_prepare_are_ignored(write) -> None:
    write(
        "part.toml",
        'title = "Part"\nrounds = 5\nprepare = 30\n[defaults]\nprepare = 40\n'
        '[[steps]]\ntype = "rest"\nseconds = 5\n',
    )
    program = load_program(write("main.toml", '[[steps]]\ninclude = "part.toml"\n'))
    assert (program.title, program.rounds, program.prepare) == ("main", 1, 5)
    assert brief(expand(program)) == ["prepare 5", "rest 5"]


def test_sides_switches_and_rests_between_reps(write) -> None:
    assert plan(
        write,
        """
[defaults]
prepare = 0
[[steps]]
type = "stretch"
hold = 3
reps = 2
sides = "both"
switch = 2
rest = 4
""",
    ) == [
        "hold 3 left r1",
        "switch 2 right r1",
        "hold 3 right r1",
        "rest 4",
        "hold 3 left r2",
        "switch 2 right r2",
        "hold 3 right r2",
    ]


def test_three_sides_and_no_switch_pause(write) -> None:
    assert plan(
        write,
        """
prepare = 0
[[steps]]
type = "stretch"
hold = 1
sides = ["a", "b", "c"]
switch = 0
""",
    ) == ["hold 1 a r1", "hold 1 b r1", "hold 1 c r1"]


def test_zero_values_leave_their_phases_out(write) -> None:
    assert plan(
        write,
        """
[defaults]
prepare = 0
rest_after = 0
rest = 0
[[steps]]
type = "stretch"
hold = 2
reps = 2
[[steps]]
type = "breathe"
inhale = 1
exhale = 1
pause = 0
pause_out = 0
""",
    ) == ["hold 2 r1", "hold 2 r2", "inhale 1 c1", "exhale 1 c1"]


def test_box_breathing_and_defaults(write) -> None:
    assert plan(
        write,
        """
[defaults]
prepare = "2s"
[[steps]]
type = "breathe"
inhale = 4
pause = 4
exhale = 4
pause_out = 4
cycles = 2
""",
    ) == [
        "prepare 2",
        "inhale 4 c1",
        "pause 4 c1",
        "exhale 4 c1",
        "pause_out 4 c1",
        "inhale 4 c2",
        "pause 4 c2",
        "exhale 4 c2",
        "pause_out 4 c2",
    ]


def test_built_in_defaults(write) -> None:
    # prepare 5, reps 1, rest_after 10, cycles 1, pause 0, pause_out 0
    assert plan(
        write,
        """
[[steps]]
type = "stretch"
hold = 20
[[steps]]
type = "breathe"
inhale = 3
exhale = 3
""",
    ) == ["prepare 5", "hold 20 r1", "rest 10", "inhale 3 c1", "exhale 3 c1"]


def test_rounds_rest_between_them_after_the_last_step(write) -> None:
    assert plan(
        write,
        """
rounds = 2
[defaults]
prepare = 0
[[steps]]
type = "stretch"
hold = 5
rest_after = 7
[[steps]]
type = "breathe"
inhale = 1
exhale = 1
rest_after = 3
""",
    ) == [
        "hold 5 r1",
        "rest 7",
        "inhale 1 c1",
        "exhale 1 c1",
        "rest 3",  # between rounds: the earlier step's rest_after
        "hold 5 r1",
        "rest 7",
        "inhale 1 c1",
        "exhale 1 c1",
    ]


def test_no_rest_between_rounds_next_to_a_rest_step(write) -> None:
    assert plan(
        write,
        """
rounds = 2
prepare = 0
[[steps]]
type = "stretch"
hold = 5
[[steps]]
type = "rest"
seconds = 20
""",
    ) == ["hold 5 r1", "rest 20", "hold 5 r1", "rest 20"]


def test_two_rest_steps_in_a_row_get_nothing_between(write) -> None:
    assert plan(
        write,
        """
prepare = 0
[[steps]]
type = "rest"
seconds = 2
[[steps]]
type = "rest"
seconds = "1m30s"
""",
    ) == ["rest 2", "rest 90"]


def test_ramp_per_rep_and_per_cycle(write) -> None:
    assert plan(
        write,
        """
prepare = 0
[[steps]]
type = "stretch"
hold = 10
reps = 4
rest = 6
switch = 1
sides = "both"
ramp = { hold = { by = 5, every = 2, max = 20 }, rest = { by = -2, min = 3 }, switch = { by = 1, max = 2 } }
""",
    ) == [
        "hold 10 left r1",
        "switch 1 right r1",
        "hold 10 right r1",
        "rest 6",
        "hold 10 left r2",
        "switch 2 right r2",
        "hold 10 right r2",
        "rest 4",
        "hold 15 left r3",
        "switch 2 right r3",
        "hold 15 right r3",
        "rest 3",
        "hold 15 left r4",
        "switch 2 right r4",
        "hold 15 right r4",
    ]


def test_progress_is_the_base_for_ramp(write) -> None:
    text = """
prepare = 0
[[steps]]
type = "stretch"
hold = 10
reps = 3
rest = 0
progress = { hold = { by = 10, max = 30 }, reps = { by = 1, every = 2, max = 4 } }
ramp = { hold = { by = 5, max = 40 } }
"""
    assert plan(write, text, 0) == ["hold 10 r1", "hold 15 r2", "hold 20 r3"]
    assert plan(write, text, 1) == ["hold 20 r1", "hold 25 r2", "hold 30 r3"]
    assert plan(write, text, 2) == ["hold 30 r1", "hold 35 r2", "hold 40 r3", "hold 40 r4"]
    assert plan(write, text, 50) == plan(write, text, 2)


def test_fractional_schedules_stay_exact_to_the_millisecond(write) -> None:
    assert plan(
        write,
        """
prepare = 0
[[steps]]
type = "breathe"
inhale = 1
exhale = 1.1
cycles = 4
ramp = { exhale = { by = 0.1, max = 2 }, inhale = { by = -0.3, min = 0.1 } }
""",
    ) == [
        "inhale 1 c1",
        "exhale 1.1 c1",
        "inhale 0.7 c2",
        "exhale 1.2 c2",
        "inhale 0.4 c3",
        "exhale 1.3 c3",
        "inhale 0.1 c4",
        "exhale 1.4 c4",
    ]


def test_starts_and_total() -> None:
    timeline = expand(load_program(VALID / "cascade.toml"))
    starts = timeline.starts()
    assert starts[0] == 0
    assert starts[-1] + timeline.phases[-1].seconds == timeline.total_seconds == 242


def test_a_progression_past_the_limits_is_refused_at_load_time(write) -> None:
    # 20 minutes at level 0, but 20 reps of 20 minutes once hold reaches its cap at level 19.
    with pytest.raises(ProgramError, match="at level 19, where its progress reaches every cap"):
        load_program(
            write(
                "p.toml",
                """
prepare = 0
[[steps]]
type = "stretch"
hold = 60
reps = 20
rest = 0
progress = { hold = { by = 60, max = 1200 } }
""",
            )
        )


def test_expand_raises_limit_error_past_six_hours(write) -> None:
    program = load_program(write("p.toml", '[[steps]]\ntype = "rest"\nseconds = "1h"\n'))
    with pytest.raises(LimitError, match="more than 6 hours"):
        expand(replace(program, rounds=7))


def test_a_breathing_rhythm_rides_on_the_holds(write) -> None:
    program = load_program(
        write(
            "p.toml",
            """
prepare = 0
[[steps]]
type = "stretch"
hold = 20
reps = 2
breath = "5-1-3"
""",
        )
    )
    timeline = expand(program)
    assert [str(p.breath) for p in timeline.phases if p.kind == "hold"] == ["5-1-3", "5-1-3"]
    assert [p.breath for p in timeline.phases if p.kind == "rest"] == [None]
    assert timeline.as_json()["phases"][0]["breath"] == "5-1-3"


@pytest.mark.parametrize(
    "name", [*sorted(p.stem for p in bundled_programs_dir().glob("*.toml")), "ramped-breath"]
)
def test_measure_gives_the_length_expand_does_at_every_level(name: str, write) -> None:
    """A library's list needs each program's length at its level: measured without making
    its phases, to the same seconds."""
    if name == "ramped-breath":
        path = write(
            "ramped-breath.toml",
            'prepare = 0\n[[steps]]\ntype = "stretch"\nhold = 7.5\nreps = 3\nsides = "both"\n'
            'breath = "4-6"\nramp = { hold = { by = 2.5, max = 12 } }\n'
            "progress = { reps = { by = 1, every = 2, max = 6 } }\n"
            '[[steps]]\ntype = "breathe"\ninhale = 3.3\nexhale = 4.4\ncycles = 5\n'
            "ramp = { exhale = { by = 0.7, max = 6.5 } }\n",
        )
    else:
        path = bundled_programs_dir() / f"{name}.toml"
    program = load_program(path)
    for level in range(cap_level(program) + 3):
        assert measure(program, level) == expand(program, level).total_seconds, level


@pytest.mark.parametrize("path", sorted(bundled_programs_dir().glob("*.toml")), ids=lambda p: p.stem)
def test_the_length_a_program_keeps_is_what_expanding_it_gives(path: Path) -> None:
    """A library lists each program's length at level 0 from `Program.first_length`, kept as
    it is loaded: it must be the length its sessions have, and other levels are measured."""
    from spasmtimer.program.timeline import length_at

    program = load_program(path)
    assert program.first_length == expand(program, 0).total_seconds
    for level in range(cap_level(program) + 3):
        assert length_at(program, level) == expand(program, level).total_seconds
    held = ((0, 0),)  # a step held at level 0
    top = cap_level(program)
    assert length_at(program, top, held) == expand(program, top, held).total_seconds
