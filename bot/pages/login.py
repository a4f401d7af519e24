"""Screen 1: the login form, and the two-step verification that follows it for TOTP accounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from playwright.async_api import Page
from pydantic import SecretStr

from bot.errors import LoginPageUnknown, LoginRejected, PortalTimeout
from bot.pages.base import PortalPage, translate_errors
from bot.pages.home import HomePage
from bot.pages.notice import Notice, NoticePage

MAX_NOTICES = 5
"""The most notices one login answers before the page counts as one the bot does not know (a
portal that shows the same notice again and again)."""


class LoginPage(PortalPage):
    """``log_in`` makes exactly one attempt: a second could lock the practice's account.

    A page it does not recognise (other wording, a CAPTCHA, a verification step it cannot read)
    is ``LoginPageUnknown``: a stop, never a retry, whatever was typed.
    """

    screen = "Login"

    login_is_trouble = False

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.heading = page.get_by_role("heading", name="Provider Portal Login", level=1)
        self.username = page.get_by_label("Username", exact=True)
        self.password = page.get_by_label("Password", exact=True)
        self.log_in_button = page.get_by_role("button", name="Log in", exact=True)
        self.verify_heading = page.get_by_role("heading", name="Two-Step Verification", level=1)
        self.code = page.get_by_label("Authentication code", exact=True)
        self.verify_button = page.get_by_role("button", name="Verify", exact=True)
        self.rejected = page.get_by_role("alert").filter(has_text="Invalid username or password")
        self.locked = page.get_by_role("alert").filter(has_text="locked")
        self.bad_code = page.get_by_role("alert").filter(has_text="Invalid authentication code")
        self.notice = NoticePage(page)
        self.notices: list[Notice] = []
        """What the portal said between the login and its home page, in the last ``log_in``."""

    async def open(self, base_url: str) -> LoginPage:
        async with self.navigation():
            await self.page.goto(f"{base_url}/login")
        try:
            await self.settle(self.heading)
        except PortalTimeout:
            raise LoginPageUnknown(
                "the portal's login page shows no 'Provider Portal Login' form"
            ) from None
        with translate_errors():
            known = await self.username.is_visible() and await self.password.is_visible()
            known = known and await self.log_in_button.is_visible()
        if not known:
            raise LoginPageUnknown("the login page lacks its Username, Password or Log in")
        return self

    async def log_in(
        self,
        username: str,
        password: SecretStr,
        totp_code: Callable[[], Awaitable[str]] | None,
    ) -> HomePage:
        """Log in once; raise ``LoginRejected`` when the portal refuses.

        ``totp_code`` gives the code of the two-step verification when the portal asks for one
        (the login gate's: it never hands out a code twice)."""
        home = HomePage(self.page)
        with translate_errors():
            await self.username.fill(username)
            await self.password.fill(password.get_secret_value())
        async with self.navigation():
            await self.log_in_button.click()
        shown = await self._settle_login(home)
        if shown is self.verify_heading:
            if totp_code is None:
                raise LoginRejected(
                    "the account asks for an authentication code; set PA_BOT_TOTP_SECRET"
                )
            code = await totp_code()
            with translate_errors():
                await self.code.fill(code)
            async with self.navigation():
                await self.verify_button.click()
            shown = await self._settle_login(home)
        self.notices = []
        while shown is self.notice.headings and len(self.notices) < MAX_NOTICES:
            self.notices.append(await self.notice.answer())
            shown = await self._settle_login(home)
        if shown is home.heading:
            return home
        raise LoginPageUnknown("the login did not lead to the portal's home page")

    async def _settle_login(self, home: HomePage) -> object:
        """Wait for the home page, the TOTP step, or the login form's own alerts; anything else
        showing until the timeout is a page the bot does not know."""
        try:
            return await self._known_outcome(home)
        except PortalTimeout:
            raise LoginPageUnknown(
                "after Log in the portal showed a page the bot does not recognise"
            ) from None

    async def _known_outcome(self, home: HomePage) -> object:
        with translate_errors():
            either = (
                home.heading.or_(self.verify_heading)
                .or_(self.notice.headings)
                .or_(self.rejected)
                .or_(self.locked)
                .or_(self.bad_code)
                .or_(self._maintenance)
                .or_(self._unavailable)
                .or_(self._server_error)
            )
            await either.first.wait_for(state="visible")
            if await self.locked.is_visible():
                raise LoginRejected("the portal account is locked")
            if await self.rejected.is_visible() or await self.bad_code.is_visible():
                raise LoginRejected("the portal rejected the credentials")
            await self._raise_for_trouble()
            if await home.heading.is_visible():
                return home.heading
            if await self.notice.headings.first.is_visible():
                return self.notice.headings
            return self.verify_heading
