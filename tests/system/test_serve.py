"""`spasmtimer serve`: the same app in a browser, through textual-serve, on 127.0.0.1.

Only the page the server printed may drive the app: every request needs the URL's token as the
first segment of its path, the page sets no cookie, no response may be framed, and a websocket
opened by another site (its ``Origin``) is refused before any app process starts. A real
Chromium checks what a browser would hand to a server on another port of 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from spasmtimer.cli.parser import build_parser

aiohttp = pytest.importorskip("aiohttp", reason="textual-serve (and aiohttp) not installed")
pytest.importorskip("textual_serve", reason="textual-serve not installed: pip install '.[serve]'")

from aiohttp import ClientResponse, web  # noqa: E402

from spasmtimer.app.serve import (  # noqa: E402  (needs textual-serve)
    GUARD_HEADERS,
    GuardedServer,
    OneLineFormatter,
    is_loopback,
    page_url,
)
from tests.browser_support import CHROMIUM, Browser, chromium  # noqa: E402

if TYPE_CHECKING:
    from aiohttp import ClientWebSocketResponse

PROGRAM = 'title = "In a browser"\n[[steps]]\ntype = "rest"\nseconds = 30\n'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    """The processes ``pid`` has started and not yet reaped (Linux)."""
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def start_serve(*args: str, home: Path, first_use: bool = False) -> subprocess.Popen[str]:
    """``spasmtimer serve ARGS`` in a home of its own, in a process group of its own (the app
    processes it starts are in it too). Unless ``first_use``, the safety notice was seen."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "c"), XDG_DATA_HOME=str(home / "d"))
    if not first_use:
        (home / "d" / "spasmtimer").mkdir(parents=True, exist_ok=True)
        (home / "d" / "spasmtimer" / "safety-seen").touch()
    return subprocess.Popen(
        [sys.executable, "-m", "spasmtimer", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_until_listening(server: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.1)


def banner_of(server: subprocess.Popen[str]) -> str:
    """The two lines serve prints once it listens; a test fails rather than hangs without them."""
    assert server.stdout is not None
    ready, _, _ = select.select([server.stdout], [], [], 20)
    assert ready, "serve printed no banner"
    return server.stdout.readline() + server.stdout.readline()


def stop(server: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop the server as Ctrl-C would; what it printed after its banner.

    Not ``communicate()``: it reads the pipes' descriptors, and would miss what ``readline``
    has already buffered past the banner.
    """
    assert server.stdout is not None and server.stderr is not None
    # Ctrl-C reaches the whole foreground group: the server and the app processes it runs,
    # which would otherwise hold the pipes open.
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=15)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
    return server.stdout.read(), server.stderr.read()


@dataclass
class Served:
    server: subprocess.Popen[str]
    port: int
    banner: str
    token: str

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.base

    @property
    def page(self) -> str:
        """The URL the banner printed."""
        return f"{self.base}/{self.token}/"


TOKEN_IN_BANNER = re.compile(r"http://127\.0\.0\.1:\d+/([A-Za-z0-9_-]+)/ ")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    program = tmp_path / "in-a-browser.toml"
    program.write_text(PROGRAM)
    port = free_port()
    server = start_serve(str(program), "--port", str(port), home=tmp_path)
    wait_until_listening(server, port)
    banner = banner_of(server)
    found = TOKEN_IN_BANNER.search(banner)
    assert found, banner
    try:
        yield Served(server, port, banner, found.group(1))
    finally:
        if server.poll() is None:
            stop(server)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # any app process left behind


async def read_screen(ws: ClientWebSocketResponse, wanted: bytes) -> bytes:
    """What the app draws, until ``wanted`` is on the screen."""
    screen = b""
    deadline = asyncio.get_running_loop().time() + 20
    while wanted not in screen:
        left = deadline - asyncio.get_running_loop().time()
        assert left > 0, screen[-500:]
        message = await ws.receive(timeout=left)
        if message.type == aiohttp.WSMsgType.BINARY:
            screen += message.data
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            pytest.fail(f"the app closed: {screen[-500:]!r}")
    return screen


# --- the banner -----------------------------------------------------------------------------


def test_the_banner_gives_the_url_with_its_token(served: Served) -> None:
    assert f"http://127.0.0.1:{served.port}/{served.token}/ " in served.banner
    assert len(served.token) >= 43  # 32 random bytes, as token_urlsafe writes them
    assert "ssh -L" in served.banner
    assert f"http://localhost:{served.port}/{served.token}/\n" in served.banner


def test_our_banner_is_all_serve_prints(served: Served) -> None:
    """No textual-serve logo, no request log: after the banner, nothing on either stream."""
    out, err = stop(served.server)
    assert (out, err) == ("", "")


def test_the_token_is_new_each_run(tmp_path: Path) -> None:
    tokens = set()
    for _ in range(2):
        port = free_port()
        server = start_serve("--port", str(port), home=tmp_path)
        wait_until_listening(server, port)
        found = TOKEN_IN_BANNER.search(banner_of(server))
        stop(server)
        assert found
        tokens.add(found.group(1))
    assert len(tokens) == 2


# --- the page and its files ------------------------------------------------------------------


WITHOUT_THE_TOKEN = [
    "/",
    "/static/js/textual.js",
    "/ws",
    "/download/x",
    "/nowhere",
    "/wrong/",
    "/wrong/static/js/textual.js",
    "/%C3%A9/",  # not ASCII
    "//",
    # The token anywhere but the path's first segment.
    "/?token={token}",
    "/static/js/textual.js?token={token}",
    "/static/{token}/",
    "/x/{token}/",
    "/{token}x/",
    "/{token_but_one}/",
]


async def test_without_the_token_nothing_is_served(served: Served) -> None:
    async with aiohttp.ClientSession() as client:
        for path in WITHOUT_THE_TOKEN:
            url = served.base + path.format(token=served.token, token_but_one=served.token[:-1])
            async with client.get(url) as response:
                body = await response.text()
                assert response.status == 403, (path, body[:200])
                assert "Set-Cookie" not in response.headers
                assert "textual" not in body.lower() and "websocket" not in body.lower()


async def test_a_cookie_with_the_token_serves_nothing(served: Served) -> None:
    """The token opens the app only in the path: a cookie is never read, under any name."""
    cookies = f"spasmtimer-{served.port}={served.token}; token={served.token}"
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.base + "/", headers={"Cookie": cookies}) as page,
    ):
        assert page.status == 403


@pytest.mark.parametrize("path", ["/{token}/", "/{token}"])
async def test_the_page_sets_no_cookie(served: Served, path: str) -> None:
    """Nothing the browser keeps could reach another port of this host (cookies are not
    scoped by port): the page's own URL is its only credential."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.base + path.format(token=served.token)) as page,
    ):
        body = await page.text()
        assert page.status == 200
        assert "spasmtimer" in body
        assert "Set-Cookie" not in page.headers
        assert "document.cookie" not in body


async def kinds_of_response(served: Served) -> dict[str, ClientResponse]:
    """One response of each kind serve gives, its body read."""
    wrong_token = served.token[::-1]
    requests = {
        "page": (served.page, {}),
        "static file": (served.page + "static/js/textual.js", {}),
        "not found": (served.page + "nowhere", {}),
        "no token": (served.base + "/", {}),
        "wrong token": (f"{served.base}/{wrong_token}/", {}),
        "another site": (served.page, {"Origin": "http://127.0.0.1:1"}),
    }
    responses = {}
    async with aiohttp.ClientSession() as client:
        for kind, (url, headers) in requests.items():
            async with client.get(url, headers=headers) as response:
                await response.read()
                responses[kind] = response
    return responses


async def test_every_response_forbids_framing_and_sends_no_referer(served: Served) -> None:
    responses = await kinds_of_response(served)
    assert [r.status for r in responses.values()] == [200, 200, 404, 403, 403, 403]
    for kind, response in responses.items():
        for name, value in GUARD_HEADERS.items():
            assert response.headers.get(name) == value, (kind, name)
    assert GUARD_HEADERS["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert GUARD_HEADERS["X-Frame-Options"] == "DENY"
    assert GUARD_HEADERS["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_the_page_points_at_the_host_it_was_opened_as(served: Served, host: str) -> None:
    """Through ``ssh -L`` the page is opened as localhost while serve listens on 127.0.0.1:
    its files and its websocket must come from where the browser thinks it is."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.page, headers={"Host": f"{host}:{served.port}"}) as page,
    ):
        body = await page.text()
        websocket = f"ws://{host}:{served.port}/{served.token}/ws"
        assert f'data-session-websocket-url="{websocket}"' in body
        assert f'src="/{served.token}/static/js/textual.js"' in body
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "").replace(
            "https://fonts.googleapis.com", ""
        )


async def test_the_page_escapes_the_host_it_is_given(served: Served) -> None:
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.page, headers={"Host": 'a"><script>x()</script>'}) as page,
    ):
        body = await page.text()
        assert page.status == 200
        assert "&lt;script&gt;x()" in body and "<script>x()" not in body


async def test_static_files_are_served_under_the_token(served: Served) -> None:
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.page + "static/js/textual.js") as js,
    ):
        assert js.status == 200
        assert "WebSocket" in await js.text()


# --- the websocket --------------------------------------------------------------------------


def ws_url(served: Served, token: str | None = None) -> str:
    """The websocket's URL, as the page's script makes it: under ``token`` (the real one
    unless given), with the size as its query."""
    return f"{served.base}/{served.token if token is None else token}/ws?width=80&height=24"


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://evil.example",
        "http://evil.example:{port}",
        "http://127.0.0.1:{port}.evil.example",
        "http://localhost:{port}",  # another origin, if it is the same machine
        "http://127.0.0.1:1",  # another port of this host
        "file://",
        "null",
    ],
)
async def test_a_websocket_from_another_site_is_refused(served: Served, origin: str) -> None:
    async with aiohttp.ClientSession() as client:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect(ws_url(served), origin=origin.format(port=served.port))
    assert refused.value.status == 403
    assert refused.value.headers is not None
    assert refused.value.headers.get("X-Frame-Options") == "DENY"
    assert children(served.server.pid) == [], "an app process was started for a refused socket"


async def test_the_page_is_refused_to_another_site(served: Served) -> None:
    """Not only the websocket: any request another site's page makes, token or not."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(served.page, headers={"Origin": "http://evil.example"}) as page,
    ):
        assert page.status == 403


WEBSOCKETS_WITHOUT_THE_TOKEN = [
    "/ws",  # textual-serve's own route
    "/ws?token={token}",
    "/guessed-token/ws",
    "/{token_but_one}/ws",
    "/{token}x/ws",
]


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:{port}"])
async def test_a_websocket_without_the_token_is_refused(served: Served, origin: str | None) -> None:
    async with aiohttp.ClientSession() as client:
        for path in WEBSOCKETS_WITHOUT_THE_TOKEN:
            url = served.base + path.format(token=served.token, token_but_one=served.token[:-1])
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(
                    url, origin=origin.format(port=served.port) if origin else None
                )
            assert refused.value.status == 403, path
    assert children(served.server.pid) == []


class NoAppService:
    """Stands in for textual-serve's AppService: notes that an app process would start."""

    started = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        NoAppService.started += 1
        raise AssertionError("an app process would start")


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/guessed/ws", None),
        ("/ws", None),
        ("/{token}x/ws", None),
        ("/{token}/ws", "http://127.0.0.1:1"),
        ("/{token}/ws", "http://evil.example"),
    ],
)
async def test_the_websocket_handler_checks_for_itself(
    monkeypatch: pytest.MonkeyPatch, path: str, origin: str | None
) -> None:
    """The handler refuses on its own, with no middleware in front of it: a route that
    reached it some other way would still start no app."""
    import textual_serve.server
    from aiohttp.test_utils import make_mocked_request

    monkeypatch.setattr(textual_serve.server, "AppService", NoAppService)
    NoAppService.started = 0
    server = GuardedServer("true", host="127.0.0.1", port=8000)
    headers = {
        "Host": "127.0.0.1:8000",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    if origin is not None:
        headers["Origin"] = origin
    request = make_mocked_request("GET", path.format(token=server.token), headers=headers)
    with pytest.raises(web.HTTPForbidden):
        await server.handle_websocket(request)
    assert NoAppService.started == 0


@pytest.mark.parametrize("origin", ["same", None])
async def test_the_app_runs_behind_the_page(served: Served, origin: str | None) -> None:
    """A browser sends the page's own origin; a client with no Origin header (not a browser)
    needs only the token in the path."""
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(ws_url(served), origin=served.origin if origin else None) as ws,
    ):
        await read_screen(ws, b"In a browser")
        assert children(served.server.pid), "the app runs as a process of the server"


async def test_the_first_visit_shows_the_safety_notice_first(tmp_path: Path) -> None:
    program = tmp_path / "in-a-browser.toml"
    program.write_text(PROGRAM)
    port = free_port()
    server = start_serve(str(program), "--port", str(port), home=tmp_path, first_use=True)
    try:
        wait_until_listening(server, port)
        token = TOKEN_IN_BANNER.search(banner_of(server))
        assert token
        served = Served(server, port, "", token.group(1))
        async with aiohttp.ClientSession() as client, client.ws_connect(ws_url(served)) as ws:
            screen = await read_screen(ws, b"When to see a doctor")
            assert b"In a browser" not in screen  # the session waits behind it
            await ws.send_str('["stdin", "\\r"]')
            await read_screen(ws, b"In a browser")
        assert (tmp_path / "d" / "spasmtimer" / "safety-seen").exists()
    finally:
        stop(server)


async def test_a_broken_message_is_one_line_and_no_traceback(served: Served) -> None:
    async with (
        aiohttp.ClientSession() as client,
        client.ws_connect(ws_url(served), origin=served.origin) as ws,
    ):
        await read_screen(ws, b"In a browser")
        await ws.send_str("{not json")
        # The server gives up on a socket it cannot read.
        while (await ws.receive(timeout=10)).type == aiohttp.WSMsgType.BINARY:
            pass
    out, err = stop(served.server)
    assert "Traceback" not in out + err and "\x1b" not in out + err
    assert out == ""
    assert err.startswith("spasmtimer: ") and err.count("\n") == 1, err


def test_a_log_record_is_one_plain_line_without_its_traceback() -> None:
    try:
        raise ValueError("bad\nvalue")
    except ValueError as e:
        record = logging.LogRecord(
            "textual-serve", logging.ERROR, __file__, 1, "%s \x1b]0;title\x07", (e,), sys.exc_info()
        )
    line = OneLineFormatter().format(record)
    assert line == "spasmtimer: bad␊value ␛]0;title␇ (ValueError)"


# --- a real browser, and another server on this host ----------------------------------------

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)"
)


