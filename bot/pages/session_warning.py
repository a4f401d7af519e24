"""The session-timeout warning: "Your session will expire in 60 seconds", with "Stay signed in".

Not a screen of its own: the portal's timer shows it over whatever screen is open, a minute
before the idle timeout, as a modal that takes every click meanwhile. It is answered where it
shows, by a Playwright locator handler (``Page.add_locator_handler``), which runs before an
action that it would block. Too late (the session ended already), the portal's script goes to
the login page; the screen's next wait sees that and the flow logs in again through the gate.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import Page

from bot.log import get_logger
from bot.pages.base import translate_errors

log = get_logger(__name__)


class SessionWarning:
    """The warning dialog of one tab, answered whenever it shows."""

    def __init__(self, page: Page, on_kept: Callable[[], None]) -> None:
        self.page = page
        self.dialog = page.get_by_role("dialog", name="Session expiring")
        self.stay = self.dialog.get_by_role("button", name="Stay signed in")
        self._on_kept = on_kept

    async def watch(self) -> None:
        """From now on, press "Stay signed in" whenever the dialog is in the way."""
        with translate_errors():
            await self.page.add_locator_handler(self.dialog, self._stay_signed_in)

    async def _stay_signed_in(self) -> None:
        await self.stay.click()
        self._on_kept()
        log.info("session_kept_alive")
