"""The settings screen saves what it shows and keeps what it does not (`sync_folder`)."""

from __future__ import annotations

from spasmtimer.app.screens.library import LibraryScreen
from spasmtimer.app.screens.settings import SettingsScreen
from spasmtimer.base.locations import settings_file
from spasmtimer.session.settings import Settings, load_settings
from tests.app_support import Recorded, make_app
from tests.support import FakeClock


async def test_saving_the_settings_keeps_the_sync_folder(clock: FakeClock) -> None:
    path = settings_file()
    path.parent.mkdir(parents=True)
    path.write_text('sync_folder = "~/Sync/spasmtimer"\n')
    loaded = load_settings()
    assert loaded.settings == Settings(sync_folder="~/Sync/spasmtimer")
    app = make_app(clock, Recorded(), settings=loaded.settings)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.click("#bell")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
    assert load_settings().settings == Settings(bell=False, sync_folder="~/Sync/spasmtimer")
