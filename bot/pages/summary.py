"""Screen 6: the Authorization Request summary with its per-code disclaimers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page

from bot.errors import PortalValidationError
from bot.pages.base import PortalPage, translate_errors
from bot.pages.types import Disclaimer

if TYPE_CHECKING:
    from bot.pages.clinical import ClinicalPage
    from bot.pages.member_search import MemberSearchPage
    from bot.pages.results import ResultsPage


class SummaryPage(PortalPage):
    """Read the disclaimers, open Document Clinical per code, then submit or cancel."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.disclaimers = page.get_by_role("region", name="Disclaimers")
        self.main = page.get_by_role("main")
        self.submit_button = page.get_by_role("button", name="Submit Request", exact=True)
        self.cancel_button = page.get_by_role("button", name="Cancel Request", exact=True)
        self.back_button = page.get_by_role("button", name="Back", exact=True)

    def is_loaded(self) -> bool:
        return self.disclaimers.is_visible() and self.submit_button.is_visible()

    def _article(self, code: str) -> Locator:
        return self.disclaimers.get_by_role("article", name=f"{code} - CPT/HCPCS", exact=True)

    def read_disclaimers(self, codes: list[str]) -> list[Disclaimer]:
        """The disclaimer of each of the request's procedure codes, in the request's order."""
        with translate_errors():
            return [
                Disclaimer(code=code, text=" ".join(self._article(code).inner_text().split()))
                for code in codes
            ]

    def authorization_number(self) -> str | None:
        with translate_errors():
            match = re.search(r"EPS-\d{8}", self.main.inner_text())
            return match.group(0) if match else None

    def document_clinical(self, code: str) -> ClinicalPage:
        from bot.pages.clinical import ClinicalPage

        target = ClinicalPage(self.page)
        with self.navigation():
            self._article(code).get_by_role("button", name="Document Clinical").click()
        self.settle(target.heading)
        return target

    def submit(self) -> ResultsPage:
        """Click Submit Request. The caller has written ``submitting`` to the queue before this."""
        from bot.pages.results import ResultsPage

        target = ResultsPage(self.page)
        with self.navigation():
            self.submit_button.click()
        if self.settle(target.reference, self._alerts) is target.reference:
            return target
        raise PortalValidationError(" ".join(self.alert_texts()) or "submit refused")

    def cancel(self) -> MemberSearchPage:
        from bot.pages.member_search import MemberSearchPage

        target = MemberSearchPage(self.page)
        with self.navigation():
            self.cancel_button.click()
        self.settle(target.heading)
        return target
