"""Where each key and value of a TOML document is, by line and column.

``tomllib`` gives values but no positions, and pydantic reports errors by key path
(``("steps", 2, "hold")``). This scanner walks a document that ``tomllib`` has already accepted
and records, for every key path, where its key (or table header, or array element) and its value
start, so that errors can point at ``FILE:LINE:COL``.

It is only run when there is an error to report, and it is best effort: it never raises, and
a path it did not reach is located at its nearest recorded parent.
"""

from __future__ import annotations

import bisect
import contextlib
import json

import msgspec

KeyPath = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}#\n\r \t")


class Position(msgspec.Struct, frozen=True):
    """A place in a TOML document: 1-based line and column."""

    line: int
    col: int


class Locations(msgspec.Struct):
    """Where the keys and values of one TOML document are, by key path."""

    keys: dict[KeyPath, Position] = msgspec.field(default_factory=dict)
    """Where each key, table header or array element starts."""
    values: dict[KeyPath, Position] = msgspec.field(default_factory=dict)
    """Where each value starts."""

    def key(self, path: KeyPath) -> Position:
        """The key at ``path``, or its nearest recorded parent; 1:1 for the document."""
        while path:
            if path in self.keys:
                return self.keys[path]
            path = path[:-1]
        return Position(1, 1)

    def value(self, path: KeyPath) -> Position:
        """The value at ``path``, or where its key is."""
        return self.values.get(path) or self.key(path)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.n = len(text)
        self.line_starts = [0] + [k + 1 for k, c in enumerate(text) if c == "\n"]
        self.found = Locations()
        self.arrays: dict[KeyPath, int] = {}  # last index of each array of tables

    # -- positions
    def pos(self, i: int | None = None) -> Position:
        i = self.i if i is None else i
        line = bisect.bisect_right(self.line_starts, i)
        return Position(line, i - self.line_starts[line - 1] + 1)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    # -- whitespace and comments
    def skip_blank(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def skip_comment(self) -> None:
        if self.peek() == "#":
            while self.i < self.n and self.s[self.i] != "\n":
                self.i += 1

    def skip_all(self) -> None:
        """Whitespace, newlines and comments."""
        while self.i < self.n:
            c = self.s[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                self.skip_comment()
            else:
                return

    # -- strings
    def basic_string(self) -> str:
        start = self.i + 1
        self.i += 1
        while self.i < self.n and self.s[self.i] != '"':
            self.i += 2 if self.s[self.i] == "\\" else 1
        raw = self.s[start : self.i]
        self.i += 1
        try:
            decoded: str = json.loads('"' + raw + '"')
            return decoded
        except ValueError:
            return raw

    def literal_string(self) -> str:
        start = self.i + 1
        end = self.s.find("'", start)
        end = self.n if end < 0 else end
        self.i = end + 1
        return self.s[start:end]

    def multiline(self, quote: str) -> None:
        self.i += 3
        delimiter = quote * 3
        while self.i < self.n:
            if quote == '"' and self.s[self.i] == "\\":
                self.i += 2
            elif self.s.startswith(delimiter, self.i):
                self.i += 3
                # Up to two quotes just before the delimiter belong to the string.
                extra = 0
                while extra < 2 and self.peek() == quote:
                    self.i += 1
                    extra += 1
                return
            else:
                self.i += 1

    # -- keys
    def key_parts(self) -> list[tuple[str, Position]]:
        parts = []
        while True:
            self.skip_blank()
            at = self.pos()
            c = self.peek()
            if c == '"':
                name = self.basic_string()
            elif c == "'":
                name = self.literal_string()
            else:
                start = self.i
                while self.i < self.n and self.s[self.i] in _BARE:
                    self.i += 1
                if self.i == start:
                    raise ValueError("expected a key")
                name = self.s[start : self.i]
            parts.append((name, at))
            self.skip_blank()
            if self.peek() != ".":
                return parts
            self.i += 1

    def advanced_from(self, start: int) -> None:
        # Guards the loops against input this scanner does not understand.
        if self.i <= start:
            raise ValueError("no progress")

    def record(self, path: KeyPath, key: Position, value: Position | None = None) -> None:
        self.found.keys.setdefault(path, key)
        if value is not None:
            self.found.values.setdefault(path, value)

    # -- structure
    def header(self) -> KeyPath:
        at = self.pos()
        is_array = self.s.startswith("[[", self.i)
        self.i += 2 if is_array else 1
        parts = self.key_parts()
        self.i += 2 if is_array else 1
        path: KeyPath = ()
        for k, (name, _) in enumerate(parts):
            path += (name,)
            if k == len(parts) - 1 and is_array:
                index = self.arrays.get(path, -1) + 1
                self.arrays[path] = index
                self.record(path, at)
                path += (index,)
            elif path in self.arrays:
                path += (self.arrays[path],)
            self.record(path, at)
        # A header names its table exactly where it stands, even if a dotted key met it first.
        self.found.keys[path] = at
        return path

    def keyval(self, table: KeyPath) -> None:
        parts = self.key_parts()
        path = table
        for name, at in parts:
            path += (name,)
            self.record(path, at)
        self.skip_blank()
        self.i += 1  # "="
        self.skip_blank()
        self.found.values.setdefault(path, self.pos())
        self.value(path)

    def value(self, path: KeyPath) -> None:
        c = self.peek()
        if c == '"':
            if self.s.startswith('"""', self.i):
                self.multiline('"')
            else:
                self.basic_string()
        elif c == "'":
            if self.s.startswith("'''", self.i):
                self.multiline("'")
            else:
                self.literal_string()
        elif c == "[":
            self.array(path)
        elif c == "{":
            self.inline_table(path)
        else:
            self.scalar()

    def scalar(self) -> None:
        start = self.i
        while self.i < self.n and self.s[self.i] not in _SCALAR_END:
            self.i += 1
        token = self.s[start : self.i]
        # A date and a time may be separated by a space: 1979-05-27 07:32:00
        if (
            len(token) == 10
            and token[4:5] == "-"
            and self.peek() == " "
            and self.peek(1).isdigit()
            and self.peek(3) == ":"
        ):
            self.i += 1
            self.scalar()

    def array(self, path: KeyPath) -> None:
        self.i += 1
        index = 0
        while self.i < self.n:
            self.skip_all()
            if self.peek() == "]":
                self.i += 1
                return
            element = (*path, index)
            at = self.pos()
            start = self.i
            self.record(element, at, at)
            self.value(element)
            index += 1
            self.skip_all()
            if self.peek() == ",":
                self.i += 1
            self.advanced_from(start)

    def inline_table(self, path: KeyPath) -> None:
        self.i += 1
        while self.i < self.n:
            self.skip_all()
            if self.peek() == "}":
                self.i += 1
                return
            start = self.i
            self.keyval(path)
            self.skip_all()
            if self.peek() == ",":
                self.i += 1
            self.advanced_from(start)

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_all()
            if self.i >= self.n:
                return
            start = self.i
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)
            self.advanced_from(start)


def locate(text: str) -> Locations:
    """The positions of the keys and values of ``text``, a document ``tomllib`` accepts."""
    scanner = _Scanner(text)
    # Best effort: keep what was found.
    with contextlib.suppress(ValueError, IndexError, RecursionError):
        scanner.document()
    return scanner.found
