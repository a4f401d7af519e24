"""Screen 2: home, with the left navigation."""

from __future__ import annotations

from playwright.async_api import Page

from bot.pages.base import PortalPage


class HomePage(PortalPage):
    """The landing page after login."""

    screen = "Home"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Provider Portal", exact=True, level=1)