@dataclass
class Recorder:
    """A web server on another port of 127.0.0.1, as another user of this machine might run:
    it serves the pages it is given and keeps every request it receives, whole."""

    port: int
    pages: dict[str, str]
    requests: list[tuple[str, dict[str, str]]]
    """Each request's method, path and query as one line, and its headers."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [line.split(" ", 1)[1].split("?")[0] for line, _ in self.requests]

    def holds(self, secret: str) -> list[str]:
        """The requests in which ``secret`` appears, anywhere."""
        return [
            line for line, headers in self.requests if secret in line + repr(headers.items())
        ]


@pytest.fixture
async def another_port() -> AsyncIterator[Recorder]:
    recorder = Recorder(0, {}, [])

    async def record(request: web.Request) -> web.Response:
        recorder.requests.append(
            (f"{request.method} {request.raw_path}", dict(request.headers.items()))
        )
        page = recorder.pages.get(request.path, "<!doctype html><title>another port</title>")
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{anything:.*}", record)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    recorder.port = runner.addresses[0][1]
    try:
        yield recorder
    finally:
        await runner.cleanup()


async def follow(browser: Browser, script: str) -> None:
    """Run ``script``, which leaves the page, and wait for the next page to load."""
    since = len(browser.events)
    await browser.run(script)
    await browser.wait_for("Page.loadEventFired", since=since)


WEBSOCKET_OUTCOME = """new Promise(done => {
    const socket = new WebSocket(%s);
    socket.onopen = () => { socket.close(); done("open"); };
    socket.onerror = () => done("refused");
})"""


@needs_chromium
async def test_another_port_of_this_host_gets_no_token(
    served: Served, another_port: Recorder
) -> None:
    """The attack: a server on another port of 127.0.0.1 was sent the token in a cookie when
    the browser visited it. Now the browser opens serve's page first, the app runs in it, and
    then every way the browser reaches the other port — from the page itself (a fetch with
    credentials, an image, a websocket, a link followed) and typed in afresh — brings it
    nothing of the token: not in a cookie, not in a Referer, nowhere."""
    other = another_port.base
    async with chromium() as browser:
        await browser.open(served.page)
        # The page's script opened the websocket under the token and the app drew.
        await browser.until("document.body.classList.contains('-first-byte')")
        assert children(served.server.pid)
        assert await browser.run("document.cookie") == ""

        await browser.run(f"fetch('{other}/fetched', {{mode: 'no-cors', credentials: 'include'}})")
        await browser.run(
            "new Promise(done => { const image = new Image();"
            f" image.onload = image.onerror = done; image.src = '{other}/image'; }})"
        )
        assert await browser.run(WEBSOCKET_OUTCOME % f"'ws://127.0.0.1:{another_port.port}/ws'")
        await follow(browser, f"location.href = '{other}/followed'")
        await browser.open(f"{other}/typed")

        kept = await browser.send("Network.getCookies", urls=[served.page, f"{other}/"])

    paths = another_port.paths()
    assert {"/fetched", "/image", "/ws", "/followed", "/typed"} <= set(paths), paths
    assert another_port.holds(served.token) == []
    assert [line for line, headers in another_port.requests if "Cookie" in headers] == []
    # Not even serve's address: serve's page sends no Referer at all.
    from_serve = [
        line
        for line, headers in another_port.requests
        if line.split()[1] in ("/fetched", "/image", "/ws", "/followed") and "Referer" in headers
    ]
    assert from_serve == []
    assert kept["cookies"] == [], "the browser keeps no cookie for this host"


@needs_chromium
async def test_another_port_can_neither_frame_the_page_nor_open_its_websocket(
    served: Served, another_port: Recorder
) -> None:
    """A page on another port of this host frames serve's page — even knowing its URL — and
    opens websockets to serve: without the token, with a guessed one, and with the real one.
    The browser shows no frame and every socket is refused; no app process starts."""
    ws = f"ws://127.0.0.1:{served.port}"
    another_port.pages["/framer"] = f'<iframe name="served" src="{served.page}"></iframe>'
    async with chromium() as browser:
        since = len(browser.events)
        await browser.open(f"{another_port.base}/framer")
        framed = await browser.wait_for(
            "Page.frameNavigated", lambda e: e["frame"].get("name") == "served", since=since
        )
        # Chromium puts its error page in the frame's place, the page unloaded.
        assert framed["params"]["frame"]["url"].startswith("chrome-error:")
        assert framed["params"]["frame"]["unreachableUrl"] == served.page
        blocked = await browser.wait_for(
            "Network.loadingFailed", lambda e: e["type"] == "Document", since=since
        )
        assert blocked["params"]["errorText"] == "net::ERR_BLOCKED_BY_RESPONSE"

        for path in ("/ws", "/guessed-token/ws", f"/{served.token}/ws"):
            outcome = await browser.run(WEBSOCKET_OUTCOME % f"'{ws}{path}?width=80&height=24'")
            assert outcome == "refused", path
    assert children(served.server.pid) == [], "an app process was started"


# --- where it listens, and bad arguments ----------------------------------------------------


def test_serve_listens_on_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", "8000")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.20", False),
        ("example.org", False),
    ],
)
def test_what_counts_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_ipv6_address_is_bracketed_in_the_url() -> None:
    assert page_url("::1", 8000, "t") == "http://[::1]:8000/t/"
    assert page_url("127.0.0.1", 8000, "t") == "http://127.0.0.1:8000/t/"


def test_listening_beyond_loopback_warns(tmp_path: Path) -> None:
    port = free_port()
    server = start_serve("--host", "0.0.0.0", "--port", str(port), home=tmp_path)
    wait_until_listening(server, port)
    _, err = stop(server)
    assert err.startswith("spasmtimer: warning:") and "0.0.0.0" in err, err


def one_line_failure(*args: str, home: Path) -> str:
    """Run ``serve ARGS``, which must fail at once: its one-line message."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(home / "c"), XDG_DATA_HOME=str(home / "d"))
    result = subprocess.run(
        [sys.executable, "-m", "spasmtimer", "serve", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1, result
    assert result.stdout == "", "no banner for a server that does not run"
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("spasmtimer: ") and result.stderr.count("\n") == 1, result
    return result.stderr


def test_an_unknown_program_is_one_line(tmp_path: Path) -> None:
    message = one_line_failure("no-such-program", "--port", str(free_port()), home=tmp_path)
    assert "no-such-program" in message


@pytest.mark.parametrize("port", ["99999", "0", "-1", "eighty", "80.5", ""])
def test_an_invalid_port_is_one_line(tmp_path: Path, port: str) -> None:
    message = one_line_failure("--port", port, home=tmp_path)
    assert "1 to 65535" in message


def test_a_busy_port_is_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        message = one_line_failure("--port", str(port), home=tmp_path)
    assert str(port) in message and "in use" in message


def test_a_host_that_does_not_resolve_is_one_line(tmp_path: Path) -> None:
    message = one_line_failure("--host", "no-such-host.invalid", "--port", "8000", home=tmp_path)
    assert "no-such-host.invalid" in message


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
