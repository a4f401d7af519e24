"""The console's Figures page: the outcome figures as tables, and their charts."""

from __future__ import annotations

import re

from playwright.async_api import Locator, Page, expect


class MetricsPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Figures")
        self.problem = page.get_by_role("alert")
        self._period = page.get_by_role("search", name="Choose the period")

    @classmethod
    async def open(cls, page: Page) -> MetricsPage:
        """From any signed-in page, through the "Figures" link."""
        await page.get_by_role("link", name="Figures").click()
        return await cls._shown(page)

    @classmethod
    async def visit(cls, page: Page, base_url: str, since: str | None = None) -> MetricsPage:
        """The page's address typed in (with ``?since=``, whatever it holds)."""
        await page.goto(f"{base_url}/metrics" + (f"?since={since}" if since is not None else ""))
        return await cls._shown(page)

    @classmethod
    async def _shown(cls, page: Page) -> MetricsPage:
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def since(self, day: str) -> MetricsPage:
        """Only the requests submitted from ``day`` (YYYY-MM-DD), through the form."""
        await self._period.get_by_label("Submitted from").fill(day)
        await self._period.get_by_role("button", name="Show").click()
        return await self._shown(self.page)

    async def overall(self) -> dict[str, str]:
        """The "All requests" table: each figure's name and its value as shown."""
        return await self._pairs(self.page.get_by_role("table", name="All requests"))

    async def table(self, caption: str) -> list[list[str]]:
        """The rows of the table whose caption starts with ``caption`` (``By category``,
        ``By procedure code``, ``Decision times``), header row first: each row's cells."""
        table = self.page.get_by_role("table", name=re.compile(f"^{re.escape(caption)}"))
        rows = []
        for row in await table.get_by_role("row").all():
            cells = row.get_by_role("columnheader").or_(row.get_by_role("rowheader"))
            rows.append(await cells.or_(row.get_by_role("cell")).all_inner_texts())
        return rows

    def chart(self, name: str | re.Pattern[str]) -> Locator:
        """The chart (an image) whose accessible name is ``name``."""
        return self.page.get_by_role("img", name=name)

    @property
    def charts(self) -> Locator:
        return self.page.get_by_role("img")

    def says(self, text: str | re.Pattern[str]) -> Locator:
        return self.page.get_by_role("main").get_by_text(text)

    @staticmethod
    async def _pairs(table: Locator) -> dict[str, str]:
        found = {}
        for row in await table.get_by_role("row").all():
            found[await row.get_by_role("rowheader").inner_text()] = await row.get_by_role(
                "cell"
            ).inner_text()
        return found
