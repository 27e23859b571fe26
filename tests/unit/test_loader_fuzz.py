"""Generated and mutated programs thrown at the loader: a Program or a located ProgramError, always.

Nothing else may escape: no traceback must ever reach a user, whatever they write.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spasmtimer.program.loader import load_program
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.timeline import expand

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

seconds = st.one_of(
    st.integers(1, 120),
    st.sampled_from(["20s", "1m", "1m30s", "1.5s", "2m"]),
    st.floats(0.1, 90, allow_nan=False).map(lambda x: round(x, 2)),
)
gaps = st.one_of(st.just(0), seconds)
counts = st.integers(1, 6)
# Any text a program may hold: control characters other than newline and tab are errors.
texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], include_characters="\n\t"),
    min_size=1,
    max_size=30,
).filter(str.strip)


def schedule(whole: bool) -> st.SearchStrategy[dict[str, Any]]:
    by = st.integers(1, 5) if whole else st.sampled_from([1, 2, 5, 0.5])
    return st.fixed_dictionaries(
        {"by": by, "max": st.integers(6, 60)}, optional={"every": st.integers(1, 4)}
    )


stretch = st.fixed_dictionaries(
    {"type": st.just("stretch"), "hold": seconds},
    optional={
        "name": texts,
        "reps": counts,
        "sides": st.sampled_from(["both", ["l"], ["a", "b", "c"]]),
        "switch": gaps,
        "rest": gaps,
        "rest_after": gaps,
        "cue": texts,
        "halfway": texts,
        "ramp": st.fixed_dictionaries(
            {}, optional={"hold": schedule(False), "rest": schedule(False)}
        ),
        "progress": st.fixed_dictionaries(
            {}, optional={"hold": schedule(False), "reps": schedule(True)}
        ),
    },
)
breathe = st.fixed_dictionaries(
    {"type": st.just("breathe"), "inhale": seconds, "exhale": seconds},
    optional={
        "name": texts,
        "pause": gaps,
        "pause_out": gaps,
        "cycles": counts,
        "rest_after": gaps,
        "ramp": st.fixed_dictionaries({}, optional={"exhale": schedule(False)}),
        "progress": st.fixed_dictionaries({}, optional={"cycles": schedule(True)}),
    },
)
rest = st.fixed_dictionaries(
    {"type": st.just("rest"), "seconds": seconds}, optional={"name": texts}
)
programs = st.fixed_dictionaries(
    {"steps": st.lists(st.one_of(stretch, breathe, rest), min_size=1, max_size=5)},
    optional={
        "title": texts,
        "summary": texts,
        "tags": st.lists(texts, max_size=3),
        "rounds": st.integers(1, 3),
        "defaults": st.fixed_dictionaries(
            {}, optional={"prepare": gaps, "rest": gaps, "reps": counts}
        ),
    },
)
junk = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False),
    st.booleans(),
    texts,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(texts, st.integers(), max_size=2),
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a TOML-like value."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            found += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += paths(v, (*prefix, i))
    return found


def check_outcome(path: Path) -> None:
    try:
        program = load_program(path)
    except ProgramError as e:
        assert e.problems
        lines = path.read_bytes().split(b"\n")
        for problem in e.problems:
            assert 1 <= problem.line <= len(lines), problem
            assert problem.col >= 1
            assert str(problem).startswith(f"{problem.file}:{problem.line}:{problem.col}: ")
        return
    for warning in program.warnings:
        assert warning.severity == "warning"
        assert 1 <= warning.line <= len(path.read_bytes().split(b"\n")), warning
        assert str(warning).startswith(f"{warning.file}:{warning.line}:{warning.col}: warning: ")
    timeline = expand(program, 0)
    assert math.isclose(
        timeline.total_seconds, sum(p.seconds for p in timeline.phases), abs_tol=1e-6
    )
    assert all(p.seconds > 0 for p in timeline.phases)


@FUZZ
@given(program=programs)
def test_generated_programs_load_and_expand(program: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "gen.toml"
    path.write_text(tomli_w.dumps(program), encoding="utf-8")
    try:
        loaded = load_program(path)
    except ProgramError as e:
        # The only ways a generated program may fail: too long for the limits, or a schedule
        # whose cap is on the wrong side of its start (the two are drawn apart).
        assert all(
            "too long" in p.message or "could never" in p.message for p in e.problems
        ), str(e)
        return
    check_outcome(path)
    holds = [p for p in expand(loaded, 0).phases if p.kind == "hold"]
    assert len(holds) == expected_holds(program)


def expected_holds(program: dict[str, Any]) -> int:
    """reps x sides for every stretch, for every round: an independent count to check against."""
    default_reps = program.get("defaults", {}).get("reps", 1)
    per_round = 0
    for step in program["steps"]:
        if step["type"] == "stretch":
            sides = step.get("sides", [None])
            per_round += step.get("reps", default_reps) * (2 if sides == "both" else len(sides))
    return per_round * int(program.get("rounds", 1))


@FUZZ
@given(program=programs, data=st.data())
def test_mutated_programs_never_escape(
    program: dict[str, Any], data: st.DataObject, tmp_path: Path
) -> None:
    program = copy.deepcopy(program)  # strategies share constants such as the sides lists
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(paths(program)))
        parent = program
        for part in target[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace" or isinstance(parent, list):
            parent[target[-1]] = data.draw(junk)
        elif action == "delete":
            del parent[target[-1]]
        else:
            parent[data.draw(texts)] = data.draw(junk)
        if not isinstance(program.get("steps"), list) or not program["steps"]:
            break
    path = tmp_path / "mutated.toml"
    path.write_text(tomli_w.dumps(program), encoding="utf-8")
    check_outcome(path)


@FUZZ
@given(program=programs, data=st.data())
def test_damaged_text_never_escapes(
    program: dict[str, Any], data: st.DataObject, tmp_path: Path
) -> None:
    raw = bytearray(tomli_w.dumps(program).encode())
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["insert", "delete", "flip"]))
        if action == "insert":
            raw[at:at] = data.draw(
                st.binary(min_size=1, max_size=4)
                | st.sampled_from(
                    [b"[", b"]", b"{", b'"', b"'''", b"=", b"\n", b"#", b"[[steps]]\n", b"."]
                )
            )
        elif raw and action == "delete":
            del raw[at : at + data.draw(st.integers(1, 8))]
        elif raw:
            raw[min(at, len(raw) - 1)] = data.draw(st.integers(0, 255))
    path = tmp_path / "damaged.toml"
    path.write_bytes(bytes(raw))
    check_outcome(path)


@FUZZ
@given(blob=st.binary(max_size=300))
def test_random_bytes_never_escape(blob: bytes, tmp_path: Path) -> None:
    path = tmp_path / "blob.toml"
    path.write_bytes(blob)
    check_outcome(path)
