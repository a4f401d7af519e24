"""The ASGI middleware in front of every route: timing, the rate limit, latency, maintenance,
the error rate and step faults. The admin API and static files pass straight through (timed
only)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_portal.auth import SESSION_COOKIE
from mock_portal.faults import step_for
from mock_portal.web import Portal

UNTOUCHED = ("/_mock", "/static")


def _is_untouched(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in UNTOUCHED)


class PortalMiddleware:
    """Adds ``Server-Timing: app;dur=<ms>`` to every response and injects the configured
    trouble into page requests (``/api`` included: the page scripts feel it too).

    The duration runs from the request's arrival to the response's start and includes the
    injected latency, which stands for the real portal's own server work: the benchmark adds
    these up as the portal's share of a request's time.
    """

    def __init__(self, app: ASGIApp, portal: Callable[[], Portal]) -> None:
        self.app = app
        self._portal = portal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                elapsed = (time.perf_counter() - started) * 1000
                headers = list(message.get("headers", []))
                headers.append((b"server-timing", f"app;dur={elapsed:.1f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        if _is_untouched(scope["path"]):
            await self.app(scope, receive, timed_send)
            return
        await self._page(scope, receive, timed_send)

    async def _page(self, scope: Scope, receive: Receive, send: Send) -> None:
        portal = self._portal()
        store, faults = portal.store, portal.faults
        store.incr("requests")
        retry_after = portal.limiter.admit(
            _client_key(scope), faults.config.rate_limit_per_minute, portal.clock()
        )
        if retry_after is not None:
            await self._too_many(portal, retry_after, scope, receive, send)
            return
        delay = faults.latency_seconds()
        if delay:
            await asyncio.sleep(delay)
        if faults.config.maintenance:
            await self._reply(portal.error_page(503, *MAINTENANCE), scope, receive, send)
            return
        if faults.draw_error():
            store.incr("faults_injected")
            await self._reply(portal.error_page(503, *UNAVAILABLE), scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        step = step_for(path)
        fired = faults.take_step_faults(step) if step else set()
        if fired:
            store.incr("faults_injected", len(fired))
        if "429" in fired:
            await self._too_many(portal, STEP_FAULT_RETRY_AFTER_S, scope, receive, send)
            return
        if "503" in fired:
            await self._reply(portal.error_page(503, *UNAVAILABLE), scope, receive, send)
            return
        if "expire_session" in fired:
            portal.auth.expire(Request(scope).cookies.get(SESSION_COOKIE))
        if "signed_in_elsewhere" in fired:
            portal.auth.end_elsewhere(Request(scope).cookies.get(SESSION_COOKIE))
        fail_after = "500_after" in fired
        if step == "submit" and method == "POST" and not fail_after:
            fail_after = faults.draw_fail_after_submit()
            if fail_after:
                store.incr("faults_injected")
        if not fail_after:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Message) -> None:
            """The handler's own response is dropped: the work is done, the answer lost."""

        await self.app(scope, receive, swallow)
        await self._reply(portal.error_page(500, *SERVER_ERROR), scope, receive, send)

    async def _too_many(
        self, portal: Portal, retry_after: int, scope: Scope, receive: Receive, send: Send
    ) -> None:
        portal.store.incr("rate_limited")
        response = portal.error_page(429, *TOO_MANY)
        response.headers["Retry-After"] = str(retry_after)
        await self._reply(response, scope, receive, send)

    @staticmethod
    async def _reply(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        response.headers["Cache-Control"] = "no-store"
        await response(scope, receive, send)


def _client_key(scope: Scope) -> str:
    """What the rate limit counts by: the session's cookie, else the client's address."""
    request = Request(scope)
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return f"session:{session}"
    return f"client:{request.client.host if request.client else 'unknown'}"


STEP_FAULT_RETRY_AFTER_S = 1
"""The ``Retry-After`` of a 429 step fault (the rate limit computes its own)."""

TOO_MANY = (
    "Too Many Requests",
    "You have made too many requests in a short time. Please wait a moment and try again.",
)
MAINTENANCE = (
    "Scheduled Maintenance",
    "The CareSource Provider Portal is undergoing scheduled maintenance. Please try again later.",
)
UNAVAILABLE = (
    "Service Temporarily Unavailable",
    "The server is temporarily unable to service your request. Please try again later.",
)
SERVER_ERROR = (
    "Internal Server Error",
    "The server encountered an internal error and was unable to complete your request.",
)
