"""The cycle collector held off while a command starts (`spasmtimer.base.startup`), and always back
on once it has: a session may last hours, `remind --plain` days."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from spasmtimer.base import startup
from spasmtimer.cli import main


@pytest.fixture
def held() -> Iterator[None]:
    """The collector off, as `spasmtimer.__main__` leaves it; on again afterwards, whatever
    the test did, and nothing left frozen."""
    startup.hold()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def test_started_freezes_what_start_up_made_and_collects_again(held: None) -> None:
    assert not gc.isenabled()
    startup.started()
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    startup.started()  # a second call changes nothing
    assert gc.isenabled()


def test_started_leaves_a_collector_that_was_on_alone() -> None:
    assert gc.isenabled()
    startup.started()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("args", [["list"], ["plan", "desk-break"], ["check", "desk-break"]])
def test_the_other_commands_collect_from_the_start(
    held: None, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(args) == 0
    assert gc.isenabled()


def test_run_plain_collects_before_its_first_line(
    held: None, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spasmtimer.cli.plain import PlainRunner

    seen = []
    real = PlainRunner.run

    def run(self: PlainRunner) -> object:
        seen.append(gc.isenabled())
        return real(self)

    monkeypatch.setattr(PlainRunner, "run", run)
    program = tmp_path / "p.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    monkeypatch.setattr("sys.stdin", io.StringIO())
    assert main(["run", str(program), "--plain"]) == 0
    assert seen == [True]


def test_a_failing_command_leaves_nothing_to_hold(held: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "no-such-program"]) == 1
    # The process ends here: it does not matter that the collector was never turned back on.
    assert "no program by that name" in capsys.readouterr().err
