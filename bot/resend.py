"""Sending a page or helper request again when the portal answers 503, inside the browser.

A 503 means the portal did not take the request, so sending it again is safe, and it spares the
whole request's attempt for one overloaded moment. Submit is the exception (``suspended``); what
still fails reaches the page as the portal's error page. Armed after the first sign of an
unavailable portal rather than from the start: routing every request through the driver costs
each one time, and a healthy portal needs none. With ``PA_BOT_MAX_REQUESTS_PER_MINUTE`` set it is
armed from the start: each request but the static files takes its turn there first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playwright.async_api import APIResponse, BrowserContext, Route
from playwright.async_api import Error as PlaywrightError

from bot import retry_policy
from bot.config import Settings
from bot.log import get_logger
from bot.throttle import Throttle

log = get_logger(__name__)


class Resend:
    """The 503 route of one browser context, and the machine's pace (``bot.throttle``)."""

    def __init__(self, settings: Settings, throttle: Throttle) -> None:
        self.settings = settings
        self.throttle = throttle
        self.budget = retry_policy.RetryBudget()
        """The budget of the request in progress (``PortalSession.begin_request`` renews it)."""
        self.armed = False
        self._allowed = True
        self._static = f"{settings.portal_url}/static/"

    async def arm(self, context: BrowserContext) -> None:
        """Route the portal's requests of ``context`` through ``_on_request`` from now on (a
        context that replaces this one is armed again by its session)."""
        await context.route(f"{self.settings.portal_url}/**", self._on_request)
        if not self.armed:
            self.armed = True
            log.info("resend_armed")

    @contextlib.contextmanager
    def suspended(self) -> Iterator[None]:
        """Around Submit: its request is never sent twice, whatever the portal answers."""
        self._allowed = False
        try:
            yield
        finally:
            self._allowed = True

    async def _on_request(self, route: Route) -> None:
        request = route.request
        multipart = "multipart/" in (request.headers.get("content-type") or "")
        passed_on = (
            not self._allowed
            or multipart  # file uploads: the flow's own retry and reconciliation cover them
            or request.resource_type not in ("document", "fetch")
        )
        if not request.url.startswith(self._static):
            # The browser follows a redirect without routing it, and the portal answers a form
            # post with one (Post/Redirect/Get): a post takes the turn of its redirect too.
            await self.throttle.turn(2 if request.method == "POST" else 1)
        if passed_on:
            await route.fallback()
            return

        async def send() -> APIResponse:
            return await route.fetch(max_redirects=0, timeout=self.settings.timeout_ms)

        try:
            response, made = await retry_policy.resend(
                send, lambda answer: answer.status == 503, self.settings, self.budget
            )
        except PlaywrightError:
            # The portal could not be reached at all: the page sees a failed connection.
            await route.abort("connectionfailed")
            return
        if made > 1:
            log.info("resent_after_503", attempts=made)
        await route.fulfill(response=response)
