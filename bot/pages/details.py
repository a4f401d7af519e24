"""Screen 5: dates, treatment type, place of service, codes and contact."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import Locator, Page

from bot.errors import CodeRefused
from bot.models import AuthRequest
from bot.pages.base import PortalPage, translate_errors
from bot.pages.dates import us
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

    screen = "Request details"

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

    async def fill(self, request: AuthRequest) -> SummaryPage:
        """Enter everything and continue to the summary; refused codes are final."""
        await self.expect_controls(*self._controls())
        with translate_errors():
            await self.start_date.fill(us(request.start_date))
            await self.end_date.fill(us(request.end_date))
            await self.treatment_type.select_option(label=request.treatment_type)
            await self.place_of_service.select_option(value=request.place_of_service)
            for code in request.diagnosis_codes:
                await self.diagnosis_code.fill(code)
                await self.await_lookup(
                    self.add_diagnosis.click,
                    self._listed(self.diagnoses, code),
                    self._alerts,
                    _unknown(code),
                )
            for line in request.procedures:
                await self.procedure_code.fill(line.code)
                await self.units.fill(str(line.units))
                await self.await_lookup(
                    self.add_procedure.click,
                    self._listed(self.procedures, line.code),
                    self._alerts,
                    _unknown(line.code),
                )
            contact = request.contact
            await self.contact_name.fill(contact.name)
            await self.contact_phone.fill(contact.phone)
            await self.contact_extension.fill(contact.extension or "")
            await self.contact_fax.fill(contact.fax)
            await self.contact_email.fill(contact.email or "")
        summary = SummaryPage(self.page)
        async with self.navigation():
            await self.continue_button.click()
        if await self.settle(summary.disclaimers, self._alerts) is summary.disclaimers:
            return summary
        await self.raise_validation("request details refused", mapping=REFUSED)

    def _controls(self) -> list[Locator]:
        """What the screen always shows (the lists of codes only once a code is added)."""
        return [
            self.start_date,
            self.end_date,
            self.treatment_type,
            self.place_of_service,
            self.diagnosis_code,
            self.add_diagnosis,
            self.procedure_code,
            self.units,
            self.add_procedure,
            self.contact_name,
            self.contact_phone,
            self.contact_extension,
            self.contact_fax,
            self.contact_email,
            self.continue_button,
        ]

    def _listed(self, listing: Locator, code: str) -> Locator:
        """The code just added, as the portal lists it."""
        return listing.get_by_role("listitem").filter(
            has_text=re.compile(rf"^\s*{re.escape(code)}\b")
        )
