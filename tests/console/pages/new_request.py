"""The console's New request page: a request file and its attachments, uploaded; or a request
entered field by field."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from playwright.async_api import Locator, Page, expect

from tests.console.pages.request import RequestPage


class NewRequestPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="New request")
        self.results = page.get_by_role("region", name="What was done with each request")
        self._file_form = page.get_by_role("region", name="From a request file")
        self._by_hand = page.get_by_role("region", name="Enter a request field by field")
        self.problems = page.get_by_role("alert")

    @classmethod
    async def open(cls, page: Page) -> NewRequestPage:
        """From any signed-in page, through the "New request" link."""
        await page.get_by_role("link", name="New request").click()
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    # --- a request file ---------------------------------------------------------------------

    async def _choose(self, request_file: Path, attachments: list[Path]) -> None:
        await self._file_form.get_by_label("Request file", exact=True).set_input_files(request_file)
        if attachments:
            await self._file_form.get_by_label("Attachments", exact=True).set_input_files(
                attachments
            )

    async def submit_now(self, request_file: Path, attachments: list[Path]) -> RequestPage:
        await self._choose(request_file, attachments)
        await self._file_form.get_by_role("button", name="Submit now").click()
        return await self._request_page()

    async def add_to_queue(self, request_file: Path, attachments: list[Path]) -> list[str]:
        """Queue every request of the file; each row's result as shown."""
        await self._choose(request_file, attachments)
        await self._file_form.get_by_role("button", name="Add to queue").click()
        return await self.result_rows()

    async def result_rows(self) -> list[str]:
        await expect(self.results).to_be_visible()
        rows = self.results.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        return [" ".join((await row.inner_text()).split()) for row in await rows.all()]

    # --- field by field ---------------------------------------------------------------------

    def field(self, label: str) -> Locator:
        return self._by_hand.get_by_label(label, exact=True)

    async def fill(
        self, values: Mapping[str, str], *, member_by: str = "By CareSource member ID"
    ) -> None:
        """Open the form, find the member ``member_by`` and fill fields by their labels
        (a select is chosen by its option's label)."""
        if not await self.field("Provider NPI (required)").is_visible():
            await self._by_hand.get_by_role(
                "heading", name="Enter a request field by field"
            ).click()
        await self._by_hand.get_by_role("radio", name=member_by).check()
        for label, value in values.items():
            field = self.field(label)
            if await field.evaluate("e => e.tagName") == "SELECT":
                await field.select_option(label=value)
            else:
                await field.fill(value)

    async def attach(self, files: list[Path]) -> None:
        await self.field("Attachment files").set_input_files(files)

    async def submit_form_now(self) -> RequestPage:
        await self._by_hand.get_by_role("button", name="Submit now").click()
        return await self._request_page()

    async def add_form_to_queue(self) -> list[str]:
        await self._by_hand.get_by_role("button", name="Add to queue").click()
        return await self.result_rows()

    async def refused(self) -> list[str]:
        """Send the form and be refused; the errors listed at its top."""
        await self._by_hand.get_by_role("button", name="Add to queue").click()
        await expect(self.problems).to_be_visible()
        return await self.problems.get_by_role("listitem").all_inner_texts()

    def codes(self, label: str) -> Locator:
        """The descriptions shown under a code field ("Diagnosis codes"), one item per code."""
        described = self._by_hand.get_by_role("list", name=f"{label}: what they stand for")
        return described.get_by_role("listitem")

    async def _request_page(self) -> RequestPage:
        shown = RequestPage(self.page)
        await expect(shown.heading).to_be_visible()
        return shown
