"""`spasmtimer serve`: the same app in a browser, through textual-serve, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from spasmtimer.cli import build_parser

aiohttp = pytest.importorskip("aiohttp", reason="textual-serve (and aiohttp) not installed")
pytest.importorskip("textual_serve", reason="textual-serve not installed: pip install '.[serve]'")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, str]]:
    program = tmp_path / "in-a-browser.toml"
    program.write_text('title = "In a browser"\n[[steps]]\ntype = "rest"\nseconds = 30\n')
    port = free_port()
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"))
    server = subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "serve", str(program), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    banner = server.stdout.readline() + server.stdout.readline()
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.1)
    try:
        yield port, banner
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_page_is_served_on_loopback(served: tuple[int, str]) -> None:
    port, banner = served
    assert f"http://127.0.0.1:{port}/" in banner and "ssh -L" in banner
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
        assert page.status == 200
        assert "spasmtimer" in page.read().decode()


async def test_the_app_runs_behind_the_page(served: tuple[int, str]) -> None:
    port, _ = served
    screen = b""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws,
    ):
        deadline = asyncio.get_running_loop().time() + 20
        while b"In a browser" not in screen:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, screen[-500:]
            message = await ws.receive(timeout=left)
            if message.type == aiohttp.WSMsgType.BINARY:
                screen += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                pytest.fail(f"the app closed: {screen[-500:]!r}")


def test_serve_listens_on_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_serve_without_textual_serve_says_how_to_get_it() -> None:
    code = (
        "import sys\nsys.modules['textual_serve'] = None\nfrom spasmtimer.cli import main\n"
        "sys.exit(main(['serve']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "pip install 'spasmtimer[serve]'" in result.stderr
