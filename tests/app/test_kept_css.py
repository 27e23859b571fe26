"""The app's parsed CSS, kept from one start to the next (`spasmtimer.app.kept_css`)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from textual.css.parse import parse
from textual.css.stylesheet import Stylesheet

from spasmtimer.app import kept_css, textual_output
from spasmtimer.app.kept_css import KeptCSS, kept_file_name
from spasmtimer.base import locations
from spasmtimer.session.settings import Settings
from tests.app_support import Recorded, advance, make_app
from tests.support import DATA, FakeClock

PROGRAM = DATA / "valid" / "spec-example.toml"


async def screen_with(kept: KeptCSS, theme: str = "textual-dark") -> str:
    """The session screen a second in, drawn by an app whose stylesheet uses ``kept``."""
    clock = FakeClock()
    app = make_app(clock, Recorded(), run=PROGRAM, settings=Settings(theme=theme))
    assert kept.install(app.stylesheet)
    async with app.run_test(size=(80, 24)) as pilot:
        await advance(pilot, clock, 1)
        return app.export_screenshot()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Where from each stylesheet Textual parses was read."""
    seen: list[str] = []

    def spied(scope: str, css: str, read_from: tuple[str, str], *args: Any, **kwargs: Any) -> Any:
        seen.append(str(read_from))
        return parse(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr("textual.css.stylesheet.parse", spied)  # as the stylesheet calls it
    return seen


async def test_a_start_after_one_that_kept_its_css_parses_none_and_draws_the_same(
    parses: list[str],
) -> None:
    first = KeptCSS.read()
    assert first.rules == {}  # nothing kept yet
    drawn = await screen_with(first)
    assert any("app.tcss" in where for where in parses)
    first.keep()
    assert (locations.cache_dir() / kept_file_name()).stat().st_mode & 0o777 == 0o600
    parses.clear()
    second = KeptCSS.read()
    assert await screen_with(second) == drawn
    assert (parses, second.parsed) == ([], 0)


async def test_css_parsed_with_other_variables_is_not_taken(parses: list[str]) -> None:
    kept = KeptCSS.read()
    await screen_with(kept, theme="textual-dark")
    kept.keep()
    parses.clear()
    again = KeptCSS.read()
    await screen_with(again, theme="nord")  # another theme: other colours in every rule
    assert any("app.tcss" in where for where in parses)
    again.keep()
    assert {key[-1] for key in KeptCSS.read().rules} == {list(again.rules)[-1][-1]}


@pytest.mark.parametrize(
    "spoil",
    ["garbage", "another key", "other contents", "writable by others", "a link", "a folder"],
)
async def test_a_kept_file_that_cannot_be_trusted_is_not_used(
    parses: list[str], spoil: str
) -> None:
    kept = KeptCSS.read()
    drawn = await screen_with(kept)
    kept.keep()
    path = locations.cache_dir() / kept_file_name()
    if spoil == "garbage":
        path.write_bytes(os.urandom(100))
    elif spoil == "another key":
        path.write_bytes(pickle.dumps(((0, "0.0.0", "python"), kept.rules)))
    elif spoil == "other contents":  # the right key: a file written by hand, not by us
        path.write_bytes(pickle.dumps((kept_css._key(), dict.fromkeys(kept.rules, "x"))))
    elif spoil == "writable by others":
        path.chmod(0o666)
    elif spoil == "a link":
        real = path.with_name("elsewhere")
        path.rename(real)
        path.symlink_to(real)
    else:
        path.unlink()
        path.mkdir()
    parses.clear()
    fresh = KeptCSS.read()
    assert fresh.rules == {}
    assert await screen_with(fresh) == drawn
    assert any("app.tcss" in where for where in parses)


def test_a_textual_it_was_not_checked_against_keeps_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(textual_output, "textual_version", "0.0.1")
    app = make_app(FakeClock(), Recorded())
    assert not KeptCSS().install(app.stylesheet)


def sheet(kept: KeptCSS, primary: str) -> Stylesheet:
    stylesheet = Stylesheet(variables={"primary": primary})
    assert kept.install(stylesheet)
    return stylesheet


def test_a_new_theme_is_parsed_with_its_own_variables() -> None:
    kept = KeptCSS()
    stylesheet = sheet(kept, "red")
    stylesheet.add_source("Label { color: $primary; }", read_from=("a.tcss", ""))
    assert str(stylesheet.rules[0].styles.color) == "Color(255, 0, 0)"
    stylesheet.set_variables({"primary": "green"})
    stylesheet.parse()  # as Textual does after new variables
    assert str(stylesheet.rules[0].styles.color) == "Color(0, 128, 0)"
    assert kept.parsed == 2


def test_rules_of_a_file_since_edited_are_not_kept_again() -> None:
    first = KeptCSS()
    sheet(first, "red").add_source("Label { color: red; }", read_from=("a.tcss", ""))
    stylesheet = sheet(first, "red")
    stylesheet.add_source("Label { color: red; }", read_from=("a.tcss", ""))
    stylesheet.add_source("Static { color: red; }", read_from=("b.tcss", ""))
    assert len(stylesheet.rules) == 2
    first.keep()
    second = KeptCSS.read()
    edited = sheet(second, "red")
    edited.add_source("Label { color: blue; }", read_from=("a.tcss", ""))  # a.tcss edited
    assert len(edited.rules) == 1
    second.keep()
    kept = {(key[1], key[0]) for key in KeptCSS.read().rules}
    # b.tcss, unused this time, stays; a.tcss's old text goes.
    assert kept == {
        (("a.tcss", ""), "Label { color: blue; }"),
        (("b.tcss", ""), "Static { color: red; }"),
    }
