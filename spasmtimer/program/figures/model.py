"""The figure file format: pydantic models of one TOML file (docs/figures.md).

A figure file gives a title, the props, and key poses by angles: ``[poses.start]`` in full,
and ``[poses.hold]``, ``[poses.inhale]``, ``[poses.exhale]`` as what differs from the start.
Field docstrings become the JSON Schema's descriptions.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from spasmtimer.base.text import as_written
from spasmtimer.program.model import Text

REACH = 30.0
"""How far from the origin (in figure units: a person stands about 8.7 tall) a place may be."""


def _angle(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PydanticCustomError(
            "angle",
            "must be an angle in degrees, such as 90 (up) or -45 (got {got})",
            {"got": as_written(value)},
        )
    return float(value) % 360


Angle = Annotated[
    float,
    BeforeValidator(_angle),
    WithJsonSchema({"type": "number", "description": "degrees: 0 forward, 90 up, 180 back"}),
]


def _place(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        or not all(math.isfinite(v) and abs(v) <= REACH for v in value)
    ):
        raise PydanticCustomError(
            "place",
            "must be a place [x, y] in figure units, each from -{reach} to {reach} "
            "(a person stands about 8.7 tall; the floor is y = 0) (got {got})",
            {"reach": int(REACH), "got": as_written(value)},
        )
    return float(value[0]), float(value[1])


Place = Annotated[
    tuple[float, float],
    BeforeValidator(_place),
    WithJsonSchema({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}),
]


def _pair(value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise PydanticCustomError(
            "angles",
            "must be two angles in degrees, [upper, lower], such as [-90, -90] (got {got})",
            {"got": as_written(value)},
        )
    first, second = _angle(value[0]), _angle(value[1])
    return first, second


Angles = Annotated[
    tuple[float, float],
    BeforeValidator(_pair),
    WithJsonSchema({"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}),
]


def _length(value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= REACH
    ):
        raise PydanticCustomError(
            "length",
            "must be a length in figure units, above 0 and at most {reach} (got {got})",
            {"reach": int(REACH), "got": as_written(value)},
        )
    return float(value)


Length = Annotated[
    float,
    BeforeValidator(_length),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": REACH}),
]


def _coordinate(value: Any) -> float:
    return _place([value, 0])[0]


Coordinate = Annotated[
    float,
    BeforeValidator(_coordinate),
    WithJsonSchema({"type": "number", "minimum": -REACH, "maximum": REACH}),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class PoseTable(_Model):
    """A key pose, by where the hip is and the angle of each part of the body: 0 points
    forward (the way the figure faces), 90 up, 180 back, -90 down."""

    hip: Place | None = None
    """Where the hip is, [x, y]: the figure is drawn outwards from it."""
    back: Angle | None = None
    """Both parts of the back at one angle (90: upright; 180: lying on the back, head back)."""
    lower_back: Angle | None = None
    """The lower back, from the hip to the waist: rounds and arches the back with `upper_back`."""
    upper_back: Angle | None = None
    """The upper back, from the waist to the shoulders."""
    neck: Angle | None = None
    """The neck and head. Default: as the upper back."""
    arm: Angles | None = None
    """The near arm: [upper arm, forearm]."""
    far_arm: Angles | None = None
    """The far arm, behind the body, drawn dimmer. Default: as the near arm."""
    leg: Angles | None = None
    """The near leg: [thigh, shin]."""
    far_leg: Angles | None = None
    """The far leg. Default: as the near leg."""
    foot: Angle | None = None
    """The near foot. Default 0: flat, pointing forward."""
    far_foot: Angle | None = None
    """The far foot. Default: as the near foot."""


PropType = Literal["floor", "wall", "chair", "bed", "ball", "roller", "tennis_ball"]


class PropTable(_Model):
    """Something the body is on, against or over."""

    type: PropType
    """floor, wall, chair, bed, ball (an exercise ball), roller (a foam roller) or
    tennis_ball."""
    x: Coordinate | None = None
    """Where it stands: a wall's line, a chair's or a bed's near edge."""
    at: Place | None = None
    """A ball's or a roller's centre, [x, y]."""
    height: Length | None = None
    """A wall's height, a chair's seat, a bed's top. Defaults: 7, 2.2, 2.2."""
    width: Length | None = None
    """A chair seat's or a bed's depth. Defaults: 2, 9."""
    radius: Length | None = None
    """A ball's, a roller's or a tennis ball's. Defaults: 1.3, 0.35, 0.15."""


class Poses(_Model):
    """The key poses: `start` in full, the others as what differs from it."""

    start: PoseTable
    """Where the movement starts, and the body between reps and sides."""
    hold: PoseTable | None = None
    """The pose held, as what differs from the start."""
    inhale: PoseTable | None = None
    """A breathing drill's body as the breath comes in, as what differs from the start."""
    exhale: PoseTable | None = None
    """A breathing drill's body as the breath goes out, as what differs from the start."""


class FigureFile(_Model):
    """A spasmtimer figure: a body seen from the side, in key poses, with its props."""

    model_config = ConfigDict(title="spasmtimer figure")

    title: Text | None = None
    """What the figure shows. Default: the file's name."""
    props: list[PropTable] = []
    """The floor, a wall, a chair, a bed, a ball, a foam roller, a tennis ball."""
    poses: Poses
    """The key poses."""
