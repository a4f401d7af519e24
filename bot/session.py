"""A worker's logged-in browser context: one login, reused for every request it processes."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import APIResponse, Browser, BrowserContext, Page, Route
from playwright.sync_api import Error as PlaywrightError
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_random_exponential

from bot.browser import new_context, private_dir
from bot.config import Settings
from bot.errors import LoginPageUnknown, SessionExpired
from bot.holder import this_process
from bot.log import get_logger
from bot.login_gate import LoginGate, credentials
from bot.pages.base import translate_errors
from bot.pages.login import LoginPage
from bot.pages.member_search import MemberSearchPage
from bot.pages.status import StatusPage
from bot.queue import Queue, open_queue

log = get_logger(__name__)

#: Requests one tab serves before a fresh one takes over. Chromium's renderer keeps about 6 MB
#: of every request's pages for as long as the tab lives (measured; a memory-pressure signal
#: frees none of it), so one tab for a whole night would grow by gigabytes. A fresh tab costs
#: about 0.1 s; the login lives in the context and carries over.
REQUESTS_PER_PAGE = 10


class PortalSession:
    """Owns the context and page; logs in through the login gate, never traces while
    credentials are typed.

    ``gate`` is the worker's (it shares the worker's queue connection); without one the session
    opens the queue at ``settings.queue_url`` for its own gate: no login bypasses the gate.
    """

    def __init__(
        self,
        browser: Browser,
        settings: Settings,
        requests_per_page: int = REQUESTS_PER_PAGE,
        *,
        gate: LoginGate | None = None,
    ) -> None:
        self.settings = settings
        self.base_url = settings.portal_url
        secrets = credentials(settings)
        self._own_queue: Queue | None = None
        if gate is None:
            self._own_queue = open_queue(settings.queue_url)
            holder = f"{this_process().text()}#{id(self):x}"
            gate = LoginGate(self._own_queue, secrets, holder)
        self.gate = gate
        state_dir = private_dir(settings.artifacts_dir / ".state")
        self.state_file = state_dir / f"{secrets.account[:16]}.json"
        _drop_if_unreadable(self.state_file)
        self._state_seen = _mtime(self.state_file)
        self.context: BrowserContext = new_context(browser, settings, self.state_file)
        self.page: Page = self.context.new_page()
        self.logins = 0
        self.requests_per_page = requests_per_page
        self._page_served = 0
        self._tracing = False
        self._trace_parts: list[Path] = []
        self._resend_unavailable = True
        self._resend_armed = False

    def log_in(self, *, force: bool = False) -> None:
        """Log in through the gate: the account's one attempt, or another worker's login adopted.

        ``LoginRejected`` propagates and must stop the run; ``force`` is a person's
        ``pa-bot login``, which passes over a recorded rejection once."""
        self.gate.log_in(self._attempt, self._adopt_saved_login, force=force)

    def _attempt(self, totp_code: Callable[[], str] | None) -> None:
        was_tracing = self._tracing
        if was_tracing:
            # The trace so far is set aside, and a new one starts after the login: what is
            # typed into the login form is in no trace.
            part = self.state_file.with_name(
                f"trace-part-{os.getpid()}-{id(self)}-{len(self._trace_parts)}.zip"
            )
            self.context.tracing.stop(path=str(part))
            self._trace_parts.append(part)
            self._tracing = False
        secrets = self.gate.secrets
        try:
            LoginPage(self.page).open(self.base_url).log_in(
                secrets.username, secrets.password, totp_code
            )
        except LoginPageUnknown as exc:
            shot = self._screenshot_unknown_page()
            raise LoginPageUnknown(f"{exc}; screenshot: {shot}" if shot else str(exc)) from None
        self.logins += 1
        _write_private(self.state_file, json.dumps(self.context.storage_state()))
        self._state_seen = _mtime(self.state_file)
        log.info("logged_in", logins=self.logins)
        if was_tracing:
            self.start_trace()

    def _adopt_saved_login(self) -> bool:
        """Take the session another worker of this machine saved since this one last looked."""
        seen = _mtime(self.state_file)
        if seen is None or (self._state_seen is not None and seen <= self._state_seen):
            return False
        try:
            cookies = json.loads(self.state_file.read_text())["cookies"]
        except (OSError, ValueError, KeyError):
            return False
        with translate_errors():
            self.context.add_cookies(cookies)
        self._state_seen = seen
        return True

    def _screenshot_unknown_page(self) -> Path | None:
        folder = private_dir(self.settings.artifacts_dir / "login")
        path = folder / f"unrecognised-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except PlaywrightError:
            return None
        return path

    def prior_authorization(self) -> MemberSearchPage:
        """The member-lookup screen, logging in first when the portal asks for it."""
        search = MemberSearchPage(self.page)
        self._log_in_unless_saved()
        try:
            return search.open(self.base_url)
        except SessionExpired:
            self.log_in()
            return search.open(self.base_url)

    def status(self) -> StatusPage:
        """The Status tab, logging in first when the portal asks for it."""
        status = StatusPage(self.page)
        self._log_in_unless_saved()
        try:
            return status.open(self.base_url)
        except SessionExpired:
            self.log_in()
            return status.open(self.base_url)

    def _log_in_unless_saved(self) -> None:
        """With no saved login to try, log in before the first screen: the login page is then
        the one the bot expects, so a page it does not recognise there (a CAPTCHA, say) stops
        the run at once instead of failing items on a screen that never came."""
        if self.logins == 0 and self._state_seen is None:
            self.log_in()

    def arm_resend(self) -> None:
        """From now on, send requests that the portal answers with 503 again (see below).

        Armed after the first sign of an unavailable portal rather than from the start: routing
        every request through the driver costs each one time, and a healthy portal needs none.
        """
        if not self._resend_armed:
            self.context.route(f"{self.base_url}/**", self._resend_on_503)
            self._resend_armed = True
            log.info("resend_armed")

    @contextlib.contextmanager
    def no_resend(self) -> Iterator[None]:
        """Around Submit: its request is never sent twice, whatever the portal answers."""
        self._resend_unavailable = False
        try:
            yield
        finally:
            self._resend_unavailable = True

    def _resend_on_503(self, route: Route) -> None:
        """Send a page or helper request again when the portal answers 503 (bounded, jittered).

        A 503 means the portal did not take the request, so sending it again is safe, and it
        spares the whole request's attempt for one overloaded moment. Submit is the exception
        (see ``no_resend``); what still fails reaches the page as the portal's error page.
        """
        request = route.request
        multipart = "multipart/" in (request.headers.get("content-type") or "")
        if (
            not self._resend_unavailable
            or multipart  # file uploads: the flow's own retry and reconciliation cover them
            or request.resource_type not in ("document", "fetch")
        ):
            route.fallback()
            return
        wait = self.settings.retry_wait_seconds
        retrying = Retrying(
            retry=retry_if_result(lambda response: response.status == 503),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=wait_random_exponential(multiplier=wait / 4, max=wait * 4),
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        try:
            response: APIResponse = retrying(
                route.fetch, max_redirects=0, timeout=self.settings.timeout_ms
            )
        except PlaywrightError:
            # The portal could not be reached at all: the page sees a failed connection.
            route.abort("connectionfailed")
            return
        if retrying.statistics.get("attempt_number", 1) > 1:
            log.info("resent_after_503", attempts=retrying.statistics["attempt_number"])
        route.fulfill(response=response)

    def begin_request(self) -> None:
        """Before each request: a fresh tab when this one has served its share.

        A browser that died meanwhile raises ``PortalUnavailable``, as any step would."""
        if self._page_served >= self.requests_per_page:
            with translate_errors():
                fresh = self.context.new_page()
            worn, self.page = self.page, fresh
            with contextlib.suppress(PlaywrightError):
                worn.close()
            self._page_served = 0
        self._page_served += 1

    def start_trace(self) -> None:
        """Trace from now until ``stop_trace`` (nothing happens when a trace already runs)."""
        # The trace records every action, its timing and error, and the console. DOM snapshots
        # (with the network) cost ~0.3 CPU s per request, a quarter of the request, so they are
        # taken only when asked; the flow keeps the failed page's screenshot and HTML anyway.
        # The screencast costs ~0.7 CPU s more and is never taken.
        if self._tracing:
            return
        self.context.tracing.start(screenshots=False, snapshots=self.settings.trace_snapshots)
        self._tracing = True

    def stop_trace(self, keep_as: Path | None) -> None:
        """Stop tracing; keep the trace only when asked (failures).

        A trace interrupted by logins is kept in parts: ``keep_as`` holds what came after the
        last login, ``<stem>-1.zip``, ``<stem>-2.zip``… what came before, oldest first.
        """
        parts, self._trace_parts = self._trace_parts, []
        for number, part in enumerate(parts, start=1):
            with contextlib.suppress(OSError):
                if keep_as is None:
                    part.unlink(missing_ok=True)
                else:
                    part.replace(keep_as.with_name(f"{keep_as.stem}-{number}{keep_as.suffix}"))
        if not self._tracing:
            return
        self._tracing = False
        with contextlib.suppress(Exception):
            if keep_as is None:
                self.context.tracing.stop()
            else:
                self.context.tracing.stop(path=str(keep_as))

    def close(self) -> None:
        self.stop_trace(None)
        with contextlib.suppress(Exception):
            self.context.close()
        if self._own_queue is not None:
            self._own_queue.close()


def _write_private(path: Path, text: str) -> None:
    """Write owner-only and atomically: a worker killed mid-write leaves the old file whole."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _drop_if_unreadable(path: Path) -> None:
    """A saved login that cannot be read is removed: the worker logs in again instead."""
    try:
        json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        log.warning("saved_login_unreadable")
