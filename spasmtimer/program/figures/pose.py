"""A figure as the renderer takes it: a jointed body seen from the side, in key poses, with the
things it lies, sits or leans on. Pure geometry, in figure units (a standing person is about
8.7 tall; the floor is at y = 0; the figure faces +x).

A pose gives the hip's place and the direction of each segment as an angle in degrees, measured
from +x (the way the figure faces) towards +y (up): 0 points forward, 90 up, 180 back, 270 (or
-90) down. The body is drawn from the hip outwards (`joints`).
"""

from __future__ import annotations

import math
from typing import Literal

import msgspec

MAX_FIGURE_BYTES = 64 * 1024
"""A figure file holds a few dozen lines; anything larger is not one."""
FIGURE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
"""What a figure's name is made of, as a program gives it: its file's name, without `.toml`."""

SEGMENTS = {
    # name: (length in figure units, drawn width): the proportions of an average adult.
    "lower_back": (1.4, 0.42),
    "upper_back": (1.4, 0.42),
    "neck": (0.45, 0.22),
    "upper_arm": (1.45, 0.24),
    "forearm": (1.35, 0.22),
    "thigh": (2.2, 0.32),
    "shin": (2.1, 0.26),
    "foot": (0.75, 0.22),
}
HEAD_RADIUS = 0.55

PoseName = Literal["start", "hold", "inhale", "exhale"]
POSE_NAMES: tuple[PoseName, ...] = ("start", "hold", "inhale", "exhale")

Layer = Literal["near", "far", "prop"]
"""What a mark is, for its colour: the near side of the body, the far side (behind it, drawn
dimmer), or a prop."""


