"""The app's parsed CSS, kept from one start to the next.

Textual parses every stylesheet the app uses — ``app.tcss`` and the ``DEFAULT_CSS`` of each
widget — at every start: some 18 ms of a session's first frame, ``app.tcss`` alone 10 ms, where
reading back what was parsed last time takes 2. So the rules a start parses are kept in
``$XDG_CACHE_HOME/spasmtimer/css-TEXTUAL_VERSION.pickle``, each under the exact CSS text, where
it was read from, how (default CSS or not, its scope and tie-breaker) and the CSS variables
(the theme) it was parsed with. The next start takes a stylesheet's rules from there only when
all of that is the same; anything else (an edited ``app.tcss``, another theme, another Textual)
is parsed as ever, and kept at exit.

The file is trusted as the program cache's are (`program_cache.read_trusted`): a pickle can run
code, so it is read only from a regular file and a folder of this user's that no one else can
write. It is never needed: missing, damaged or stale, the CSS is parsed.

This reaches into Textual's `Stylesheet._parse_rules`, so it is used only on the Textual
versions it was checked against (`textual_output.CHECKED_VERSIONS`).
"""

from __future__ import annotations

import pickle
import sys
from typing import Any

from textual.css.model import RuleSet
from textual.css.styles import Styles
from textual.css.stylesheet import Stylesheet

from spasmtimer.app import textual_output
from spasmtimer.base import locations

FORMAT = 1
"""Changed whenever what is kept changes shape."""


def kept_file_name() -> str:
    return f"css-{textual_output.textual_version}.pickle"


class KeptCSS:
    """Parsed rules by what they were parsed from, for one Textual and one Python."""

    def __init__(self) -> None:
        self.rules: dict[tuple[object, ...], Any] = {}
        self.parsed = 0
        """Stylesheets parsed since this was read: what keeping it anew would add."""
        self.used: set[tuple[object, ...]] = set()

    def install(self, stylesheet: Stylesheet) -> bool:
        """Have ``stylesheet`` take its rules from here when it can, and add those it parses;
        whether it does (only on a checked Textual)."""
        if textual_output.textual_version not in textual_output.CHECKED_VERSIONS:
            return False
        parse_rules = stylesheet._parse_rules
        # The variables as a key, with the dict they were made from: held, so that a later
        # theme's dict cannot take its place in memory and pass for it.
        variables: list[tuple[dict[str, str], tuple[tuple[str, str], ...]]] = []

        def kept_or_parsed(
            css: str,
            read_from: Any,
            is_default_rules: bool = False,
            tie_breaker: int = 0,
            scope: str = "",
        ) -> Any:
            current = stylesheet._variables
            if not variables or variables[0][0] is not current:  # a new dict for a new theme
                variables[:] = [(current, tuple(sorted(current.items())))]
            key = (css, read_from, is_default_rules, tie_breaker, scope, variables[0][1])
            rules = self.rules.get(key)
            if rules is None:
                rules = parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
                self.rules[key] = rules
                self.parsed += 1
            self.used.add(key)
            return rules

        stylesheet._parse_rules = kept_or_parsed  # type: ignore[method-assign]
        return True

    @classmethod
    def read(cls) -> KeptCSS:
        """What the last start kept; empty if nothing trusted and of this version is there."""
        from spasmtimer.program.cache import read_trusted

        kept = cls()
        data = read_trusted(locations.cache_dir() / kept_file_name())
        if data is None:
            return kept
        try:
            key, rules = pickle.loads(data)
        except Exception:  # damaged, truncated, or not ours: whatever unpickling raises
            return kept
        if key == _key() and _well_formed(rules):
            kept.rules = rules
        return kept

    def keep(self) -> None:
        """Keep the rules for the next start, if this one parsed any; silently not, if that
        cannot be done. Only the latest theme's: an old theme's rules are not kept for ever."""
        if not self.parsed or not self.rules:
            return
        from spasmtimer.program.cache import keep_trusted

        # The latest theme's, less what an edited file (the same source, other CSS) replaced.
        latest = list(self.rules)[-1][-1]
        replaced = {key[1] for key in self.used}
        rules = {
            key: value
            for key, value in self.rules.items()
            if key[-1] == latest and (key in self.used or key[1] not in replaced)
        }
        try:
            data = pickle.dumps((_key(), rules), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # rules that will not pickle: parsed every time, as before
            return
        keep_trusted(kept_file_name(), data)


def _well_formed(rules: object) -> bool:
    """Whether ``rules`` has the shape `KeptCSS.rules` has: a pickle of this version holding
    anything else (written by hand) would fail the app at every start."""
    return isinstance(rules, dict) and all(
        isinstance(key, tuple)
        and len(key) == 6
        and isinstance(key[0], str)
        and isinstance(value, list)
        and all(isinstance(rule, RuleSet) and isinstance(rule.styles, Styles) for rule in value)
        for key, value in rules.items()
    )


def _key() -> tuple[object, ...]:
    return (FORMAT, textual_output.textual_version, sys.version)
