"""The TOML position scanner, on its own: where each key and value of a document starts."""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from spasmtimer.program.tomlpos import Position, locate

DOCUMENT = """\
title = "Evening"   # a comment
tags = ["a", 'b']

[defaults]
rest = 10

[[steps]]
type = "stretch"
hold = { a = 1, "b.c" = 2 }

[[steps]]
type = "rest"
seconds = \"\"\"
multi "line"
\"\"\"
cue.text = 'x'
when = 1979-05-27 07:32:00
"""


def test_keys_values_and_array_elements_are_located() -> None:
    found = locate(DOCUMENT)
    assert found.key(("title",)) == Position(1, 1)
    assert found.value(("title",)) == Position(1, 9)
    assert found.value(("tags", 1)) == Position(2, 14)
    assert found.key(("defaults",)) == Position(4, 1)
    assert found.key(("defaults", "rest")) == Position(5, 1)
    assert found.key(("steps", 0)) == Position(7, 1)
    assert found.value(("steps", 0, "hold", "a")) == Position(9, 14)
    assert found.key(("steps", 0, "hold", "b.c")) == Position(9, 17)
    assert found.key(("steps", 1)) == Position(11, 1)
    assert found.value(("steps", 1, "seconds")) == Position(13, 11)
    # after a multi-line string, positions are still right
    assert found.key(("steps", 1, "cue")) == Position(16, 1)
    assert found.key(("steps", 1, "cue", "text")) == Position(16, 5)  # each part of a dotted key
    assert found.value(("steps", 1, "when")) == Position(17, 8)


def test_an_unknown_path_is_located_at_its_nearest_parent() -> None:
    found = locate(DOCUMENT)
    assert found.key(("steps", 1, "nowhere")) == Position(11, 1)
    assert found.value(("steps", 0, "hold", "zz")) == Position(9, 1)  # its table, `hold`
    assert found.key(("absent",)) == Position(1, 1)


def test_lines_are_counted_as_tomllib_counts_them() -> None:
    # U+0085 and U+2028 are line breaks to str.splitlines(), not to TOML.
    text = 'a = "x\u0085y\u2028z"\nb = 1\n'
    assert tomllib.loads(text)["b"] == 1
    assert locate(text).key(("b",)) == Position(2, 1)


@given(st.text(max_size=200))
def test_it_never_raises_whatever_the_text(text: str) -> None:
    locate(text)  # best effort: anything it cannot read is simply not located
