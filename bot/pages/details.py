"""Screen 5: dates, treatment type, place of service, codes and contact."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from playwright.sync_api import Locator, Page

from bot.errors import CodeRefused
from bot.models import AuthRequest
from bot.pages.base import PortalPage, translate_errors
from bot.pages.dates import us

if TYPE_CHECKING:
    from bot.pages.summary import SummaryPage

REFUSED = {
    "Unknown diagnosis code": CodeRefused,
    "Unknown procedure code": CodeRefused,
    "is not valid for category": CodeRefused,
}


def _unknown(code: str) -> dict[str, Callable[[str], Exception]]:
    """A code lookup's refusals, named by the code (the portal's text may vary)."""
    refused = CodeRefused(f"the portal does not know code {code}")
    return {
        "Unknown diagnosis code": lambda _: refused,
        "Unknown procedure code": lambda _: refused,
    }


class RequestDetailsPage(PortalPage):
    """The remaining required fields; codes are added one at a time, as a person would."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.start_date = page.get_by_label("Start Date", exact=True)
        self.end_date = page.get_by_label("End Date", exact=True)
        self.treatment_type = page.get_by_label("Treatment Type", exact=True)
        self.place_of_service = page.get_by_label("Place Of Service", exact=True)
        self.diagnosis_code = page.get_by_label("Diagnosis Code", exact=True)
        self.add_diagnosis = page.get_by_role("button", name="Add Diagnosis Code", exact=True)
        self.diagnoses = page.get_by_role("list", name="Selected Diagnosis Codes")
        self.procedure_code = page.get_by_label("Procedure Code", exact=True)
        self.units = page.get_by_label("Units", exact=True)
        self.add_procedure = page.get_by_role("button", name="Add Procedure Code", exact=True)
        self.procedures = page.get_by_role("list", name="Selected Procedure Codes")
        self.contact_name = page.get_by_label(
            "Contact name of person completing this request", exact=True
        )
        self.contact_phone = page.get_by_label("Contact phone number", exact=True)
        self.contact_extension = page.get_by_label("Contact phone number extension", exact=True)
        self.contact_fax = page.get_by_label("Contact fax number", exact=True)
        self.contact_email = page.get_by_label("Contact email", exact=True)
        self.continue_button = page.get_by_role("button", name="Continue", exact=True)

    def is_loaded(self) -> bool:
        return self.start_date.is_visible() and self.add_diagnosis.is_visible()

    def fill(self, request: AuthRequest) -> SummaryPage:
        """Enter everything and continue to the summary; refused codes are final."""
        from bot.pages.summary import SummaryPage

        with translate_errors():
            self.start_date.fill(us(request.start_date))
            self.end_date.fill(us(request.end_date))
            self.treatment_type.select_option(label=request.treatment_type)
            self.place_of_service.select_option(value=request.place_of_service)
            for code in request.diagnosis_codes:
                self.diagnosis_code.fill(code)
                self.await_lookup(
                    self.add_diagnosis.click,
                    self._listed(self.diagnoses, code),
                    self._alerts,
                    _unknown(code),
                )
            for line in request.procedures:
                self.procedure_code.fill(line.code)
                self.units.fill(str(line.units))
                self.await_lookup(
                    self.add_procedure.click,
                    self._listed(self.procedures, line.code),
                    self._alerts,
                    _unknown(line.code),
                )
            contact = request.contact
            self.contact_name.fill(contact.name)
            self.contact_phone.fill(contact.phone)
            self.contact_extension.fill(contact.extension or "")
            self.contact_fax.fill(contact.fax)
            self.contact_email.fill(contact.email or "")
        summary = SummaryPage(self.page)
        with self.navigation():
            self.continue_button.click()
        if self.settle(summary.disclaimers, self._alerts) is summary.disclaimers:
            return summary
        self.raise_validation("request details refused", mapping=REFUSED)

    def _listed(self, listing: Locator, code: str) -> Locator:
        """The code just added, as the portal lists it."""
        return listing.get_by_role("listitem").filter(
            has_text=re.compile(rf"^\s*{re.escape(code)}\b")
        )