class Pose(msgspec.Struct, frozen=True):
    """One key pose: where the hip is, and which way each segment points."""

    hip: tuple[float, float]
    lower_back: float
    upper_back: float
    neck: float
    arm: tuple[float, float]
    """The near arm: upper arm, forearm."""
    far_arm: tuple[float, float]
    leg: tuple[float, float]
    """The near leg: thigh, shin."""
    far_leg: tuple[float, float]
    foot: float
    far_foot: float

    def between(self, other: Pose, share: float) -> Pose:
        """The pose ``share`` (0 to 1) of the way from this one to ``other``: each angle turns
        the shorter way round."""

        def turn(a: float, b: float) -> float:
            return a + (((b - a + 180) % 360) - 180) * share

        def pair(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
            return turn(a[0], b[0]), turn(a[1], b[1])

        return Pose(
            hip=(
                self.hip[0] + (other.hip[0] - self.hip[0]) * share,
                self.hip[1] + (other.hip[1] - self.hip[1]) * share,
            ),
            lower_back=turn(self.lower_back, other.lower_back),
            upper_back=turn(self.upper_back, other.upper_back),
            neck=turn(self.neck, other.neck),
            arm=pair(self.arm, other.arm),
            far_arm=pair(self.far_arm, other.far_arm),
            leg=pair(self.leg, other.leg),
            far_leg=pair(self.far_leg, other.far_leg),
            foot=turn(self.foot, other.foot),
            far_foot=turn(self.far_foot, other.far_foot),
        )


PropKind = Literal["floor", "wall", "chair", "bed", "ball", "roller", "tennis_ball"]


class Prop(msgspec.Struct, frozen=True):
    """Something the body is on, against or over. Which fields count depends on ``kind``:
    floor: none (the line y = 0); wall: ``x``, ``height``; chair: ``x`` (the seat's back edge),
    ``height`` (the seat), ``width`` (its depth); bed: ``x``, ``height``, ``width``; ball,
    roller, tennis_ball: ``at`` (the centre), ``radius``."""

    kind: PropKind
    x: float = 0.0
    at: tuple[float, float] = (0.0, 0.0)
    height: float = 0.0
    width: float = 0.0
    radius: float = 0.0


class Poses(msgspec.Struct, frozen=True):
    """A figure's key poses: where a movement starts (and rests), the pose held, and, for a
    breathing drill, the body as the breath comes in and goes out."""

    start: Pose
    hold: Pose | None = None
    inhale: Pose | None = None
    exhale: Pose | None = None

    def given(self) -> list[Pose]:
        return [pose for pose in (self.start, self.hold, self.inhale, self.exhale) if pose]


class Figure(msgspec.Struct, frozen=True):
    """A figure: its key poses and its props."""

    name: str
    title: str
    poses: Poses
    props: tuple[Prop, ...] = ()

    def pose(self, name: PoseName) -> Pose:
        """The pose called ``name``, or the nearest one the figure has: a breath in or out
        falls back on the held pose, then on the start."""
        breath = name in ("inhale", "exhale")
        for candidate in (name, "hold", "start") if breath else (name, "start"):
            found: Pose | None = getattr(self.poses, candidate)
            if found is not None:
                return found
        return self.poses.start


# --- the body's shapes ------------------------------------------------------------------------

Point = tuple[float, float]


class Stroke(msgspec.Struct, frozen=True):
    """A line of some width from ``a`` to ``b`` (a dot when they are one point)."""

    a: Point
    b: Point
    width: float
    layer: Layer


class Ring(msgspec.Struct, frozen=True):
    """A circle: filled, or only its rim of ``width``."""

    centre: Point
    radius: float
    width: float | None
    """None: filled."""
    layer: Layer


Shape = Stroke | Ring


def _step(start: Point, angle: float, length: float) -> Point:
    radians = math.radians(angle)
    return start[0] + length * math.cos(radians), start[1] + length * math.sin(radians)


def joints(pose: Pose) -> dict[str, Point]:
    """Where each joint is in ``pose``."""
    hip = pose.hip
    waist = _step(hip, pose.lower_back, SEGMENTS["lower_back"][0])
    shoulder = _step(waist, pose.upper_back, SEGMENTS["upper_back"][0])
    neck = _step(shoulder, pose.neck, SEGMENTS["neck"][0])
    found = {
        "hip": hip,
        "waist": waist,
        "shoulder": shoulder,
        "neck": neck,
        "head": _step(neck, pose.neck, HEAD_RADIUS),
    }
    for side, arm, leg, foot in (
        ("", pose.arm, pose.leg, pose.foot),
        ("far_", pose.far_arm, pose.far_leg, pose.far_foot),
    ):
        elbow = _step(shoulder, arm[0], SEGMENTS["upper_arm"][0])
        knee = _step(hip, leg[0], SEGMENTS["thigh"][0])
        ankle = _step(knee, leg[1], SEGMENTS["shin"][0])
        found |= {
            f"{side}elbow": elbow,
            f"{side}hand": _step(elbow, arm[1], SEGMENTS["forearm"][0]),
            f"{side}knee": knee,
            f"{side}ankle": ankle,
            f"{side}toe": _step(ankle, foot, SEGMENTS["foot"][0]),
        }
    return found


def body_shapes(pose: Pose) -> list[Shape]:
    """The body in ``pose``, as strokes and a head: the far limbs first (they are behind)."""
    at = joints(pose)
    shapes: list[Shape] = []
    sides: tuple[tuple[str, Layer], ...] = (("far_", "far"), ("", "near"))
    for side, layer in sides:
        limbs = (
            ("shoulder", f"{side}elbow", "upper_arm"),
            (f"{side}elbow", f"{side}hand", "forearm"),
            ("hip", f"{side}knee", "thigh"),
            (f"{side}knee", f"{side}ankle", "shin"),
            (f"{side}ankle", f"{side}toe", "foot"),
        )
        shapes += [Stroke(at[a], at[b], SEGMENTS[s][1], layer) for a, b, s in limbs]
        if side == "far_":
            # The trunk and head come between the far limbs and the near ones.
            shapes += [
                Stroke(at["hip"], at["waist"], SEGMENTS["lower_back"][1], "near"),
                Stroke(at["waist"], at["shoulder"], SEGMENTS["upper_back"][1], "near"),
                Stroke(at["shoulder"], at["neck"], SEGMENTS["neck"][1], "near"),
                Ring(at["head"], HEAD_RADIUS, None, "near"),
            ]
    return shapes


PROP_LINE = 0.16
"""The width of a prop's lines: thinner than the body's, so that the body stands out."""


def prop_shapes(prop: Prop, left: float, right: float) -> list[Shape]:
    """``prop`` as shapes; ``left`` and ``right`` bound what the floor spans."""
    w = PROP_LINE
    match prop.kind:
        case "floor":
            return [Stroke((left, -w / 2), (right, -w / 2), w, "prop")]
        case "wall":
            return [Stroke((prop.x, 0.0), (prop.x, prop.height), w * 1.5, "prop")]
        case "chair":
            back, front, seat = prop.x, prop.x + prop.width, prop.height
            return [
                Stroke((back, seat), (front, seat), w * 1.5, "prop"),
                Stroke((back, 0.0), (back, seat + 2.2), w, "prop"),
                Stroke((front, 0.0), (front, seat), w, "prop"),
            ]
        case "bed":
            near, far, top = prop.x, prop.x + prop.width, prop.height
            return [
                Stroke((near, top), (far, top), w * 2, "prop"),
                Stroke((near, 0.0), (near, top), w, "prop"),
                Stroke((far, 0.0), (far, top), w, "prop"),
            ]
        case "ball":
            return [Ring(prop.at, prop.radius, w * 1.5, "prop")]
        case "roller" | "tennis_ball":
            return [Ring(prop.at, prop.radius, None, "prop")]
    raise AssertionError(prop.kind)


def bounds(figure: Figure) -> tuple[float, float, float, float]:
    """The box (left, bottom, right, top) every pose and prop of ``figure`` fits in, so that
    its poses are drawn at one scale and in one place."""
    xs: list[float] = []
    ys: list[float] = []
    for pose in figure.poses.given():
        for x, y in joints(pose).values():
            xs.append(x)
            ys.append(y)
    for prop in figure.props:
        match prop.kind:
            case "wall":
                xs.append(prop.x)
                ys.append(prop.height)
            case "chair":
                xs += [prop.x, prop.x + prop.width]
                ys.append(prop.height + 2.2)
            case "bed":
                xs += [prop.x, prop.x + prop.width]
                ys.append(prop.height)
            case "ball" | "roller" | "tennis_ball":
                xs += [prop.at[0] - prop.radius, prop.at[0] + prop.radius]
                ys += [prop.at[1] - prop.radius, prop.at[1] + prop.radius]
    margin = HEAD_RADIUS + 0.3
    left, right = min(xs) - margin, max(xs) + margin
    bottom = min([*ys, 0.0]) - 0.3
    top = max(ys) + margin
    return left, bottom, right, top
