"""The domain core imports without Textual, and the quick commands never pay for it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import spasmtimer

BELOW_THE_APP = ("base", "program", "session", "history", "course")
"""The layers below the app (see [tool.importlinter] in pyproject.toml): no Textual in them."""
PACKAGE = Path(spasmtimer.__file__).parent
CORE = [
    *sorted(
        f"spasmtimer.{layer}.{path.stem}" if path.stem != "__init__" else f"spasmtimer.{layer}"
        for layer in BELOW_THE_APP
        for path in (PACKAGE / layer).glob("*.py")
    ),
    "spasmtimer.cli",
    "spasmtimer.cli.plain",
    "spasmtimer.cli.reports",
]
"""Every module of those layers, from their folders; and the command line, but for the app."""


def last_line_of(code: str, *args: str, **environ: str) -> str:
    """What a fresh Python running ``code`` (with ``args``) prints last."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **environ},
        cwd=PACKAGE.parent,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def textual_loaded_after(code: str) -> bool:
    return last_line_of(f"{code}\nimport sys\nprint('textual' in sys.modules)") == "True"


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_without_textual(module: str) -> None:
    assert not textual_loaded_after(f"import {module}")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "spasm-first-aid"],
        ["plan", "desk-break"],
        ["plan", "desk-break", "--json"],
        ["list"],
        ["list", "--json"],
        ["schema"],
    ],
)
def test_quick_commands_do_not_import_textual(args: list[str]) -> None:
    code = (
        "import contextlib, io\nfrom spasmtimer.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    assert main({args!r}) == 0"
    )
    assert not textual_loaded_after(code)


def test_run_plain_does_not_import_textual(tmp_path) -> None:
    program = tmp_path / "p.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    code = (
        "import contextlib, io, sys\nfrom spasmtimer.cli import main\nsys.stdin = io.StringIO()\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    assert main(['run', {str(program)!r}, '--plain']) == 0"
    )
    assert not textual_loaded_after(code)


def test_a_program_run_before_runs_without_pydantic(tmp_path) -> None:
    """The second run of an unchanged program comes from the cache: no pydantic, no models."""
    program = tmp_path / "p.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    run = (
        "import contextlib, io, sys\nfrom spasmtimer.cli import main\nsys.stdin = io.StringIO()\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    assert main(['run', {str(program)!r}, '--plain']) == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core'}))"
    )
    for expected in ("['pydantic', 'pydantic_core']", "[]"):  # a new program, then a known one
        assert last_line_of(run) == expected


@pytest.mark.parametrize("args", [["figure", "knee-to-chest"], ["status"], ["today"]])
def test_a_figure_or_a_course_read_before_is_read_without_pydantic(
    tmp_path, args: list[str]
) -> None:
    """`figure NAME` and a status line with a course read the file's kept reading: no pydantic."""
    course = tmp_path / "course.toml"
    course.write_text(
        'title = "c"\nstart = 2026-12-07\n[[item]]\nprogram = "desk-break"\nper_day = 1\n'
    )
    code = (
        "import contextlib, io, os, shutil, sys\nfrom spasmtimer.cli import main\n"
        "from spasmtimer.base.locations import config_dir\n"
        "config_dir().mkdir(parents=True, exist_ok=True)\n"
        f"shutil.copy({str(course)!r}, config_dir() / 'course.toml')\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    main({args!r})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core'}))"
    )
    for expected in ("['pydantic', 'pydantic_core']", "[]"):  # read first, then kept
        assert last_line_of(code) == expected


def test_a_session_builds_no_dataclass_of_its_own(tmp_path) -> None:
    """Python 3.11 compiles each dataclass's methods with exec as its module is imported, about
    1 ms a class: the records on the way to a session's first frame are `msgspec.Struct`s."""
    program = tmp_path / "p.toml"
    program.write_text('prepare = 0\n[[steps]]\ntype = "rest"\nseconds = 0.01\n')
    run = (
        "import contextlib, dataclasses, io, sys\nfrom spasmtimer.cli import main\n"
        "sys.stdin = io.StringIO()\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    assert main(['run', {str(program)!r}, '--plain']) == 0\n"
        "import spasmtimer.app\n"
        "print(sorted(f'{m.__name__}.{n}' for m in list(sys.modules.values())\n"
        "    if m.__name__.startswith('spasmtimer') and 'loader' not in m.__name__\n"
        "    for n, c in vars(m).items()\n"
        "    if isinstance(c, type) and c.__module__ == m.__name__ and dataclasses.is_dataclass(c)))"
    )
    last_line_of(run)  # the program into the cache: the next run is the one of every day
    assert last_line_of(run) == "[]"


