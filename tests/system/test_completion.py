"""Shell completion, sourced in a real shell: commands, options, and program names."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
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


# --- names chosen by someone else: completed as themselves, or not at all, and never run ------

HOSTILE_NAMES = {
    # The prefix a person types, and the name it must complete to.
    "q1": "q1$(touch PWNED)",
    "q2": "q2`touch PWNED`",
    "q3": "q3'quote",
    "q4": 'q4"double',
    "q5": "q5 two words",
    "q6": "q6*glob?[x]",
    "q7": "q7${IFS}x",
    "q8": "q8\\back",
    "q9": "q9'$(touch PWNED)'",
    "q0": "q0;touch PWNED&",
}
UNCARRIABLE_NAMES = {
    # A shell cannot carry these as one word: they are not offered at all.
    "w1": b"w1\ntouch PWNED",
    "w2": b"w2\xfcbung",
    "w3": b"w3\ttab",
    "w4": b"w4\x1b]0;title\x07",
}
INTERACTIVE = {
    "bash": (["bash", "--norc", "--noprofile", "-i"], "source <(spasmtimer completion bash)"),
    "zsh": (
        ["zsh", "-f", "-i"],
        'autoload -Uz compinit && compinit -u && eval "$(spasmtimer completion zsh)"',
    ),
    "fish": (["fish", "--no-config", "-i"], "spasmtimer completion fish | source"),
}


@pytest.fixture
def hostile_library(tmp_path: Path) -> Path:
    """The user's programs folder holding programs whose names a stranger chose."""
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "spasmtimer" / "programs"
    folder.mkdir(parents=True)
    program = b'[[steps]]\ntype = "rest"\nseconds = 5\n'
    for name in HOSTILE_NAMES.values():
        (folder / f"{name}.toml").write_bytes(program)
    for raw in UNCARRIABLE_NAMES.values():
        (folder / os.fsdecode(raw + b".toml")).write_bytes(program)
    return folder


def test_list_names_leaves_out_what_a_shell_cannot_carry(hostile_library: Path) -> None:
    result = subprocess.run(
        [BIN / "spasmtimer", "list", "--names"], capture_output=True, timeout=30
    )
    assert result.returncode == 0
    names = result.stdout.decode().splitlines()
    assert set(HOSTILE_NAMES.values()) <= set(names)
    assert not any(name.startswith("w") for name in names)
    assert "desk-break" in names


def _completed_in(shell: str, tmp_path: Path, typed: list[str]) -> list[list[str]]:
    """Type ``spasmtimer run PREFIX``, Tab and Enter for each prefix in a real, interactive
    ``shell``; the arguments each command line ran with (a stand-in `spasmtimer` records them,
    and hands ``list`` and ``completion`` to the real one)."""
    from tests.pty_support import Pty

    argv_file = tmp_path / "argv"
    shim = tmp_path / "bin" / "spasmtimer"
    shim.parent.mkdir()
    shim.write_text(
        "#!/bin/sh\n"
        f'case "$1" in list|completion) exec {BIN / "spasmtimer"} "$@";; esac\n'
        f"printf '%s\\0' \"$@\" >> {argv_file}\n"
        f"printf '\\n' >> {argv_file}\n"
    )
    shim.chmod(0o755)
    argv, setup = INTERACTIVE[shell]
    env = dict(os.environ, PATH=f"{shim.parent}:{BIN}:{os.environ['PATH']}", TERM="xterm")
    env.pop("PROMPT_COMMAND", None)
    with Pty(argv, env=env, size=(200, 50)) as shell_pty:
        shell_pty.send(f'{setup}; echo READY-""42\r'.encode())
        shell_pty.read_until(b"READY-42", timeout=30)
        for prefix in typed:
            before = argv_file.read_bytes().count(b"\n") if argv_file.exists() else 0
            shell_pty.send(f"spasmtimer run {prefix}\t".encode())
            time.sleep(0.3)  # the completion is drawn before Enter is read
            shell_pty.send(b"\r")
            deadline = time.monotonic() + 15
            while (argv_file.read_bytes().count(b"\n") if argv_file.exists() else 0) == before:
                assert time.monotonic() < deadline, bytes(shell_pty.output[-600:])
                shell_pty._read(0.1)
        shell_pty.send(b"exit\r")
    records = argv_file.read_bytes().split(b"\n")[:-1]
    return [[arg.decode() for arg in record.split(b"\0")[:-1]] for record in records]


@pytest.mark.parametrize("shell", sorted(INTERACTIVE))
def test_hostile_names_complete_as_themselves_and_nothing_runs(
    shell: str, hostile_library: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed")
    monkeypatch.chdir(tmp_path)
    prefixes = [*HOSTILE_NAMES, *UNCARRIABLE_NAMES]
    ran = _completed_in(shell, tmp_path, prefixes)
    expected = [["run", name] for name in HOSTILE_NAMES.values()]
    expected += [["run", prefix] for prefix in UNCARRIABLE_NAMES]  # nothing was offered
    assert ran == expected
    assert not list(tmp_path.rglob("PWNED"))
    assert not list(Path(os.environ["HOME"]).rglob("PWNED"))
