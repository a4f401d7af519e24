"""Screen 3: the Prior Authorization page's member lookup, and its tabs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from playwright.async_api import Locator, Page

from bot.errors import MemberNotEligible, MemberNotFound
from bot.models import Member
from bot.pages.base import PortalPage, translate_errors
from bot.pages.care_setting import CareSettingPage
from bot.pages.dates import us

SEARCH_KINDS = {
    "caresource_id": "CareSource Id",
    "medicaid_id": "Medicaid Id",
    "member_info": "Member Info",
}


@dataclass(frozen=True)
class MemberFields:
    """The member's fields, as the member search and the Member Eligibility screen have them
    (only the date of service is labelled differently)."""

    search_by: dict[str, Locator]
    caresource_id: Locator
    medicaid_id: Locator
    first_name: Locator
    last_name: Locator
    dob: Locator
    date_of_service: Locator

    @classmethod
    def on(cls, page: Page, date_of_service: str) -> MemberFields:
        return cls(
            search_by={
                kind: page.get_by_role("radio", name=label, exact=True)
                for kind, label in SEARCH_KINDS.items()
            },
            caresource_id=page.get_by_label("CareSource ID", exact=True),
            medicaid_id=page.get_by_label("Medicaid ID", exact=True),
            first_name=page.get_by_label("First Name", exact=True),
            last_name=page.get_by_label("Last Name", exact=True),
            dob=page.get_by_label("Date of Birth", exact=True),
            date_of_service=page.get_by_label(date_of_service, exact=True),
        )

    @property
    def required(self) -> tuple[Locator, ...]:
        """What must be on screen before the member is entered."""
        return (*self.search_by.values(), self.date_of_service)


async def fill_member(screen: MemberFields, member: Member, date_of_service: date) -> None:
    """Choose how the member is found, fill that way's fields and the date of service."""
    with translate_errors():
        await screen.search_by[member.search_kind].check()
        if member.caresource_id:
            await screen.caresource_id.fill(member.caresource_id)
        elif member.medicaid_id:
            await screen.medicaid_id.fill(member.medicaid_id)
        else:
            assert member.first_name and member.last_name and member.dob
            await screen.first_name.fill(member.first_name)
            await screen.last_name.fill(member.last_name)
            await screen.dob.fill(us(member.dob))
        await screen.date_of_service.fill(us(date_of_service))


class MemberSearchPage(PortalPage):
    """Find the member for a new request, by one of the three ways the portal offers."""

    screen = "Member search"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Prior Authorization", exact=True, level=1)
        self.medical = page.get_by_role("radio", name="Medical (Inpatient & Outpatient)")
        self.member = MemberFields.on(page, "Start Date of Service")
        self.search_button = page.get_by_role("button", name="Search", exact=True)

    async def open(self, base_url: str) -> MemberSearchPage:
        async with self.navigation():
            await self.page.goto(f"{base_url}/prior-auth")
        await self.settle(self.heading)
        return self

    async def search(self, member: Member, date_of_service: date) -> CareSettingPage:
        """Search the member for a medical request; raise when the portal finds no eligible one."""
        await self.expect_controls(self.medical, *self.member.required, self.search_button)
        with translate_errors():
            await self.medical.check()
        await fill_member(self.member, member, date_of_service)
        next_page = CareSettingPage(self.page)
        async with self.navigation():
            await self.search_button.click()
        if await self.settle(next_page.setting_group, self._alerts) is next_page.setting_group:
            return next_page
        await self.raise_validation(
            "member search refused",
            mapping={
                "not eligible": MemberNotEligible,
                "not found": MemberNotFound,
            },
        )
