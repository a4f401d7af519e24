"""Screen 7: Document Clinical, the category's questionnaire."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.async_api import Page

from bot.models import Clinical
from bot.pages.base import PortalPage, translate_errors

if TYPE_CHECKING:
    from bot.pages.summary import SummaryPage


class ClinicalPage(PortalPage):
    """Answer the questions the portal asks, by their text, and save."""

    screen = "Document Clinical"

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Document Clinical", level=1)
        self.notes = page.get_by_label("Clinical Notes", exact=True)
        self.save_button = page.get_by_role("button", name="Save Clinical", exact=True)

    async def answer(self, clinical: Clinical) -> SummaryPage:
        """Answer every question the request has an answer for and save; the portal refuses
        gaps, and a "try again" saves again (the form is filled anew each time)."""
        from bot.pages.summary import SummaryPage  # the summary opens this page: one lazy import

        await self.expect_controls(self.notes, self.save_button)

        summary = SummaryPage(self.page)
        await self.post_until(
            lambda: self._fill_and_save(clinical),
            summary.disclaimers,
            "clinical answers refused",
            refused={},
        )
        return summary

    async def _fill_and_save(self, clinical: Clinical) -> None:
        with translate_errors():
            for question, value in clinical.answers.items():
                choices = self.page.get_by_role("group", name=question, exact=True)
                if await choices.count():
                    await choices.get_by_role("radio", name=str(value), exact=True).check()
                else:
                    field = self.page.get_by_label(question, exact=True)
                    if await field.count():
                        await field.fill(str(value))
            if clinical.notes:
                await self.notes.fill(clinical.notes)
        async with self.navigation():
            await self.save_button.click()
