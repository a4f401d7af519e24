"""The console's New request page: a request file and its attachments, uploaded."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page, expect

from tests.console.pages.request import RequestPage


class NewRequestPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="New request")
        self.results = page.get_by_role("region", name="What was done with each request")

    @classmethod
    async def open(cls, page: Page) -> NewRequestPage:
        """From any signed-in page, through the "New request" link."""
        await page.get_by_role("link", name="New request").click()
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def _choose(self, request_file: Path, attachments: list[Path]) -> None:
        await self.page.get_by_label("Request file", exact=True).set_input_files(request_file)
        if attachments:
            await self.page.get_by_label("Attachments", exact=True).set_input_files(attachments)

    async def submit_now(self, request_file: Path, attachments: list[Path]) -> RequestPage:
        await self._choose(request_file, attachments)
        await self.page.get_by_role("button", name="Submit now").click()
        shown = RequestPage(self.page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def add_to_queue(self, request_file: Path, attachments: list[Path]) -> list[str]:
        """Queue every request of the file; each row's result as shown."""
        await self._choose(request_file, attachments)
        await self.page.get_by_role("button", name="Add to queue").click()
        await expect(self.results).to_be_visible()
        rows = self.results.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        return [" ".join((await row.inner_text()).split()) for row in await rows.all()]
