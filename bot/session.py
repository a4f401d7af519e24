"""A worker's logged-in browser context: one login, reused for every request it processes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page

from bot.browser import new_context, private_dir
from bot.config import Settings
from bot.errors import SessionExpired
from bot.log import get_logger
from bot.pages.login import LoginPage
from bot.pages.member_search import MemberSearchPage
from bot.pages.status import StatusPage

log = get_logger(__name__)


class PortalSession:
    """Owns the context and page; logs in on demand, never traces while credentials are typed."""

    def __init__(self, browser: Browser, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.portal_url
        state_dir = private_dir(settings.artifacts_dir / ".state")
        self.state_file = state_dir / f"{settings.username}.json"
        self.context: BrowserContext = new_context(browser, settings, self.state_file)
        self.page: Page = self.context.new_page()
        self.logins = 0
        self._tracing = False

    def log_in(self) -> None:
        """One login attempt; ``LoginRejected`` propagates and must stop the run."""
        was_tracing = self._tracing
        if was_tracing:
            self.context.tracing.stop()
            self._tracing = False
        LoginPage(self.page).open(self.base_url).log_in(
            self.settings.username, self.settings.password, self.settings.totp_secret
        )
        self.logins += 1
        self.context.storage_state(path=str(self.state_file))
        self.state_file.chmod(0o600)
        log.info("logged_in", logins=self.logins)
        if was_tracing:
            self.start_trace()

    def prior_authorization(self) -> MemberSearchPage:
        """The member-lookup screen, logging in first when the portal asks for it."""
        search = MemberSearchPage(self.page)
        try:
            return search.open(self.base_url)
        except SessionExpired:
            self.log_in()
            return search.open(self.base_url)

    def status(self) -> StatusPage:
        """The Status tab, logging in first when the portal asks for it."""
        status = StatusPage(self.page)
        try:
            return status.open(self.base_url)
        except SessionExpired:
            self.log_in()
            return status.open(self.base_url)

    def start_trace(self) -> None:
        self.context.tracing.start(screenshots=True, snapshots=True)
        self._tracing = True

    def stop_trace(self, keep_as: Path | None) -> None:
        """Stop tracing; keep the trace only when asked (failures)."""
        if not self._tracing:
            return
        self._tracing = False
        with contextlib.suppress(Exception):
            if keep_as is None:
                self.context.tracing.stop()
            else:
                self.context.tracing.stop(path=str(keep_as))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()
