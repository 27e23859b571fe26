"""Figures: the format and its located errors, the renderer (exact mirrors, every size, only
its own characters), which pose each phase shows, and the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from msgspec.structs import replace

from spasmtimer.base.locations import user_figures_dir
from spasmtimer.cli import main
from spasmtimer.program.figures.library import figure_files, load_figure
from spasmtimer.program.figures.loader import read_figure
from spasmtimer.program.figures.pose import POSE_NAMES, Figure, PoseName
from spasmtimer.program.figures.render import mirror_line, render
from spasmtimer.program.loader import load_program
from spasmtimer.program.problems import ProgramError
from spasmtimer.program.timeline import expand
from spasmtimer.session.display import (
    MOVE_SECONDS,
    FigureFrame,
    figure_frame,
    next_figure_frame_in,
)
from spasmtimer.session.engine import Session
from tests.support import DATA, FakeClock

DRAWN = re.compile("^[ ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█\u2800-\u28ff]*$")
"""All a drawing may hold: spaces, quadrant blocks and braille."""
SIZES = [(16, 8), (24, 10), (29, 12), (30, 12), (40, 16), (60, 30)]


def every_pose() -> list[tuple[Figure, PoseName]]:
    found: list[tuple[Figure, PoseName]] = []
    for name in figure_files():
        figure = load_figure(name)
        found += [(figure, pose) for pose in POSE_NAMES if pose == "start" or getattr(figure.poses, pose)]
    return found


# --- the renderer -------------------------------------------------------------------------


@pytest.mark.parametrize(("columns", "rows"), SIZES)
def test_every_figure_draws_in_its_cells_and_its_mirror_exactly(columns: int, rows: int) -> None:
    for figure, pose in every_pose():
        drawing = render(figure, figure.pose(pose), columns, rows)
        lines = drawing.lines()
        assert len(lines) == rows and all(len(line) == columns for line in lines)
        assert all(DRAWN.match(line) for line in lines), (figure.name, pose)
        assert any(line.strip() for line in lines), (figure.name, pose, "drew nothing")
        mirrored = render(figure, figure.pose(pose), columns, rows, mirrored=True)
        assert mirrored.lines() == [mirror_line(line) for line in lines], (figure.name, pose)


def test_a_figure_stands_on_the_bottom_row_and_keeps_its_scale_from_pose_to_pose() -> None:
    figure = load_figure("knee-to-chest")
    start = render(figure, figure.pose("start"), 40, 16).lines()
    hold = render(figure, figure.pose("hold"), 40, 16).lines()
    assert start[-1].strip() and hold[-1].strip()  # the floor, on the bottom row
    assert start[-1] == hold[-1]  # the floor is drawn alike: one scale and one place for both
    assert start != hold


def test_blocks_from_30_columns_and_braille_below() -> None:
    figure = load_figure("stand-and-walk")
    wide = render(figure, figure.pose("start"), 30, 12).text()
    narrow = render(figure, figure.pose("start"), 29, 12).text()
    assert not re.search("[\u2800-\u28ff]", wide) and re.search("[▀▄█▌▐]", wide)
    assert re.search("[\u2801-\u28ff]", narrow) and not re.search("[▀▄█▌▐]", narrow)


def test_between_two_poses_turns_each_angle_the_short_way() -> None:
    figure = load_figure("knee-to-chest")
    start, hold = figure.pose("start"), figure.pose("hold")
    assert start.between(hold, 0) == start
    assert start.between(hold, 1).leg == pytest.approx(hold.leg)
    halfway = start.between(hold, 0.5)
    assert all(min(a, b) <= m <= max(a, b) for a, b, m in zip(start.leg, hold.leg, halfway.leg, strict=True))
    # 350 to 10 degrees is 20 degrees forward, not 340 back.
    from_350, to_10 = replace(start, neck=350.0), replace(start, neck=10.0)
    assert from_350.between(to_10, 0.5).neck % 360 == pytest.approx(0.0)


# --- the format ----------------------------------------------------------------------------

EXPECTED = {
    "typo": "typo.toml:6:1: poses.start.lgg: unknown key `lgg` (did you mean `leg`?)",
    "angle": 'angle.toml:3:8: poses.start.back: must be an angle in degrees, such as 90 (up) or -45 (got "up")',
    "missing": "missing.toml:1:1: poses.start.hip: missing `hip`: the start pose gives every part of the body",
    "far": "far.toml:2:7: poses.start.hip: must be a place [x, y] in figure units, each from -30 to 30",
    "ball": "ball.toml:1:1: props[0].at: missing `at`: where the ball's centre is, [x, y]",
    "prop": "prop.toml:2:8: props[0].type: must be 'floor', 'wall', 'chair', 'bed', 'ball', 'roller' or 'tennis_ball' (got \"sofa\")",
    "pair": "pair.toml:4:7: poses.start.arm: must be two angles in degrees, [upper, lower]",
    "syntax": "syntax.toml:3:1: TOML syntax:",
    "control": "control.toml:1:9: title: must be plain text: it holds the control character U+001B",
    "binary": "binary.toml:1:1: is a binary file, not a TOML figure",
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_figure_file_that_is_wrong_is_said_at_its_line_and_column(name: str) -> None:
    path = DATA / "figures" / f"{name}.toml"
    figure, problems = read_figure(path, name, path.name)
    assert figure is None
    said = [str(p) for p in problems]
    assert said and said[0].startswith(EXPECTED[name]), said
    assert all("\x1b" not in line for line in said)


def test_a_figure_of_ones_own_stands_in_for_a_bundled_one(capsys: pytest.CaptureFixture[str]) -> None:
    folder = user_figures_dir()
    folder.mkdir(parents=True)
    (folder / "knee-to-chest.toml").write_text(
        '[poses.start]\nhip = [0, 4.4]\nback = 90\narm = [-90, -90]\nleg = [-90, -90]\n'
    )
    (folder / "\x1b]0;pwned.toml").write_text("not even read")  # not a name a program gives
    assert figure_files()["knee-to-chest"] == folder / "knee-to-chest.toml"
    assert load_figure("knee-to-chest").poses.hold is None
    assert main(["figure", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert "knee-to-chest" in listed and not any("pwned" in name for name in listed)


# --- programs that name figures ------------------------------------------------------------


def test_a_program_naming_no_figure_there_is_is_told_at_the_key(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text('[[steps]]\ntype = "rest"\nseconds = 5\nfigure = "knee-to-chst"\n')
    with pytest.raises(ProgramError) as raised:
        load_program(path)
    assert str(raised.value) == (
        f"{path}:4:10: steps[0].figure: no figure is called \"knee-to-chst\" (did you mean "
        "'knee-to-chest'?): `spasmtimer figure --list` lists them"
    )


def test_check_reads_the_figures_a_program_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = user_figures_dir()
    folder.mkdir(parents=True)
    (folder / "mine.toml").write_text("[poses.start]\nhip = [0, 4.4]\nbak = 90\n")
    path = tmp_path / "p.toml"
    path.write_text('[[steps]]\ntype = "rest"\nseconds = 5\nfigure = "mine"\n')
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "mine.toml:3:1: poses.start.bak: unknown key `bak` (did you mean `back`?)" in err


def test_plan_json_gives_each_phase_its_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "gentle-mobility", "--json"]) == 0
    phases = json.loads(capsys.readouterr().out)["phases"]
    assert phases[0]["kind"] == "prepare" and phases[0]["figure"] == "knee-to-chest"
    assert {p["figure"] for p in phases if p["name"] == "Cat-cow"} == {"cat-cow"}
    assert all("figure" in p for p in phases)


def test_every_bundled_step_has_a_figure_and_there_are_at_least_fourteen() -> None:
    from spasmtimer.base.locations import bundled_programs_dir

    named = set()
    for path in bundled_programs_dir().glob("*.toml"):
        program = load_program(path)
        for step in program.steps:
            assert step.figure is not None, (path.name, step.name)
            assert program.figure(step.figure) is not None
            named.add(step.figure)
    assert len(named) >= 14
    assert named <= set(figure_files())


# --- which pose each phase shows -----------------------------------------------------------


def session_of(tmp_path: Path, text: str) -> tuple[Session, FakeClock]:
    path = tmp_path / "p.toml"
    path.write_text(text)
    clock = FakeClock()
    session = Session(expand(load_program(path)), clock)
    session.start()
    return session, clock


STRETCH = """prepare = 3
[[steps]]
type = "stretch"
hold = 10
sides = "both"
switch = 2
figure = "knee-to-chest"
[[steps]]
type = "breathe"
inhale = 4
exhale = 4
figure = "cat-cow"
[[steps]]
type = "rest"
seconds = 5
figure = "stand-and-walk"
"""


def test_each_phase_shows_its_pose(tmp_path: Path) -> None:
    session, clock = session_of(tmp_path, STRETCH)

    def frame_at(t: float) -> FigureFrame:
        assert session.started_at is not None
        clock.now = session.started_at + t
        frame = figure_frame(session.state_at())
        assert frame is not None
        return frame

    ready = frame_at(1)  # getting ready: the first step's figure, where it starts
    assert (ready.name, ready.pose, ready.mirrored) == ("knee-to-chest", "start", False)
    # The hold: from the start to the held pose in its first 1.5 s, in quarter seconds.
    moving = frame_at(3 + 0.6)
    assert (moving.pose, moving.moving_from, moving.share) == ("hold", "start", 0.5 / MOVE_SECONDS)
    assert next_figure_frame_in(session.state_at()) == pytest.approx(0.15)
    assert frame_at(3 + 5).pose == "hold" and frame_at(3 + 5).moving_from is None
    assert next_figure_frame_in(session.state_at()) is None  # standing still: no frame to draw
    # The switch and the other side: the mirror image.
    switch = frame_at(3 + 10 + 1)
    assert (switch.pose, switch.mirrored) == ("start", True)
    assert frame_at(3 + 10 + 2 + 5).mirrored
    # The rest before the breathing drill shows the drill's figure, to get into position.
    rest = frame_at(3 + 10 + 2 + 10 + 1)
    assert (rest.name, rest.pose) == ("cat-cow", "start")
    # Breathing in: from the out-breath's pose to the in-breath's, with the breath.
    breathing = frame_at(3 + 22 + 10 + 2.1)
    assert (breathing.pose, breathing.moving_from, breathing.share) == ("inhale", "exhale", 0.5)
    # A rest step shows what to do in it: the figure's held pose.
    walking = frame_at(3 + 22 + 10 + 8 + 1)
    assert (walking.name, walking.pose) == ("stand-and-walk", "hold")


def test_a_paused_hold_stands_still(tmp_path: Path) -> None:
    session, clock = session_of(tmp_path, STRETCH)
    clock.advance(3.5)
    session.toggle_pause()
    paused = figure_frame(session.state_at())
    assert paused is not None and paused.moving_from is None
    assert next_figure_frame_in(session.state_at()) is None


# --- the command line -----------------------------------------------------------------------


def test_figure_prints_plain_text_at_the_size_asked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["figure", "cat-cow", "--pose", "exhale", "--width", "50", "--height", "20"]) == 0
    out = capsys.readouterr().out
    lines = out.rstrip("\n").split("\n")
    assert len(lines) <= 20 and all(len(line) <= 50 and DRAWN.match(line) for line in lines)
    assert lines[0].strip()  # no empty rows above the figure
    assert main(["figure", "cat-cow", "--other-side"]) == 0
    assert "\x1b" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["figure", "knee-to-chst"], "knee-to-chst: no figure by that name; did you mean knee-to-chest?"),
        (["figure", "knee-to-chest", "--width", "8"], "a figure needs at least 16×8 cells"),
        (["figure", "knee-to-chest", "--height", "x"], "a figure's size is a whole number of cells"),
        (["figure"], "name a figure, or --list to see them"),
    ],
)
def test_figure_says_what_is_wrong_in_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"spasmtimer: {said}") and err.count("\n") == 1

