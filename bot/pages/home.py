"""Screen 2: home, with the left navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import Page

from bot.pages.base import PortalPage

if TYPE_CHECKING:
    from bot.pages.member_search import MemberSearchPage


class HomePage(PortalPage):
    """The landing page after login."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Provider Portal", exact=True, level=1)
        self.nav = page.get_by_role("navigation", name="Main")
        self.prior_auth_link = self.nav.get_by_role(
            "link", name="Prior Authorization and Notifications"
        )
        self.notice = page.get_by_role("region", name="Attention All Providers")

    def is_loaded(self) -> bool:
        return self.heading.is_visible()

    def open_prior_authorization(self) -> MemberSearchPage:
        from bot.pages.member_search import MemberSearchPage

        target = MemberSearchPage(self.page)
        with self.navigation():
            self.prior_auth_link.click()
        self.settle(target.heading)
        return target
