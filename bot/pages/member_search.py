"""Screen 3: the Prior Authorization page's member lookup, and its tabs."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from playwright.sync_api import Page

from bot.errors import MemberNotEligible, MemberNotFound
from bot.models import Member
from bot.pages.base import PortalPage, translate_errors
from bot.pages.dates import us

if TYPE_CHECKING:
    from bot.pages.care_setting import CareSettingPage
    from bot.pages.status import StatusPage

SEARCH_KINDS = {
    "caresource_id": "CareSource Id",
    "medicaid_id": "Medicaid Id",
    "member_info": "Member Info",
}


class MemberSearchPage(PortalPage):
    """Find the member for a new request, by one of the three ways the portal offers."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Prior Authorization", exact=True, level=1)
        tabs = page.get_by_role("tablist")
        self.request_tab = tabs.get_by_role("tab", name="Prior Authorization and Notifications")
        self.status_tab = tabs.get_by_role("tab", name="Status")
        self.medical = page.get_by_role("radio", name="Medical (Inpatient & Outpatient)")
        self.search_by = {
            kind: page.get_by_role("radio", name=label, exact=True)
            for kind, label in SEARCH_KINDS.items()
        }
        self.caresource_id = page.get_by_label("CareSource ID", exact=True)
        self.medicaid_id = page.get_by_label("Medicaid ID", exact=True)
        self.first_name = page.get_by_label("First Name", exact=True)
        self.last_name = page.get_by_label("Last Name", exact=True)
        self.dob = page.get_by_label("Date of Birth", exact=True)
        self.date_of_service = page.get_by_label("Start Date of Service", exact=True)
        self.search_button = page.get_by_role("button", name="Search", exact=True)

    def open(self, base_url: str) -> MemberSearchPage:
        with self.navigation():
            self.page.goto(f"{base_url}/prior-auth")
        self.settle(self.heading)
        return self

    def is_loaded(self) -> bool:
        return self.heading.is_visible() and self.search_button.is_visible()

    def search(self, member: Member, date_of_service: date) -> CareSettingPage:
        """Search the member for a medical request; raise when the portal finds no eligible one."""
        from bot.pages.care_setting import CareSettingPage

        with translate_errors():
            self.medical.check()
            self.search_by[member.search_kind].check()
            if member.caresource_id:
                self.caresource_id.fill(member.caresource_id)
            elif member.medicaid_id:
                self.medicaid_id.fill(member.medicaid_id)
            else:
                assert member.first_name and member.last_name and member.dob
                self.first_name.fill(member.first_name)
                self.last_name.fill(member.last_name)
                self.dob.fill(us(member.dob))
            self.date_of_service.fill(us(date_of_service))
        next_page = CareSettingPage(self.page)
        with self.navigation():
            self.search_button.click()
        if self.settle(next_page.setting_group, self._alerts) is next_page.setting_group:
            return next_page
        self.raise_validation(
            "member search refused",
            mapping={
                "not eligible": MemberNotEligible,
                "not found": MemberNotFound,
            },
        )

    def open_status(self) -> StatusPage:
        from bot.pages.status import StatusPage

        target = StatusPage(self.page)
        with self.navigation():
            self.status_tab.click()
        self.settle(target.search_button)
        return target
