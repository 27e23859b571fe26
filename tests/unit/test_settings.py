"""The settings file, checked by hand (no pydantic on the way to a first frame)."""

from __future__ import annotations

import pytest

from spasmtimer.base.locations import settings_file
from spasmtimer.session.settings import SettingError, Settings, load_settings, save_settings


def settings_from(text: str) -> tuple[Settings, list[str]]:
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    loaded = load_settings()
    return loaded.settings, [p.removeprefix(f"{path}: ") for p in loaded.problems]


def test_no_file_is_the_defaults() -> None:
    assert load_settings().settings == Settings()
    assert load_settings().problems == []


def test_every_setting_is_read() -> None:
    settings, problems = settings_from(
        'bell = false\nflash = false\nspeech = true\ntheme = "nord"\nprepare = "1m"\n'
        'title = false\nnotify = "on"\nprogress = false\n'
    )
    assert problems == []
    assert settings == Settings(
        bell=False,
        flash=False,
        speech=True,
        theme="nord",
        prepare=60,
        title=False,
        notify="on",
        progress=False,
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('bell = "loud"', '`bell` must be true or false (got "loud"); using the default'),
        ("flash = 2", "`flash` must be true or false (got 2); using the default"),
        ("theme = 3", "`theme` must be a theme's name in quotes (got 3); using the default"),
        ('notify = "sometimes"', '`notify` must be "auto", "on" or "off" (got "sometimes"); using the default'),
        ("prepare = -1", "`prepare` must be 0 or more (got -1); using the default"),
        ("prepare = 4000", "`prepare` must be at most 1 hour (3600 seconds) (got 4000); using the default"),
        ('prepare = "1m70s"', '`prepare` has 70 seconds after the minutes, which is a minute or more: did you mean "2m10s"? (got "1m70s"); using the default'),
        ("volume = 3", "unknown setting `volume` ignored (settings: bell, flash, speech, theme, prepare, title, notify, progress, sync_folder)"),
    ],
)
def test_a_bad_setting_is_said_and_replaced_by_its_default(line: str, problem: str) -> None:
    settings, problems = settings_from(f"{line}\n")
    assert settings == Settings()
    assert problems == [problem]


@pytest.mark.parametrize(("word", "value"), [("yes", True), ("off", False), ("1", True)])
def test_the_words_pydantic_took_for_true_and_false_still_work(word: str, value: bool) -> None:
    settings, problems = settings_from(f'bell = "{word}"\n')
    assert (settings.bell, problems) == (value, [])


def test_validated_refuses_what_the_file_would() -> None:
    assert Settings.validated({"prepare": "30s"}).prepare == 30
    with pytest.raises(SettingError, match="at most 1 hour"):
        Settings.validated({"prepare": 7200})
    with pytest.raises(SettingError, match="not a setting"):
        Settings.validated({"volume": 3})


def test_saved_settings_read_back_the_same() -> None:
    settings = Settings(bell=False, theme="nord", prepare=2.5, notify="off")
    save_settings(settings)
    assert load_settings().settings == settings
