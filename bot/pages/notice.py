"""Between login and home: the notices a portal shows once per login (a password that expires
soon, a provider announcement), and the page of an expired password, which has no way on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from playwright.async_api import Locator, Page

from bot.errors import PasswordExpired
from bot.pages.base import PortalPage, translate_errors

_DAYS = re.compile(r"expires in (\d+) days?")


@dataclass(frozen=True)
class Notice:
    """What one notice said: the days left of the password, or an announcement's text."""

    password_expires_in_days: int | None = None
    announcement: str | None = None


class NoticePage(PortalPage):
    """``answer`` reads the notice shown and presses its one button (Continue, Acknowledge)."""

    screen = "Notice"

    login_is_trouble = False

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.expiring = page.get_by_role("heading", name="Password Expiring", level=1)
        self.expired = page.get_by_role("heading", name="Password Expired", level=1)
        self.announcement = page.get_by_role("heading", name="Provider Announcement", level=1)
        self.message = page.get_by_role("status")
        self.continue_button = page.get_by_role("button", name="Continue", exact=True)
        self.acknowledge_button = page.get_by_role("button", name="Acknowledge", exact=True)
        self.headings: Locator = self.expiring.or_(self.expired).or_(self.announcement)
        """Any of the notices' headings: what the login waits for beside the home page."""

    async def answer(self) -> Notice:
        """Answer the notice shown; ``PasswordExpired`` when the password has expired."""
        with translate_errors():
            if await self.expired.is_visible():
                raise PasswordExpired(
                    "the portal says the account's password has expired: change it on the "
                    "portal, set the new one (PA_BOT_PASSWORD), then run `pa-bot login`"
                )
            said = (await self.message.inner_text()).strip()
            if await self.expiring.is_visible():
                found = _DAYS.search(said)
                notice = Notice(password_expires_in_days=int(found[1]) if found else None)
                button = self.continue_button
            else:
                notice = Notice(announcement=said)
                button = self.acknowledge_button
        async with self.navigation():
            await button.click()
        return notice
