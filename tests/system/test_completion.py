"""Shell completion, sourced in a real shell: commands, options, and program names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def complete_in_bash(*words: str) -> list[str]:
    """What bash offers for the last of ``words`` (``""`` for a new word), with the script of
    ``spasmtimer completion bash`` sourced."""
    line = " ".join(words)
    script = (
        'source <(spasmtimer completion bash)\n'
        f"COMP_WORDS=({' '.join(repr(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        f"COMP_LINE={line!r}\n"
        "COMP_POINT=${#COMP_LINE}\n"
        f"_shtab_spasmtimer spasmtimer {words[-1]!r} {words[-2]!r}\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}")
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


def test_commands_complete() -> None:
    assert complete_in_bash("spasmtimer", "pl") == ["plan"]
    assert set(complete_in_bash("spasmtimer", "")) >= {"run", "plan", "list", "status", "completion"}


def test_program_names_complete() -> None:
    assert complete_in_bash("spasmtimer", "run", "sea") == ["seated-hamstring"]
    assert "desk-break" in complete_in_bash("spasmtimer", "plan", "de")
    assert complete_in_bash("spasmtimer", "status", "desk") == ["desk-break"]
    assert complete_in_bash("spasmtimer", "remind", "desk") == ["desk-break"]


def test_the_users_programs_and_toml_files_complete_too(tmp_path: Path) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "spasmtimer" / "programs"
    folder.mkdir(parents=True)
    (folder / "seated-evening.toml").write_text('[[steps]]\ntype = "rest"\nseconds = 5\n')
    assert complete_in_bash("spasmtimer", "run", "sea") == ["seated-evening", "seated-hamstring"]
    (tmp_path / "mine.toml").write_text("")
    offered = complete_in_bash("spasmtimer", "run", str(tmp_path / "mi"))
    assert str(tmp_path / "mine.toml") in offered


def test_options_complete() -> None:
    assert set(complete_in_bash("spasmtimer", "run", "desk-break", "--")) >= {
        "--level",
        "--plain",
        "--no-bell",
        "--notify",
    }


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_are_made(shell: str) -> None:
    result = subprocess.run(
        [BIN / "spasmtimer", "completion", shell], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0
    assert "spasmtimer list --names" in result.stdout
    found = shutil.which(shell)
    if found:  # where the shell is installed, it must read the script without an error
        check = ["-n"] if shell == "zsh" else ["--no-execute"]
        parsed = subprocess.run(
            [found, *check], input=result.stdout, capture_output=True, text=True, timeout=30
        )
        assert parsed.returncode == 0, parsed.stderr
