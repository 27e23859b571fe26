"""A problem in a program file, located in it: what `check` prints, one per line.

Kept apart from the loader, which needs pydantic, so that a command can catch
`ProgramError` without paying for the import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import msgspec

from spasmtimer.base.errors import UserError
from spasmtimer.base.text import one_line, toml_key

Severity = Literal["error", "warning"]


class Problem(msgspec.Struct, frozen=True, order=True):
    """One thing wrong with a program file, located in it.

    An error stops the program from loading. A warning is something legal but almost surely
    not meant (a breathing rhythm longer than its hold): the program loads and runs, and
    `check` and `plan` say it, with "warning:" after the place.
    """

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: Severity = "error"
    included_from: tuple[str, ...] = ()
    """How the file was reached, when an include brought it in: ``FILE:LINE:COL`` of each
    `include`, the nearest first."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        if self.severity == "warning":
            where += ": warning"
        said = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        if self.included_from:
            said += " (included from " + ", from ".join(self.included_from) + ")"
        return one_line(said)


class ProgramError(UserError):
    """A program that cannot be run, with every problem found in it, each at its place."""

    located = True

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems))  # an included file can fail the same way twice
        super().__init__("\n".join(str(p) for p in self.problems))


def key_path(path: Iterable[str | int]) -> str:
    """``("steps", 2, "hold")`` -> ``"steps[2].hold"``; a key that is not bare is quoted."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = toml_key(part)
            out += f".{key}" if out else key
    return out