STATUS_NEEDS = {
    "spasmtimer",
    "spasmtimer.__main__",
    "spasmtimer.base",
    "spasmtimer.base.clocks",
    "spasmtimer.base.errors",
    "spasmtimer.base.exits",
    "spasmtimer.base.locations",
    "spasmtimer.base.startup",
    "spasmtimer.base.text",
    "spasmtimer.cli",
    "spasmtimer.cli.arguments",
    "spasmtimer.cli.commands",
    "spasmtimer.cli.commands.status",
    "spasmtimer.cli.context",
    "spasmtimer.cli.entry",
    "spasmtimer.history",
    "spasmtimer.history.database",
    "spasmtimer.history.days",
    "spasmtimer.history.lookups",
    "spasmtimer.history.status",
    "spasmtimer.history.times",
    "spasmtimer.program",
    "spasmtimer.program.durations",
    "spasmtimer.session",
    "spasmtimer.session.breaks",
}
"""What a status line needs: the command's module, where the history is, its look-ups, and
how long a break may be. Not the parser (argparse), the records (and msgspec), the program
format, the library."""


@pytest.mark.parametrize("sessions", [0, 40])
def test_status_imports_nothing_it_does_not_need(tmp_path: Path, sessions: int) -> None:
    """A prompt runs it at every command, a status bar every few seconds: Python's own start,
    sqlite3 and the history's look-ups, and nothing more — not argparse for its plain
    arguments (with the parser's making, some 6 ms), msgspec (some 10 ms), pathlib (4 ms),
    re (with enum, 6 ms), typing or dataclasses, nor a module of spasmtimer's it does not
    use."""
    data = tmp_path / "data"
    if sessions:
        setup = (
            "import os\nfrom datetime import UTC, datetime, timedelta\n"
            "from spasmtimer.history.store import History\n"
            "from spasmtimer.base.locations import history_file\n"
            "from tests.history_support import Past, record\n"
            "h = History.open(history_file())\n"
            "now = datetime.now(UTC)\n"
            f"record(h, *(Past('desk-break', 0, now - timedelta(hours=9 * n)) for n in range({sessions})))\n"
            "h.close()\nprint('ok')"
        )
        assert last_line_of(setup, XDG_DATA_HOME=str(data)) == "ok"
    code = (
        "import contextlib, io, sys\nfrom spasmtimer.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n        main()\n    except SystemExit as e:\n        assert e.code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('spasmtimer') or m.split('.')[0] in "
        "('argparse', 'msgspec', 'pathlib', 'typing', 'dataclasses', 'pydantic', 'textual', "
        "'re', 'enum')))"
    )
    loaded = eval(last_line_of(code, "status", XDG_DATA_HOME=str(data)))
    assert set(loaded) <= STATUS_NEEDS, set(loaded) - STATUS_NEEDS
    # --every is read as a program's durations are, with their patterns: re, and no more.
    every = eval(last_line_of(code, "status", "--every", "1h", XDG_DATA_HOME=str(data)))
    assert {m.split(".")[0] for m in set(every) - STATUS_NEEDS} <= {"re", "enum"}


def test_the_app_starts_without_plotext() -> None:
    """plotext (some 30 ms to import) is for the history screen's charts: not paid at start."""
    assert last_line_of("import spasmtimer.app\nimport sys\nprint('plotext' in sys.modules)") == (
        "False"
    )


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["run", "--help"]])
def test_version_and_help_import_only_what_they_print_with(args: list[str]) -> None:
    """Under 40 ms in all: argparse and the standard library's smallest parts. `typing`
    (3 ms) and `shutil` (4 ms with the compressors it brings) are each a tenth of that."""
    code = (
        "import contextlib, io, sys\nfrom spasmtimer.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    try:\n        main({args!r})\n    except SystemExit:\n        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('typing', 'shutil', 'dataclasses', 'msgspec', 'pydantic', 'textual', 'sqlite3', 'shtab')))"
    )
    assert last_line_of(code) == "[]"


def test_the_layers_contract_holds() -> None:
    """import-linter's contracts in pyproject.toml: each layer imports only those below it."""
    lint = Path(sys.executable).parent / "lint-imports"
    if not lint.exists():
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    result = subprocess.run([lint], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_imports_one_that_imports_it_back() -> None:
    """No import cycle, counting the imports made inside functions, which hide one."""
    grimp = pytest.importorskip("grimp", reason="import-linter (grimp) is not installed")
    graph = grimp.build_graph("spasmtimer")
    cycles = [
        (module, other)
        for module in graph.modules
        for other in graph.find_modules_directly_imported_by(module)
        if module != other and graph.chain_exists(importer=other, imported=module)
        # a package imports its own modules (cli/__init__ gives `main`): not a cycle
        and not other.startswith(module + ".") and not module.startswith(other + ".")
    ]
    assert cycles == []
