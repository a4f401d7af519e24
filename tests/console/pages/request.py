"""A request's page in the console."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.async_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.console.pages.new_request import NewRequestPage


class RequestPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.heading = page.get_by_role("heading", level=1, name="Request")
        self.steps = page.get_by_role("region", name="Steps").get_by_role("listitem")

    def _value(self, name: str) -> Locator:
        term = self.page.get_by_role("term").filter(has_text=name)
        return term.locator("xpath=following-sibling::dd[1]")

    async def fact(self, name: str) -> str:
        """The value shown beside ``name`` ("State", "Reference ID", "Portal status")."""
        return await self._value(name).inner_text()

    async def shows_fact(self, name: str, value: str, timeout_s: float = 60) -> None:
        """Wait until ``value`` is shown beside ``name`` (the page updates itself)."""
        await expect(self._value(name)).to_have_text(value, timeout=timeout_s * 1000)

    async def reference_id(self, timeout_s: float = 90) -> str:
        """The reference id, once the resident worker has read it (the page updates itself)."""
        await expect(self.page.get_by_role("term").filter(has_text="Reference ID")).to_be_visible(
            timeout=timeout_s * 1000
        )
        return await self.fact("Reference ID")

    async def shows_steps(self, *labels: str, timeout_s: float = 60) -> None:
        """Wait until the live steps list holds these labels, in this order, at once."""
        await expect(self.steps.filter(has_text=labels[-1])).to_be_visible(timeout=timeout_s * 1000)
        shown = await self.steps.all_inner_texts()
        assert [label for label in shown if label in labels] == list(labels), shown

    @classmethod
    async def open(cls, page: Page, base_url: str, item_id: int) -> RequestPage:
        await page.goto(f"{base_url}/requests/{item_id}")
        shown = cls(page)
        await expect(shown.heading).to_be_visible()
        return shown

    @property
    def actions(self) -> Locator:
        """The buttons and links of "What you can do" (not the file input, a button too)."""
        region = self.page.get_by_role("region", name="What you can do")
        named = re.compile(r"\S")
        return region.get_by_role("button").or_(region.get_by_role("link")).filter(has_text=named)

    async def retry(self) -> RequestPage:
        await self.page.get_by_role("button", name="Retry").click()
        await expect(self.page.get_by_role("button", name="Retry")).to_be_hidden()
        return self

    async def edit(self) -> NewRequestPage:
        from tests.console.pages.new_request import NewRequestPage

        await self.page.get_by_role("link", name="Edit and send again").click()
        shown = NewRequestPage(self.page)
        await expect(shown.heading).to_be_visible()
        return shown

    async def cancel(self) -> RequestPage:
        """Cancel the request; the page it lands on (the request's own, or its refusal)."""
        await self.page.get_by_role("button", name="Cancel request").click()
        await expect(self.heading).to_be_visible()
        return self

    @property
    def problem(self) -> Locator:
        """What the console said it could not do."""
        return self.page.get_by_role("alert")

    async def csrf_token(self) -> str:
        """The page's CSRF token, as a program posting on its own would need it."""
        sign_out = self.page.get_by_role("button", name="Sign out")
        return str(await sign_out.evaluate("b => b.form.elements.csrf_token.value"))

    async def follow_up_now(self) -> RequestPage:
        await self.page.get_by_role("button", name="Follow up now").click()
        await expect(self.heading).to_be_visible()
        return self

    async def add_attachment(self, path: Path) -> RequestPage:
        await self.page.get_by_label("Attachment owed").set_input_files(path)
        await self.page.get_by_role("button", name="Add attachment").click()
        await expect(self.heading).to_be_visible()
        return self

    async def follow_ups(self, *, done: bool = False, timeout_s: float = 60) -> list[str]:
        """The rows of "Follow-ups"; with ``done``, once none is waiting any more."""
        rows = self.follow_up_region.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        await expect(rows.first).to_be_visible()
        if done:
            waiting = rows.filter(has=self.page.get_by_role("cell", name="waiting", exact=True))
            await expect(waiting).to_have_count(0, timeout=timeout_s * 1000)
        return [" ".join((await row.inner_text()).split()) for row in await rows.all()]

    @property
    def uploaded(self) -> Locator:
        """The line naming the files uploaded to the portal for the request."""
        return self.page.get_by_text("Uploaded to the portal:")

    @property
    def follow_up_region(self) -> Locator:
        return self.page.get_by_role("region", name="Follow-ups")

    @property
    def appeal_region(self) -> Locator:
        return self.page.get_by_role("region", name="Appeal")

    async def appeal_fact(self, name: str) -> str:
        """A fact of the Appeal section ("Appeal", "Appeal deadline")."""
        term = self.appeal_region.get_by_role("term").filter(has_text=re.compile(f"^{name}$"))
        return await term.locator("xpath=following-sibling::dd[1]").inner_text()

    async def prepare_appeal_packet(self) -> RequestPage:
        await self.appeal_region.get_by_role("button", name="Prepare appeal packet").click()
        await expect(self.packet_link).to_be_visible(timeout=60_000)
        return self

    @property
    def packet_link(self) -> Locator:
        return self.appeal_region.get_by_role("link", name="Open the appeal packet")

    async def mark_appeal(self, step: str) -> RequestPage:
        """Mark the appeal ``filed``, ``overturned`` or ``upheld``."""
        name = "Mark appeal filed" if step == "filed" else f"Mark {step}"
        await self.appeal_region.get_by_role("button", name=name).click()
        await expect(self.heading).to_be_visible()
        return self

    @property
    def appeal_marks(self) -> Locator:
        return self.appeal_region.get_by_role("button", name=re.compile("^Mark "))

    async def appeal_history(self) -> list[str]:
        """The steps of the appeal history table, oldest first: ``"prepared by ann"``."""
        table = self.appeal_region.get_by_role("table", name="Appeal history")
        rows = table.get_by_role("row").filter(has=self.page.get_by_role("cell"))
        found = []
        for row in await rows.all():
            cells = await row.get_by_role("cell").all_inner_texts()
            found.append(f"{cells[1]} by {cells[2]}")
        return found

    @property
    def documentation_gaps(self) -> Locator:
        """The items of "Documentation check": what the request seems to lack."""
        region = self.page.get_by_role("region", name="Documentation check")
        return region.get_by_role("listitem")
