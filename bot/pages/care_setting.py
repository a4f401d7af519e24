"""Screen 4: care setting, category and the ordering provider (an autocomplete to pick from)."""

from __future__ import annotations

import re

from playwright.async_api import Page

from bot.errors import ProviderNotFound
from bot.pages.base import TRY_AGAIN, PortalPage, translate_errors
from bot.pages.details import RequestDetailsPage

NOT_FOUND = "the portal found no provider with that NPI"


class CareSettingPage(PortalPage):
    """Inpatient or outpatient, the category, and the provider picked from the dropdown."""

    screen = "Care setting"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.setting_group = page.get_by_role("group", name="Select Care Setting")
        self.category = page.get_by_label("Select Category", exact=True)
        self.provider_search = page.get_by_role("combobox", name="Provider Search")
        self.providers = page.get_by_role("listbox", name="Providers")
        self.no_providers = self.providers.get_by_text("No providers found.")
        self.search_trouble = self.providers.get_by_text(TRY_AGAIN)
        self.provider_name = page.get_by_label("Provider Name", exact=True)
        self.continue_button = page.get_by_role("button", name="Continue", exact=True)
        self.main = page.get_by_role("main")

    async def patient_id(self) -> str | None:
        """The member's CareSource ID as the banner shows it (for later Status searches)."""
        with translate_errors():
            match = re.search(r"Patient\s*:\s*(\d{9})", await self.main.inner_text())
        return match.group(1) if match else None

    async def choose(self, care_setting: str, category: str, npi: str) -> RequestDetailsPage:
        """Fill the screen and continue; an unknown or out-of-network provider is final."""
        await self.expect_controls(
            self.setting_group, self.category, self.provider_search, self.continue_button
        )
        with translate_errors():
            await self.setting_group.get_by_role("radio", name=care_setting, exact=True).check()
            await self.category.select_option(label=category)
            option = self.providers.get_by_role("option", name=re.compile(rf"\(NPI {npi}\)"))

            async def search() -> None:
                await self.provider_search.fill("")
                await self.provider_search.fill(npi)

            await self.await_lookup(
                search,
                option,
                self.no_providers.or_(self.search_trouble),
                {"No providers found": lambda _: ProviderNotFound(NOT_FOUND)},
            )
            await option.click()
        next_page = RequestDetailsPage(self.page)
        async with self.navigation():
            await self.continue_button.click()
        if await self.settle(next_page.start_date, self._alerts) is next_page.start_date:
            return next_page
        await self.raise_validation(
            "care setting refused",
            mapping={
                "not in network": ProviderNotFound,
                "provider": ProviderNotFound,
            },
        )
