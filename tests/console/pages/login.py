"""The console's sign-in page."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.console.pages.worklist import WorklistPage


class LoginPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    async def open(cls, page: Page, base_url: str) -> LoginPage:
        await page.goto(f"{base_url}/login")
        return cls(page)

    @property
    def problem(self) -> Locator:
        return self.page.get_by_role("alert")

    async def attempt(self, username: str, password: str) -> None:
        await self.page.get_by_label("Username").fill(username)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Sign in").click()

    async def sign_in(self, username: str, password: str) -> WorklistPage:
        await self.attempt(username, password)
        worklist = WorklistPage(self.page)
        await expect(worklist.heading).to_be_visible()
        return worklist

    async def refused(self, username: str, password: str) -> str:
        """Sign in and be refused; the message shown."""
        await self.attempt(username, password)
        await expect(self.problem).to_be_visible()
        return await self.problem.inner_text()
