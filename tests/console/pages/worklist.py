"""The console's home page: the worklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.console.pages.login import LoginPage


class WorklistPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1, name="Worklist")

    async def sign_out(self) -> LoginPage:
        from tests.console.pages.login import LoginPage

        await self.page.get_by_role("button", name="Sign out").click()
        await expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()
        return LoginPage(self.page)
