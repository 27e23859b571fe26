"""`spasmtimer serve`: textual-serve, guarded so that only the page it printed can drive the app.

Any web page the user visits can open a websocket to 127.0.0.1: browsers do not apply the
same-origin policy to websockets. So every request needs the random token of the printed URL, and
a request whose ``Origin`` is another site, a websocket above all, is refused before an app
process starts. The token also defeats DNS rebinding, where another site's name is made to point
at 127.0.0.1.

The token is the first segment of every path — the page is ``/TOKEN/``, its files are under
``/TOKEN/static/``, its websocket is ``/TOKEN/ws`` — and it is nowhere else: no cookie, no query.
A cookie would be sent to every port of the host (browsers scope cookies by host, not by port),
so any server on 127.0.0.1, another user's included, would receive it; a cookie whose ``Path`` is
``/TOKEN/`` would only be as safe as the path already is, and would stay in the browser after the
run. A path also survives the page's script, which appends its own ``?width=…`` query to the
websocket URL it is given.

Every response, a refusal too, forbids framing: a page framed by another site runs in serve's own
origin, so its websocket would pass the Origin check while the other site's page steers it. And
every response sends no ``Referer``, so the token in the page's URL leaves it by no request.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import secrets
import signal
import sys
from collections.abc import Callable
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler
from textual_serve.server import Server, to_int

from spasmtimer.base.errors import UserError
from spasmtimer.base.text import one_line

TOKEN_BYTES = 32
"""256 random bits: the token is all that stands between the app and whoever can reach it."""


def is_loopback(host: str) -> bool:
    """Only this machine can reach ``host``: 127.0.0.0/8, ::1, or localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def page_url(host: str, port: int, token: str) -> str:
    """The URL that opens the app, token included."""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}/{token}/"


GUARD_HEADERS = {
    # No other page, another port of this host included, may frame the app and steer it.
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",  # the same, for browsers older than frame-ancestors
    # The page's URL holds the token: no request it makes, nor a link it follows, may pass it on.
    "Referrer-Policy": "no-referrer",
}
"""Sent with every response, a refusal too."""


class OneLineFormatter(logging.Formatter):
    """A log record as one line, with the exception's name but never its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" ({type(record.exc_info[1]).__name__})"
        return f"spasmtimer: {one_line(text)}"


class CannotListen(UserError):
    """The server could not bind its address: the message says why, in one line."""


class GuardedServer(Server):
    """textual-serve's server, under a per-run token in every path, with an Origin check and
    same-origin URLs.

    Its routes are its own, not textual-serve's: the page, its static files and the websocket,
    each under ``/TOKEN/``. No download route: spasmtimer delivers no files, and the page's script
    would ask for one outside the token's path.
    """

    def __init__(self, command: str, *, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title="spasmtimer")
        self.token = secrets.token_urlsafe(TOKEN_BYTES)
        self.prefix = f"/{self.token}"

    def url(self, host: str | None = None) -> str:
        return page_url(host or self.host, self.port, self.token)

    def _is_token(self, candidate: str) -> bool:
        # Bytes, because compare_digest refuses a str with characters beyond ASCII.
        given = candidate.encode("utf-8", "replace")
        return secrets.compare_digest(given, self.token.encode("ascii"))

    def _carries_token(self, request: web.Request) -> bool:
        """The path's first segment is the token: the one place a request may carry it."""
        return self._is_token(request.path.split("/", 2)[1])

    @staticmethod
    def _same_origin(request: web.Request) -> bool:
        """The request does not come from another site's page.

        Browsers send ``Origin`` with every websocket and every cross-site fetch; checking it on
        every request, not only on the websocket route, keeps the check whatever the route.
        """
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # a page load, a plain file, or not a browser: the token alone decides
        host = request.host.lower()
        return origin.lower() in (f"http://{host}", f"https://{host}")

    def _refuse_unless_allowed(self, request: web.Request) -> None:
        """Raise 403 unless the request carries the token and comes from no other site."""
        if not self._carries_token(request):
            raise web.HTTPForbidden(text="Forbidden: open the URL spasmtimer serve printed.\n")
        if not self._same_origin(request):
            raise web.HTTPForbidden(text="Forbidden: another site may not use spasmtimer.\n")

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self._refuse_unless_allowed(request)
        return await handler(request)

    @staticmethod
    async def _add_guard_headers(request: web.Request, response: web.StreamResponse) -> None:
        response.headers.update(GUARD_HEADERS)

    async def _make_app(self) -> web.Application:
        """Not textual-serve's app: its routes are not under the token, and it prints its logo
        on startup (the command prints its own banner once the server listens)."""
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get(f"{self.prefix}/", self.handle_index),
                web.get(self.prefix, self.handle_index),  # the URL, its last slash forgotten
                web.get(f"{self.prefix}/ws", self.handle_websocket),
                web.static(f"{self.prefix}/static", self.statics_path),
            ]
        )
        # A signal, not the middleware: it also reaches the 403s and 404s raised before a handler.
        app.on_response_prepare.append(self._add_guard_headers)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, its files and its websocket at the host the browser asked for: through
        ``ssh -L`` that is localhost, while we listen on 127.0.0.1."""
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"ws://{request.host}{self.prefix}/ws",
            "config": {"static": {"url": f"{self.prefix}/static/"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The app, for a websocket with the token from no other site. Checked here as well as
        by the middleware: this is the route that starts a process, whatever routes the app has."""
        self._refuse_unless_allowed(request)
        return await super().handle_websocket(request)

    def initialize_logging(self) -> None:
        """Problems as one plain line each on stderr: not textual-serve's Rich handler, which
        prints tracebacks with their local variables."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLineFormatter())
        logging.basicConfig(level=logging.WARNING, handlers=[handler])

    def run(self, ready: Callable[[], None]) -> None:
        """Listen, call ``ready``, and serve until SIGINT or SIGTERM.

        Raises `CannotListen` when the address cannot be bound, before ``ready`` is called:
        nothing is announced for a server that does not run.
        """
        self.initialize_logging()
        asyncio.run(self._run(ready))

    async def _run(self, ready: Callable[[], None]) -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        runner = web.AppRunner(await self._make_app(), access_log=None)
        await runner.setup()
        try:
            try:
                await web.TCPSite(runner, self.host, self.port).start()
            except OSError as e:
                raise CannotListen(self._why_not(e)) from None
            ready()
            await stopping.wait()
        finally:
            await runner.cleanup()

    def _why_not(self, error: OSError) -> str:
        where = f"{self.host!r} port {self.port}"
        if error.errno == errno.EADDRINUSE:
            return f"cannot listen on {where}: it is in use; choose another with --port"
        return f"cannot listen on {where}: {one_line(error.strerror or str(error))}"
