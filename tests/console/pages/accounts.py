"""The admin's Accounts page."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect


class AccountsPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Accounts")

    @classmethod
    async def open(cls, page: Page, base_url: str) -> AccountsPage:
        await page.goto(f"{base_url}/admin/users")
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    def row(self, name: str) -> Locator:
        return self.page.get_by_role("row").filter(
            has=self.page.get_by_role("cell", name=name, exact=True)
        )

    async def unlock(self, name: str) -> AccountsPage:
        await self.page.get_by_role("button", name=f"Unlock {name}").click()
        await expect(self.row(name)).to_contain_text("active")
        return self

    async def disable(self, name: str) -> AccountsPage:
        await self.page.get_by_role("button", name=f"Disable {name}").click()
        await expect(self.row(name)).to_contain_text("disabled")
        return self
