"""The console's Eligibility page: upload a schedule, read the answers, export them."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Locator, Page, expect


class EligibilityPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Eligibility")
        self.answers = page.get_by_role("table", name="Eligibility answers")
        self.export_link = page.get_by_role("link", name="Export as CSV")

    @classmethod
    async def open(cls, page: Page) -> EligibilityPage:
        """From any signed-in page, through the "Eligibility" link."""
        await (
            page.get_by_role("navigation", name="Console")
            .get_by_role("link", name="Eligibility")
            .click()
        )
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def check(self, schedule: Path) -> EligibilityPage:
        await self.page.get_by_label("Schedule file").set_input_files(schedule)
        await self.page.get_by_role("button", name="Check eligibility").click()
        await expect(self.heading).to_be_visible()
        return self

    @property
    def rows(self) -> Locator:
        return self.answers.get_by_role("row").filter(has=self.page.get_by_role("cell"))

    async def answered(self, timeout_s: float = 90) -> list[list[str]]:
        """The rows' cells once none waits any more (the page updates itself)."""
        waiting = self.rows.filter(has=self.page.get_by_role("cell", name="waiting", exact=True))
        await expect(self.rows.first).to_be_visible()
        await expect(waiting).to_have_count(0, timeout=timeout_s * 1000)
        await expect(self.page.get_by_text("answered.")).to_be_visible()
        return [
            [cell.strip() for cell in await row.get_by_role("cell").all_inner_texts()]
            for row in await self.rows.all()
        ]

    @property
    def problem(self) -> Locator:
        return self.page.get_by_role("alert")
