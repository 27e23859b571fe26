"""Read a figure file into a `Figure`, or say exactly what is wrong with it, each problem at its
line and column as a program's are (docs/figures.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spasmtimer.base.files import FileRefused, read_regular
from spasmtimer.base.text import printable
from spasmtimer.program.figures.model import FigureFile, PoseTable, PropTable
from spasmtimer.program.figures.pose import MAX_FIGURE_BYTES, Figure, Pose, Poses, Prop
from spasmtimer.program.messages import byte_position, file_problem, syntax_error
from spasmtimer.program.problems import Problem, key_path
from spasmtimer.program.tomlpos import KeyPath, Position, locate

PROP_DEFAULTS: dict[str, dict[str, float]] = {
    "wall": {"height": 7.0},
    "chair": {"height": 2.2, "width": 2.0},
    "bed": {"height": 2.2, "width": 9.0},
    "ball": {"radius": 1.3},
    "roller": {"radius": 0.35},
    "tennis_ball": {"radius": 0.15},
}
_NEEDS_PLACE = {"ball", "roller", "tennis_ball"}


def read_figure(path: Path, name: str, shown: str) -> tuple[Figure | None, list[Problem]]:
    """The figure in the file at ``path`` (named ``name``; ``shown`` in messages), or the
    problems that keep it from being one."""
    try:
        raw = read_regular(path, MAX_FIGURE_BYTES, "figure file")
    except FileRefused as e:
        return None, [Problem(shown, 1, 1, "", str(e))]
    return parse_figure(raw, name, shown)


def parse_figure(raw: bytes, name: str, shown: str) -> tuple[Figure | None, list[Problem]]:
    """The figure in a file's bytes, ``raw``, or the problems that keep it from being one."""
    problems: list[Problem] = []

    def problem(at: Position, where: KeyPath, message: str) -> None:
        problems.append(Problem(shown, at.line, at.col, key_path(where), message))

    if b"\0" in raw:
        problem(byte_position(raw, raw.index(b"\0")), (), "is a binary file, not a TOML figure")
        return None, problems
    try:
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as e:
        problem(byte_position(raw, e.start), (), "is not UTF-8 text; save it as UTF-8")
        return None, problems
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, col, message = syntax_error(e, text)
        problem(Position(line, col), (), message)
        return None, problems
    except (RecursionError, ValueError) as e:
        problem(Position(1, 1), (), f"cannot be read as TOML: {e}")
        return None, problems
    try:
        model = FigureFile.model_validate(data)
    except ValidationError as e:
        locations = locate(text)
        for error in e.errors(include_url=False):
            problem(*file_problem(locations, error, FigureFile))
        return None, sorted(set(problems))
    locations = locate(text)
    start = model.poses.start
    missing = [
        key
        for key, given in (
            ("hip", start.hip),
            ("back", start.back if start.back is not None else start.lower_back),
            ("arm", start.arm),
            ("leg", start.leg),
        )
        if given is None
    ]
    if start.back is None and (start.lower_back is None) != (start.upper_back is None):
        missing.append("upper_back" if start.upper_back is None else "lower_back")
    for key in missing:
        problem(
            locations.key(("poses", "start")),
            ("poses", "start", key),
            f"missing `{key}`: the start pose gives every part of the body (the other poses "
            "only what differs)",
        )
    props = []
    for index, prop in enumerate(model.props):
        if prop.type in _NEEDS_PLACE and prop.at is None:
            problem(
                locations.key(("props", index)),
                ("props", index, "at"),
                f"missing `at`: where the {prop.type.replace('_', ' ')}'s centre is, [x, y]",
            )
            continue
        props.append(_prop(prop))
    if problems:
        return None, problems
    first = _pose(start, None)
    poses = Poses(
        first,
        *(
            _pose(table, first) if table is not None else None
            for table in (model.poses.hold, model.poses.inhale, model.poses.exhale)
        ),
    )
    title = model.title or printable(name).replace("-", " ").capitalize()
    return Figure(name, title, poses, tuple(props)), []


def _pose(table: PoseTable, start: Pose | None) -> Pose:
    """The pose ``table`` gives. The start pose (``start`` None) fills in its own defaults: the
    neck as the upper back, the far limbs as the near ones, the feet flat. Another pose is its
    start but for what it gives, and its neck keeps its angle to the upper back unless given,
    as a head turns with the chest."""
    if start is None:
        lower = table.lower_back if table.lower_back is not None else table.back
        upper = table.upper_back if table.upper_back is not None else table.back
        assert table.hip and lower is not None and upper is not None and table.arm and table.leg
        foot = table.foot if table.foot is not None else 0.0
        return Pose(
            hip=table.hip,
            lower_back=lower,
            upper_back=upper,
            neck=table.neck if table.neck is not None else upper,
            arm=table.arm,
            far_arm=table.far_arm or table.arm,
            leg=table.leg,
            far_leg=table.far_leg or table.leg,
            foot=foot,
            far_foot=table.far_foot if table.far_foot is not None else foot,
        )

    def given(value: Any, otherwise: Any) -> Any:
        return otherwise if value is None else value

    lower = given(table.lower_back, given(table.back, start.lower_back))
    upper = given(table.upper_back, given(table.back, start.upper_back))
    return Pose(
        hip=given(table.hip, start.hip),
        lower_back=lower,
        upper_back=upper,
        neck=given(table.neck, (start.neck + upper - start.upper_back) % 360),
        arm=given(table.arm, start.arm),
        far_arm=given(table.far_arm, start.far_arm),
        leg=given(table.leg, start.leg),
        far_leg=given(table.far_leg, start.far_leg),
        foot=given(table.foot, start.foot),
        far_foot=given(table.far_foot, start.far_foot),
    )


def _prop(table: PropTable) -> Prop:
    defaults = PROP_DEFAULTS.get(table.type, {})
    return Prop(
        kind=table.type,
        x=table.x or 0.0,
        at=table.at or (0.0, 0.0),
        height=table.height or defaults.get("height", 0.0),
        width=table.width or defaults.get("width", 0.0),
        radius=table.radius or defaults.get("radius", 0.0),
    )
