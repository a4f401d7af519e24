"""Screen 9: the Status tab: search existing authorizations, open one's detail."""

from __future__ import annotations

from datetime import date

from playwright.async_api import Page

from bot.pages.base import PortalPage, translate_errors
from bot.pages.dates import us
from bot.pages.results import ResultsPage
from bot.pages.types import StatusRow

_COLUMNS = (
    "Reference #",
    "Authorization",
    "Procedure Codes",
    "Provider NPI",
    "Start Date",
    "End Date",
    "Status",
    "Submitted",
)


MAX_PAGES = 50
"""The most pages of Status results read (500 authorizations of one member in the dates)."""


class StatusPage(PortalPage):
    """Find authorizations by member and dates, or by reference number."""

    screen = "Status"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.by_member = page.get_by_role("radio", name="Member and Dates", exact=True)
        self.by_reference = page.get_by_role("radio", name="Reference Number", exact=True)
        self.caresource_id = page.get_by_label("CareSource ID", exact=True)
        self.from_date = page.get_by_label("From Date", exact=True)
        self.to_date = page.get_by_label("To Date", exact=True)
        self.reference = page.get_by_label("Reference Number", exact=True)
        self.search_button = page.get_by_role("button", name="Search", exact=True)
        self.table = page.get_by_role("table", name="Authorizations")
        self.none_found = page.get_by_text("No authorizations found.")
        self.detail_heading = page.get_by_role("heading", name="Authorization Detail", level=1)
        self.next_page = page.get_by_role("navigation", name="Pagination").get_by_role(
            "button", name="Next", exact=True
        )

    async def open(self, base_url: str) -> StatusPage:
        async with self.navigation():
            await self.page.goto(f"{base_url}/prior-auth/status")
        await self.settle(self.search_button)
        return self

    async def search_member(self, caresource_id: str, start: date, end: date) -> list[StatusRow]:
        """Authorizations of the member whose start date of service falls in [start, end]."""
        await self.expect_controls(self.by_member, self.search_button)
        with translate_errors():
            await self.by_member.check()
            await self.caresource_id.fill(caresource_id)
            await self.from_date.fill(us(start))
            await self.to_date.fill(us(end))
        return await self._search()

    async def search_reference(self, reference_id: str) -> list[StatusRow]:
        with translate_errors():
            await self.by_reference.check()
            await self.reference.fill(reference_id)
        return await self._search()

    async def open_detail(self, reference_id: str) -> ResultsPage:
        target = ResultsPage(self.page)
        async with self.navigation():
            await self.table.get_by_role("link", name=f"View {reference_id}", exact=True).click()
        await self.settle(self.detail_heading)
        return target

    async def _search(self) -> list[StatusRow]:
        """Every row of every page of the results (an older match may sit on page 2)."""
        async with self.navigation():
            await self.search_button.click()
        shown = await self.settle(self.table, self.none_found, self._alerts)
        if shown is self.none_found:
            return []
        if shown is not self.table:
            await self.raise_validation("status search refused", mapping={})
        rows = await self._rows()
        for _ in range(MAX_PAGES - 1):
            with translate_errors():
                more = await self.next_page.is_visible()
            if not more:
                return rows
            async with self.navigation():
                await self.next_page.click()
            await self.settle(self.table)
            rows.extend(await self._rows())
        return rows

    async def _rows(self) -> list[StatusRow]:
        with translate_errors():
            headers = await self.table.get_by_role("columnheader").all_inner_texts()
            header = [c.strip() for c in headers]
            index = {name: header.index(name) for name in _COLUMNS}
            rows = []
            for row in (await self.table.get_by_role("row").all())[1:]:
                cells = [c.strip() for c in await row.get_by_role("cell").all_inner_texts()]
                if len(cells) < len(_COLUMNS):
                    continue
                rows.append(
                    StatusRow(
                        reference_id=cells[index["Reference #"]],
                        authorization_number=cells[index["Authorization"]],
                        procedure_codes=tuple(cells[index["Procedure Codes"]].split()),
                        provider_npi=cells[index["Provider NPI"]],
                        start_date=cells[index["Start Date"]],
                        end_date=cells[index["End Date"]],
                        status=cells[index["Status"]],
                        submitted=cells[index["Submitted"]],
                    )
                )
            return rows
