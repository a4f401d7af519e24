"""A request's page in the console."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.console.pages.new_request import NewRequestPage


class RequestPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Request")
        self.steps = page.get_by_role("region", name="Steps").get_by_role("listitem")

    async def fact(self, name: str) -> str:
        """The value shown beside ``name`` ("State", "Reference ID", "Portal status")."""
        term = self.page.get_by_role("term").filter(has_text=name)
        return await term.locator("xpath=following-sibling::dd[1]").inner_text()

    async def reference_id(self, timeout_s: float = 90) -> str:
        """The reference id, once the resident worker has read it (the page updates itself)."""
        await expect(self.page.get_by_role("term").filter(has_text="Reference ID")).to_be_visible(
            timeout=timeout_s * 1000
        )
        return await self.fact("Reference ID")

    async def shows_steps(self, *labels: str, timeout_s: float = 60) -> None:
        """Wait until the live steps list holds these labels, in this order, at once."""
        await expect(self.steps.filter(has_text=labels[-1])).to_be_visible(timeout=timeout_s * 1000)
        shown = await self.steps.all_inner_texts()
        assert [label for label in shown if label in labels] == list(labels), shown

    @classmethod
    async def open(cls, page: Page, base_url: str, item_id: int) -> RequestPage:
        await page.goto(f"{base_url}/requests/{item_id}")
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    @property
    def actions(self) -> Locator:
        """The buttons and links of "What you can do"."""
        region = self.page.get_by_role("region", name="What you can do")
        return region.get_by_role("button").or_(region.get_by_role("link"))

    async def retry(self) -> RequestPage:
        await self.page.get_by_role("button", name="Retry").click()
        await expect(self.page.get_by_role("button", name="Retry")).to_be_hidden()
        return self

    async def edit(self) -> NewRequestPage:
        from tests.console.pages.new_request import NewRequestPage

        await self.page.get_by_role("link", name="Edit and send again").click()
        shown = NewRequestPage(self.page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def cancel(self) -> RequestPage:
        """Cancel the request; the page it lands on (the request's own, or its refusal)."""
        await self.page.get_by_role("button", name="Cancel request").click()
        await expect(self.heading).to_be_visible()
        return self

    @property
    def problem(self) -> Locator:
        """What the console said it could not do."""
        return self.page.get_by_role("alert")

    async def csrf_token(self) -> str:
        """The page's CSRF token, as a program posting on its own would need it."""
        sign_out = self.page.get_by_role("button", name="Sign out")
        return str(await sign_out.evaluate("b => b.form.elements.csrf_token.value"))
