"""Text from outside — a program, a note, the database, a file name — as plain text for a terminal.

A terminal acts on control characters: ESC starts the sequences that set its title, write to the
clipboard (OSC 52) or move the cursor, and the C1 characters (U+0080–U+009F) do the same on
terminals that read them. `printable` makes each one visible instead (ESC becomes ␛), so a string
can be shown whatever it holds; `TerminalText` does it for everything a command writes.
"""

from __future__ import annotations

import io
import unicodedata

TYPE_CHECKING = False  # see spasmtimer.cli.entry
if TYPE_CHECKING:
    import re
    from typing import TextIO

CONTROL_CODES = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))
"""The control characters a terminal could act on: C0 but for tab and newline, DEL and C1.
What follows reads them with `str.translate`, not `re`: `status` imports this module, and
`re` (with the `enum` it needs) takes some 6 ms to import."""

_PICTURES = {
    code: chr(0x2400 + code)  # the Control Pictures block: ␀ … ␛ …
    if code < 0x20
    else "\u2421"  # ␡
    if code == 0x7F
    else "\ufffd"  # C1 has no pictures
    for code in CONTROL_CODES
}


def __getattr__(name: str) -> re.Pattern[str]:
    """``CONTROL``, a pattern of `CONTROL_CODES`, made when first asked for."""
    if name != "CONTROL":
        raise AttributeError(name)
    import re

    pattern = re.compile("[" + "".join(re.escape(chr(code)) for code in CONTROL_CODES) + "]")
    globals()["CONTROL"] = pattern
    return pattern


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline shown as a symbol, and bytes
    of a file's name that are not UTF-8 as ``\\xNN`` (`file_name_text`)."""
    return file_name_text(text).translate(_PICTURES)


def file_name_text(name: str) -> str:
    """A name or path from the file system as text that can be shown, stored and written as
    UTF-8: bytes that are not UTF-8 (an archive made on another system: ``\\xfcbung.toml``),
    which Python keeps as lone surrogates, become ``\\xNN``. Other text is returned as it is."""
    if name.isascii() or not any("\ud800" <= c <= "\udfff" for c in name):
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file system gave: shown all the same
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "backslashreplace")


def has_control(text: str) -> bool:
    return any(ord(char) in _PICTURES for char in text)


_TOML_ESCAPES = {code: f"\\u{code:04x}" for code in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_TOML_ESCAPES.update({ord("\n"): "\\n", ord("\t"): "\\t", ord("\\"): "\\\\", ord('"'): '\\"'})


def toml_string(text: str) -> str:
    """``text`` quoted on one line as TOML writes it, control characters escaped
    (``"\\u001b"``): how messages quote what a file says."""
    return '"' + text.translate(_TOML_ESCAPES) + '"'


def as_written(value: object) -> str:
    """Render a user's TOML value the way they wrote it, for error messages.

    Control characters are written as TOML escapes (``\\u001b``): a message never carries one.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


_LINE_BREAKS = {ord(char): "\u240a" for char in "\n\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """``text`` made `printable`, its line breaks shown as ␊: a message that must stay one
    line (one problem per line) stays one, whatever a file name holds."""
    return printable(text.translate(_LINE_BREAKS))


_BARE_KEY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def toml_key(key: str) -> str:
    """A key as TOML would need it written: bare when it can be, else quoted."""
    return key if key and _BARE_KEY.issuperset(key) else toml_string(key)


SPREADSHEET_FORMULA = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (``=HYPERLINK(...)``)."""


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs: text that starts like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA):
        return "'" + value
    return value


class TerminalText(io.TextIOBase):
    """A text stream that writes everything through `printable`.

    The command line wraps stdout and stderr in it, so that no command can put an escape
    sequence on the terminal whatever it prints. The bell, which `run --plain` rings on
    purpose, has a method of its own.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(printable(text))
        return len(text)

    def bell(self) -> None:
        self.stream.write("\a")

    def write_file(self, data: bytes) -> None:
        """A file's bytes, as they are: a calendar's CRLF lines, say. Only for files made
        from text that is plain already (a course's, checked as it was read)."""
        self.stream.flush()
        self.stream.buffer.write(data)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    # Read-only views of the wrapped stream's own (typeshed declares them writable).
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self.stream.errors


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (East Asian) characters take two, combining
    marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def fit_cells(text: str, columns: int) -> str:
    """``text`` cut to ``columns``, with "…" where it was cut."""
    if cell_width(text) <= columns:
        return text
    cut = ""
    for char in text:
        if cell_width(cut + char) > columns - 1:
            break
        cut += char
    return cut + "…"


def close_names(word: str, names: list[str], n: int = 3) -> list[str]:
    """The names a person who typed ``word`` may have meant, likeliest first: those it begins
    (``seated`` for ``seated-hamstring``), those it is part of, then those spelt alike —
    difflib's ratio alone misses a short word inside a long name."""
    import difflib  # only when a name is not found: the status line never needs it

    typed = word.casefold()
    starts = [name for name in names if name.casefold().startswith(typed)]
    within = [name for name in names if typed in name.casefold()]
    alike = difflib.get_close_matches(word, names, n=n)
    return list(dict.fromkeys([*starts, *within, *alike]))[:n]
