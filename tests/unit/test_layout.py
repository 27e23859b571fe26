"""The package's layout keeps its promises: modules of a readable size, commands that are one
module each, and a project that stands alone."""

from __future__ import annotations

import re
from pathlib import Path

import spasmtimer
from spasmtimer.cli.commands import COMMANDS

PACKAGE = Path(spasmtimer.__file__).parent
ROOT = PACKAGE.parent
LONGEST_MODULE = 700


def test_no_module_is_over_700_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}


def test_each_command_is_one_module_and_one_line() -> None:
    modules = {p.stem for p in (PACKAGE / "cli" / "commands").glob("*.py")} - {"__init__"}
    assert modules == set(COMMANDS)


def test_nothing_refers_outside_the_repository() -> None:
    """The contract is in docs/: no comment, test or page sends a reader to a file that is not
    in the repository."""
    if not (ROOT / "pyproject.toml").is_file():  # installed, not a checkout: nothing to read
        return
    outside = re.compile(r"\bSPEC\b|EXERCISES\.md|\.\./shared|shared/seeds")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("spasmtimer", "tests", "benchmarks", "docs")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".py", ".md", ".toml", ".tcss") and "__snapshots__" not in path.parts
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if outside.search(line) and path.name != "test_layout.py"
    ]
    readme = (ROOT / "README.md").read_text()
    assert found == [] and not outside.search(readme)


def test_every_page_the_readme_and_the_docs_link_is_there() -> None:
    if not (ROOT / "docs").is_dir():
        return
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(((?:docs/)?[\w-]+\.md)(?:#[\w-]+)?\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.name} links {target}"
