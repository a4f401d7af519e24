"""The admin's Audit log page."""

from __future__ import annotations

from playwright.async_api import Page, expect


class AuditPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Audit log")
        self._filters = page.get_by_role("search", name="Filter the audit log")

    @classmethod
    async def open(cls, page: Page, base_url: str) -> AuditPage:
        await page.goto(f"{base_url}/admin/audit")
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def entries(self) -> list[tuple[str, str]]:
        """(who, what) of each line shown, newest first."""
        rows = self.page.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        found = []
        for row in await rows.all():
            cells = await row.get_by_role("cell").all_inner_texts()
            if len(cells) == 5:
                found.append((cells[1], cells[2]))
        return found

    async def filter(self, *, who: str = "", what: str = "") -> AuditPage:
        await self._filters.get_by_label("Who").fill(who)
        await self._filters.get_by_label("What").fill(what)
        await self._filters.get_by_role("button", name="Filter").click()
        await expect(self.heading).to_be_visible()
        return self
