"""A worker's browser context: its tab, its share of the machine's login, its trace and its 503
route, replaced whole when it crashed, hung or served its share of requests."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page, Response
from playwright.async_api import Error as PlaywrightError

from bot import portal_notices, retry_policy
from bot.browser import new_context, private_dir
from bot.config import Settings
from bot.errors import BrowserGone, LoginPageUnknown, SessionExpired
from bot.holder import this_process
from bot.log import get_logger
from bot.login_gate import LoginGate, TotpCode, credentials
from bot.pages.base import translate_errors
from bot.pages.eligibility import EligibilityPage
from bot.pages.login import LoginPage
from bot.pages.member_search import MemberSearchPage
from bot.pages.session_warning import SessionWarning
from bot.pages.status import StatusPage
from bot.queue import Queue, open_queue
from bot.resend import Resend
from bot.shared_login import SharedLogin
from bot.throttle import Throttle
from bot.tracing import Tracing

log = get_logger(__name__)

#: Requests one tab serves before a fresh one takes over. Chromium's renderer keeps about 6 MB
#: of every request's pages for as long as the tab lives (measured; a memory-pressure signal
#: frees none of it), so one tab for a whole night would grow by gigabytes. A fresh tab costs
#: about 0.1 s; the login lives in the context and carries over. Three, not ten: with 8 workers
#: at 300 ms, 40 requests, the tree's peak PSS per worker is 135 MB against 156 MB, for the same
#: CPU per request (1.18 s; two per tab: 115 MB, 3 % more CPU; docs/BENCHMARKS.md).
REQUESTS_PER_PAGE = 3

#: Requests one browser context serves before a fresh one replaces it: memory a context keeps
#: across its tabs (Playwright's known growth within a long-lived context) goes with it.
REQUESTS_PER_CONTEXT = 50


_Opens = TypeVar("_Opens", MemberSearchPage, StatusPage, EligibilityPage)
"""The screens a session opens by their address."""


class PortalSession:
    """One browser context of the machine's Chromium and the page it works in.

    ``login`` is the account's login shared by the process's contexts; without one the session
    opens the queue at ``settings.queue_url`` for a gate of its own: no login bypasses the gate.
    Create it with ``await PortalSession.open(...)``.
    """

    def __init__(
        self,
        browser: Browser,
        settings: Settings,
        login: SharedLogin,
        *,
        requests_per_page: int = REQUESTS_PER_PAGE,
        requests_per_context: int = REQUESTS_PER_CONTEXT,
        own_queue: Queue | None = None,
        throttle: Throttle | None = None,
    ) -> None:
        self.browser = browser
        self.settings = settings
        self.base_url = settings.portal_url
        self.login = login
        self.requests_per_page = requests_per_page
        self.requests_per_context = requests_per_context
        self.throttle = throttle or Throttle(settings.max_requests_per_minute)
        """The machine's pace: the engine gives every session the same one."""
        self.resend = Resend(settings, self.throttle)
        self._own_queue = own_queue
        self._seen = 0
        self._page_served = 0
        self._context_served = 0
        self._crashed = False
        self.context: BrowserContext
        self.page: Page
        self.tracing: Tracing

    @classmethod
    async def open(
        cls,
        browser: Browser,
        settings: Settings,
        login: SharedLogin | None = None,
        **options: Any,
    ) -> PortalSession:
        own_queue = None
        if login is None:
            own_queue = open_queue(settings.queue_url)
            holder = f"{this_process().text()}#{id(own_queue):x}"
            login = SharedLogin(LoginGate(own_queue, credentials(settings), holder), settings)
        session = cls(browser, settings, login, own_queue=own_queue, **options)
        await session._open_context()
        return session

    @property
    def logins(self) -> int:
        """Logins this process made (every context shares them)."""
        return self.login.logins

    async def _open_context(self) -> None:
        state = self.login.state_file
        with translate_errors():
            self.context = await new_context(self.browser, self.settings, state)
            self.page = await self._new_page()
        self._seen = self.login.generation
        self.login.join(self.context)
        self.tracing = Tracing(self.context, self.settings, self.login.state_file.parent)
        self.context.on("response", self._on_response)
        if self.resend.armed or self.throttle.pacing:
            await self.resend.arm(self.context)
        self._page_served = 0
        self._context_served = 0

    async def _new_page(self) -> Page:
        page = await self.context.new_page()
        page.on("crash", self._on_crash)
        await SessionWarning(page, self._kept_alive).watch()
        return page

    def _kept_alive(self) -> None:
        self.login.stats.kept_alive += 1

    def _on_response(self, response: Response) -> None:
        """A 429 from the portal, whoever asked (a page, a lookup, through the route or not),
        holds the machine for its ``Retry-After``."""
        if response.status == 429 and response.url.startswith(self.base_url):
            self.throttle.limited_by_portal(response.headers.get("retry-after"))

    def _on_crash(self, _page: Page) -> None:
        self._crashed = True
        log.warning("page_crashed")

    async def replace_context(self, reason: str) -> None:
        """Close this context and work in a fresh one from now on (same login, same route)."""
        log.info("context_replaced", reason=reason)
        await self._close_context()
        self._crashed = False
        await self._open_context()

    async def _close_context(self) -> None:
        await self.tracing.stop(None)
        self.login.leave(self.context)
        with contextlib.suppress(Exception):
            await self.context.close()

    async def log_in(self, *, force: bool = False) -> None:
        """A login for this context: the account's one attempt, or a newer one adopted.

        ``LoginRejected`` propagates and must stop the run; ``force`` is a person's
        ``pa-bot login``, which passes over a recorded rejection once."""
        self._seen = await self.login.log_in(self._attempt, self._seen, force=force)

    async def _attempt(self, totp_code: TotpCode | None) -> list[dict[str, Any]]:
        # The trace so far is set aside and a new one starts after the login: what is typed
        # into the login form is in no trace.
        was_tracing = await self.tracing.pause()
        secrets = self.login.gate.secrets
        try:
            login = await LoginPage(self.page).open(self.base_url)
            await login.log_in(secrets.username, secrets.password, totp_code)
        except LoginPageUnknown as exc:
            shot = await self._screenshot_unknown_page()
            raise LoginPageUnknown(f"{exc}; screenshot: {shot}" if shot else str(exc)) from None
        portal_notices.record(self.settings, login.notices)
        with translate_errors():
            cookies = await self.context.cookies()
        if was_tracing:
            await self.tracing.start()
        return [dict(cookie) for cookie in cookies]

    async def _screenshot_unknown_page(self) -> Path | None:
        folder = private_dir(self.settings.artifacts_dir / "login")
        path = folder / f"unrecognised-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.png"
        try:
            await self.page.screenshot(path=str(path), full_page=True)
        except PlaywrightError:
            return None
        return path

    async def prior_authorization(self) -> MemberSearchPage:
        """The member-lookup screen, logging in first when the portal asks for it."""
        return await self._opened(MemberSearchPage(self.page))

    async def status(self) -> StatusPage:
        """The Status tab, logging in first when the portal asks for it."""
        return await self._opened(StatusPage(self.page))

    async def eligibility(self) -> EligibilityPage:
        """The Member Eligibility screen, logging in first when the portal asks for it."""
        return await self._opened(EligibilityPage(self.page))

    async def _opened(self, screen: _Opens) -> _Opens:
        """``screen`` opened by its address, after a login when the session has none yet, or
        again after one when the portal says the session expired."""
        await self._log_in_unless_known()
        try:
            return await screen.open(self.base_url)
        except SessionExpired:
            await self.log_in()
            return await screen.open(self.base_url)

    def signed_out_elsewhere(self) -> bool:
        """This context was signed out for a login elsewhere: True when the login is dead
        (``SharedLogin.signed_out_elsewhere``), False when a newer one is already here."""
        return self.login.signed_out_elsewhere(self._seen)

    async def _log_in_unless_known(self) -> None:
        """With no login to try, log in before the first screen: the login page is then the one
        the bot expects, so a page it does not recognise there (a CAPTCHA, say) stops the run at
        once instead of failing items on a screen that never came. A login the portal ended
        (signed in elsewhere) is made again here too, in this process's turn."""
        if not self.login.known or self.login.needs_login:
            await self.log_in()

    async def arm_resend(self) -> None:
        """From now on, send requests that the portal answers with 503 again (``bot.resend``)."""
        if not self.resend.armed:
            await self.resend.arm(self.context)

    def no_resend(self) -> contextlib.AbstractContextManager[None]:
        """Around Submit: its request is never sent twice, whatever the portal answers."""
        return self.resend.suspended()

    def check_browser(self) -> None:
        """``BrowserGone`` when the machine's Chromium is no longer there."""
        if not self.browser.is_connected():
            raise BrowserGone("the browser crashed or was closed")

    async def begin_attempt(self) -> None:
        """Before each attempt: a fresh context when the tab crashed or was closed. A browser
        that died meanwhile raises ``BrowserGone``."""
        self.check_browser()
        if self._crashed or self.page.is_closed():
            await self.replace_context("page_crashed" if self._crashed else "page_closed")

    async def begin_request(self) -> None:
        """Before each request: the attempt's checks, then a fresh context or tab when this
        one has served its share. The request gets a retry budget of its own."""
        self.resend.budget = retry_policy.RetryBudget()
        await self.begin_attempt()
        if self._context_served >= self.requests_per_context:
            await self.replace_context("served_its_share")
        elif self._page_served >= self.requests_per_page:
            with translate_errors():
                fresh = await self._new_page()
            worn, self.page = self.page, fresh
            with contextlib.suppress(PlaywrightError):
                await worn.close()
            self._page_served = 0
        self._page_served += 1
        self._context_served += 1

    async def start_trace(self) -> None:
        await self.tracing.start()

    async def stop_trace(self, keep_as: Path | None) -> None:
        await self.tracing.stop(keep_as)

    async def close(self) -> None:
        await self._close_context()
        if self._own_queue is not None:
            self._own_queue.close()
