"""Screen 6: the Authorization Request summary with its per-code disclaimers."""

from __future__ import annotations

from playwright.async_api import Locator, Page

from bot.errors import PortalValidationError
from bot.pages.base import PortalPage, translate_errors
from bot.pages.clinical import ClinicalPage
from bot.pages.results import ResultsPage
from bot.pages.types import Disclaimer


class SummaryPage(PortalPage):
    """Read the disclaimers, open Document Clinical per code, then submit or cancel."""

    screen = "Authorization Request summary"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.disclaimers = page.get_by_role("region", name="Disclaimers")
        self.submit_button = page.get_by_role("button", name="Submit Request", exact=True)
        self.cancel_button = page.get_by_role("button", name="Cancel Request", exact=True)
        self.search_heading = page.get_by_role(
            "heading", name="Prior Authorization", exact=True, level=1
        )

    def _article(self, code: str) -> Locator:
        return self.disclaimers.get_by_role("article", name=f"{code} - CPT/HCPCS", exact=True)

    async def read_disclaimers(self, codes: list[str]) -> list[Disclaimer]:
        """The disclaimer of each of the request's procedure codes, in the request's order
        (Submit and Cancel are looked for first: a dry run must know Submit is there)."""
        await self.expect_controls(self.submit_button, self.cancel_button)
        with translate_errors():
            return [
                Disclaimer(
                    code=code, text=" ".join((await self._article(code).inner_text()).split())
                )
                for code in codes
            ]

    async def document_clinical(self, code: str) -> ClinicalPage:
        target = ClinicalPage(self.page)
        async with self.navigation():
            await self._article(code).get_by_role("button", name="Document Clinical").click()
        await self.settle(target.heading)
        return target

    async def submit(self) -> ResultsPage:
        """Click Submit Request. The caller has written ``submitting`` to the queue before this."""
        target = ResultsPage(self.page)
        async with self.navigation():
            await self.submit_button.click()
        if await self.settle(target.reference, self._alerts) is target.reference:
            return target
        raise PortalValidationError(" ".join(await self.alert_texts()) or "submit refused")

    async def cancel(self) -> None:
        """Cancel the request (none of its codes needs authorization); back on the search."""
        async with self.navigation():
            await self.cancel_button.click()
        await self.settle(self.search_heading)
