"""The console's home page: the worklist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.console.pages.login import LoginPage


class WorklistPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Worklist")
        self.counts = page.get_by_role("list", name="Counts")
        self._filters = page.get_by_role("search", name="Filter the worklist")

    @classmethod
    async def open(cls, page: Page) -> WorklistPage:
        """From any signed-in page, through the "Worklist" link."""
        await page.get_by_role("link", name="Worklist").click()
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def groups(self) -> list[str]:
        """The groups' headings, in the order shown."""
        return await self.page.get_by_role("heading", level=2).all_inner_texts()

    def group(self, name: str) -> Locator:
        """The rows of one group (its heading starts with ``name``)."""
        section = self.page.get_by_role("region", name=name)
        return section.get_by_role("row").filter(has=self.page.get_by_role("cell"))

    async def request_ids(self) -> list[str]:
        rows = self.page.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        return [await row.get_by_role("cell").first.inner_text() for row in await rows.all()]

    async def filter(self, **choices: str) -> WorklistPage:
        """Filter by ``q`` (request or reference id), ``state``, ``status``, ``category``."""
        labels = {"q": "Request or reference ID", "state": "State", "status": "Portal status"}
        labels["category"] = "Category"
        for name, value in choices.items():
            field = self._filters.get_by_label(labels[name], exact=True)
            if name == "q":
                await field.fill(value)
            else:
                await field.select_option(value)
        await self._filters.get_by_role("button", name="Filter").click()
        await expect(self.heading).to_be_visible()
        return self

    async def form_token(self) -> str:
        """The CSRF token the page's forms send (for a test that posts without the page)."""
        return await self.page.locator("input[name=csrf_token]").first.input_value()

    async def sign_out(self) -> LoginPage:
        from tests.console.pages.login import LoginPage

        await self.page.get_by_role("button", name="Sign out").click()
        await expect(self.page.get_by_role("button", name="Sign in")).to_be_visible()
        return LoginPage(self.page)
