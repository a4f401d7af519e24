"""The Member Eligibility screen (the left navigation's Member Search group): is the member
covered on a date of service, under which plan and span, and is another payer primary."""

from __future__ import annotations

import re
from datetime import date

from playwright.async_api import Page

from bot.errors import MemberNotFound, PortalValidationError
from bot.models import Member
from bot.pages.base import PortalPage, translate_errors
from bot.pages.member_search import MemberFields, fill_member
from bot.pages.types import Eligibility

_VERDICT = re.compile(r"Eligibility\s*:\s*(Not Eligible|Eligible)")
_PLAN = re.compile(r"Plan\s*:\s*([^\t\n]+)")
_START = re.compile(r"Coverage Start\s*:\s*(\d{2}/\d{2}/\d{4}|None)")
_END = re.compile(r"Coverage End\s*:\s*(\d{2}/\d{2}/\d{4}|Open|None)")
_OTHER = re.compile(r"Coordination of Benefits\s*:\s*(.+?) is the primary payer")


class EligibilityPage(PortalPage):
    """Check one member on one date of service."""

    screen = "Member eligibility"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Member Eligibility", exact=True, level=1)
        self.member = MemberFields.on(page, "Date of Service")
        self.search_button = page.get_by_role("button", name="Search", exact=True)
        self.results = page.get_by_role("region", name="Eligibility Results")

    async def open(self, base_url: str) -> EligibilityPage:
        async with self.navigation():
            await self.page.goto(f"{base_url}/member-eligibility")
        await self.settle(self.heading)
        return self

    async def check(self, member: Member, date_of_service: date) -> Eligibility:
        """The portal's answer; ``MemberNotFound`` when it knows no such member."""
        await self.expect_controls(*self.member.required, self.search_button)
        await fill_member(self.member, member, date_of_service)
        async with self.navigation():
            await self.search_button.click()
        if await self.settle(self.results, self._alerts) is not self.results:
            await self.raise_validation(
                "eligibility search refused", mapping={"not found": MemberNotFound}
            )
        with translate_errors():
            text = await self.results.inner_text()
        return _read(text)


def _read(text: str) -> Eligibility:
    verdict, plan = _VERDICT.search(text), _PLAN.search(text)
    start, end, other = _START.search(text), _END.search(text), _OTHER.search(text)
    if verdict is None:
        raise PortalValidationError("the eligibility results show no verdict")
    shown_start = start.group(1) if start else None
    shown_end = end.group(1) if end else None
    return Eligibility(
        eligible=verdict.group(1) == "Eligible",
        plan=plan.group(1).strip() if plan else None,
        coverage_start=None if shown_start in (None, "None") else shown_start,
        coverage_end=None if shown_end in (None, "None", "Open") else shown_end,
        other_payer=other.group(1).strip() if other else None,
    )
