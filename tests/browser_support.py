"""A real browser for tests: headless Chromium, driven over the DevTools protocol with aiohttp.

No driver package: the protocol is JSON over a websocket, and aiohttp (textual-serve's own
dependency) speaks it. Each browser has a fresh profile, so it starts with no cookies, and it is
told to make no requests of its own (updates, sync, safe browsing), so every request a test's
servers see comes from the pages the test opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

Event = dict[str, Any]


class DevToolsError(Exception):
    """Chromium answered a command with an error."""


class Browser:
    """One page of a headless Chromium: navigate it, run script in it, read what it did.

    Every protocol event is kept in ``events``, in order, for the test to look through.
    """

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.events: list[Event] = []
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._news = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = message.json()
            if "id" in data:
                answer = self._answers.pop(data["id"])
                if "error" in data:
                    answer.set_exception(DevToolsError(data["error"]))
                else:
                    answer.set_result(data.get("result", {}))
            else:
                async with self._news:
                    self.events.append(data)
                    self._news.notify_all()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one protocol command; its result."""
        id_ = next(self._ids)
        answer = asyncio.get_running_loop().create_future()
        self._answers[id_] = answer
        await self.socket.send_json({"id": id_, "method": method, "params": params})
        return await asyncio.wait_for(answer, 20)

    async def wait_for(
        self, method: str, where: Callable[[Event], bool] = lambda _: True, *, since: int = 0
    ) -> Event:
        """The first event ``method`` from ``events[since:]`` for which ``where`` holds, waiting
        for it up to 20 seconds."""

        def found() -> Event | None:
            return next(
                (e for e in self.events[since:] if e["method"] == method and where(e["params"])),
                None,
            )

        async with self._news:
            await asyncio.wait_for(self._news.wait_for(found), 20)
        event = found()
        assert event is not None
        return event

    async def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event."""
        since = len(self.events)
        await self.send("Page.navigate", url=url)
        await self.wait_for("Page.loadEventFired", since=since)

    async def run(self, script: str) -> Any:
        """Run ``script`` in the page (awaiting it, if it is a promise); its value."""
        result = await self.send(
            "Runtime.evaluate", expression=script, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise DevToolsError(result["exceptionDetails"])
        return result["result"].get("value")

    async def until(self, script: str, timeout: float = 20) -> None:
        """Wait until ``script`` is true in the page."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not await self.run(script):
            assert asyncio.get_running_loop().time() < deadline, f"never true: {script}"
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.socket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium with a profile of its own, its page ready to drive."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        # Port 0: Chromium chooses one and writes it into the profile, so tests never race.
        arguments = [f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"]
        process = subprocess.Popen(
            [CHROMIUM, *FLAGS, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            port = await _devtools_port(Path(profile), process)
            async with aiohttp.ClientSession() as client:
                async with client.get(f"http://127.0.0.1:{port}/json/list") as answer:
                    targets = await answer.json()
                page = next(t for t in targets if t["type"] == "page")
                socket = await client.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
                browser = Browser(socket)
                try:
                    await browser.send("Page.enable")
                    await browser.send("Network.enable")
                    yield browser
                finally:
                    await browser.close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """The port Chromium chose for the protocol, written into the profile once it listens."""
    written = profile / "DevToolsActivePort"
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        lines = written.read_text().splitlines() if written.exists() else []
        if len(lines) >= 2:
            return int(lines[0])
        assert process.poll() is None, "Chromium exited at start"
        assert asyncio.get_running_loop().time() < deadline, "Chromium did not start"
        await asyncio.sleep(0.05)
