"""What every portal screen shares: recognising the portal's error pages, waiting for the next
screen, and translating Playwright's exceptions into the bot's own at the page boundary."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import ClassVar, NoReturn

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bot import retry_policy
from bot.errors import (
    PageCrashed,
    PortalMaintenance,
    PortalNotTaken,
    PortalTimeout,
    PortalUnavailable,
    PortalValidationError,
    RateLimited,
    SessionExpired,
    SignedOutElsewhere,
    UiDrift,
    UnexpectedPage,
)

#: The kinds of request whose answer a screen's change waits on: script lookups and form posts.
ANSWERS = frozenset({"fetch", "xhr", "document"})

LOOKUP_TRIES = 3
"""How often a lookup is made while the page says to try it again ("The code could not be
checked. Please try again."): the portal's helper answered 503; then the portal counts as down."""

TRY_AGAIN = re.compile(r"try again", re.IGNORECASE)


class PortalPage:
    """Base of the page objects: a Playwright page plus the portal's error screens."""

    #: Whether landing on the login page means the session is gone (not so for the login page).
    login_is_trouble = True

    #: The screen's name in a UI drift error ("the portal's Request details screen has no …").
    screen: ClassVar[str] = "portal"

    def __init__(self, page: Page) -> None:
        self.page = page
        heading = page.get_by_role("heading", level=1)
        self._maintenance = heading.filter(has_text="Scheduled Maintenance")
        self._unavailable = heading.filter(has_text="Service Temporarily Unavailable")
        self._server_error = heading.filter(has_text="Internal Server Error")
        self._form_expired = heading.filter(has_text="Form expired")
        self._too_many = heading.filter(has_text="Too Many Requests")
        self._login = heading.filter(has_text="Provider Portal Login")
        self._elsewhere = page.get_by_role("alert").filter(has_text="signed in elsewhere")
        self._alerts = page.get_by_role("alert")

    @property
    def base_url(self) -> str:
        match = re.match(r"^(https?://[^/]+)", self.page.url)
        return match.group(1) if match else ""

    def _trouble(self) -> Locator:
        trouble = (
            self._maintenance.or_(self._unavailable)
            .or_(self._server_error)
            .or_(self._form_expired)
            .or_(self._too_many)
        )
        return trouble.or_(self._login) if self.login_is_trouble else trouble

    async def _raise_for_trouble(self) -> None:
        """Raise the error that the portal's current screen stands for, if it is an error screen.

        One query answers the common case (no error screen); the ones below only name it."""
        if not await self._trouble().first.is_visible():
            return
        if await self._maintenance.is_visible():
            raise PortalMaintenance("the portal is in scheduled maintenance")
        if await self._unavailable.is_visible():
            raise PortalNotTaken("the portal answered 503 Service Temporarily Unavailable")
        if await self._server_error.is_visible():
            raise PortalUnavailable("the portal answered 500 Internal Server Error")
        if await self._too_many.is_visible():
            raise RateLimited("the portal answered 429 Too Many Requests")
        if await self._form_expired.is_visible():
            raise SessionExpired("the portal refused a stale form")
        if self.login_is_trouble and await self._login.is_visible():
            if await self._elsewhere.is_visible():
                raise SignedOutElsewhere(
                    "the account signed in elsewhere, which ended this session"
                )
            raise SessionExpired("the portal sent the bot back to the login page")

    async def expect_controls(self, *controls: Locator) -> None:
        """UI drift told plainly: each of ``controls`` (what this screen always shows, found by
        its label or role) must be on the screen now that it is shown, else ``UiDrift`` names the
        screen and what was looked for, at once, instead of a timeout that looks like a slow
        network. One query per control, none of them a wait."""
        with translate_errors():
            for control in controls:
                if not await control.count():
                    raise UiDrift(self.screen, describe(control))

    async def settle(self, first: Locator, *others: Locator) -> Locator:
        """Wait until ``first``, one of ``others`` or an error screen shows; return the locator.

        ``first`` is the next screen, which no error screen ever shows: seeing it settles the
        wait in one query. Otherwise error screens raise, and the first of ``others`` that is
        visible is returned, so callers put the most specific outcome first.
        """
        with translate_errors():
            combined = self._trouble().or_(first)
            for locator in others:
                combined = combined.or_(locator)
            try:
                await combined.first.wait_for(state="visible")
            except PlaywrightTimeout:
                await self._raise_for_drift(first)
                raise
            if await first.first.is_visible():
                return first
            await self._raise_for_trouble()
            for locator in others:
                if await locator.first.is_visible():
                    return locator
        raise PortalTimeout("the expected screen did not appear")

    async def _raise_for_drift(self, expected: Locator) -> None:
        """After a wait for the next screen ran out: a portal page in its place (a level-one
        heading, no error screen) that lacks what the wait looked for is UI drift, not a slow
        portal. The document had loaded (``navigation`` waits for it), so nothing more comes."""
        heading = self.page.get_by_role("heading", level=1)
        if not self.login_is_trouble or not await heading.count() or await expected.count():
            return
        title = " ".join((await heading.first.inner_text()).split())
        raise UiDrift(f'"{title}" (after {self.screen})', describe(expected))

    @asynccontextmanager
    async def navigation(self) -> AsyncIterator[None]:
        """Around an action that loads a new document (a form post or a link).

        When the document it lands on is a GET that the portal answered with 503 (the page a
        form post redirects to, say), the page is loaded again: a GET is safe to repeat.
        """
        with translate_errors():
            async with self.page.expect_navigation(wait_until="domcontentloaded") as landed:
                yield
            response = await landed.value
            if response is not None and response.status == 503 and response.request.method == "GET":
                await retry_policy.reload_page(self._load_again)

    @asynccontextmanager
    async def portal_answer(self) -> AsyncIterator[None]:
        """Around an action whose effect waits on a request to the portal (a lookup the page's
        script makes, or a form post): returns once the portal has answered it.

        The wait for the screen's change that follows then finds it at once. Without this, that
        wait polls on Playwright's backoff (0, 20, 50, 100, 100, 500 ms, then every second), and
        at real portal latencies each lookup loses up to half a second after its answer came.
        """
        with translate_errors():
            async with self.page.expect_response(self._is_portal_answer):
                yield

    async def await_lookup(
        self,
        act: Callable[[], Awaitable[None]],
        done: Locator,
        said: Locator,
        refused: Mapping[str, Callable[[str], Exception]],
    ) -> None:
        """``act`` (a click or a search whose answer the page's script shows) until ``done``
        shows, reading any message in ``said`` instead of waiting past it.

        "Try again" is the portal's helper failing: the action is made again, up to
        ``LOOKUP_TRIES`` times, then ``PortalUnavailable``. A phrase of ``refused`` raises its
        error; any other message ends the step at once with its text (``PortalValidationError``).
        """
        for _ in range(LOOKUP_TRIES):
            with translate_errors():
                async with self.portal_answer():
                    await act()
                # The script goes to the login page when the session is gone: trouble, not a
                # lookup that never answers.
                await done.or_(said).or_(self._trouble()).first.wait_for(state="visible")
                if await done.first.is_visible():
                    return
                await self._raise_for_trouble()
                text = " ".join(t.strip() for t in await said.all_inner_texts() if t.strip())
            refusal = _refusal(text or "the portal showed an empty message", refused)
            if refusal is not None:
                raise refusal
        raise PortalUnavailable("the portal's lookup kept failing (it said to try again)")

    async def post_until(
        self,
        post: Callable[[], Awaitable[None]],
        done: Locator,
        fallback: str,
        refused: Mapping[str, Callable[[str], Exception]],
    ) -> None:
        """``post`` (fill a form and send it, under ``navigation``) until ``done`` shows.

        The answer is whichever shows first, the next screen or an alert: an alert is read at
        once, never waited past. "Try again" sends the form again, up to ``LOOKUP_TRIES`` times
        (the portal's backend failed, not the request); any other alert is the refusal.
        """
        for _ in range(LOOKUP_TRIES):
            await post()
            if await self.settle(done, self._alerts) is done:
                return
            refusal = _refusal(await self._alert_summary(fallback), refused)
            if refusal is not None:
                raise refusal
        raise PortalUnavailable("the portal kept saying to try again")

    def _is_portal_answer(self, response: Response) -> bool:
        return response.request.resource_type in ANSWERS and response.url.startswith(self.base_url)

    async def _load_again(self) -> bool:
        """Load the page again; whether the portal answered it (anything but 503)."""
        response = await self.page.goto(self.page.url, wait_until="domcontentloaded")
        return response is None or response.status != 503

    async def alert_texts(self) -> list[str]:
        """The texts of the alerts shown now (validation summaries, field messages)."""
        return [text.strip() for text in await self._alerts.all_inner_texts() if text.strip()]

    async def _alert_summary(self, fallback: str) -> str:
        """The alerts on screen as one text: each message once, none already inside another."""
        messages = await self.alert_texts()
        distinct = [m for i, m in enumerate(messages) if m not in messages[:i]]
        kept = [m for m in distinct if not any(m != other and m in other for other in distinct)]
        return " ".join(kept) or fallback

    async def raise_validation(
        self, fallback: str, *, mapping: Mapping[str, Callable[[str], Exception]]
    ) -> NoReturn:
        """Turn the alerts on screen into a business error, by the first known phrase found;
        "try again" is the portal failing, not a refusal: transient (``PortalUnavailable``)."""
        text = await self._alert_summary(fallback)
        raise _refusal(text, mapping) or PortalUnavailable("the portal said to try again")


def _refusal(text: str, refused: Mapping[str, Callable[[str], Exception]]) -> Exception | None:
    """What a message on the page means: None for "try again" (transient: the portal's backend
    failed), the error of the first phrase of ``refused`` it holds, else ``PortalValidationError``
    with its text: a message the bot does not know ends the step with what it said."""
    if TRY_AGAIN.search(text):
        return None
    for phrase, make in refused.items():
        if phrase in text:
            return make(text)
    return PortalValidationError(text)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Playwright's exceptions become the bot's own, and their text is not kept: it can quote
    what was typed (``fill("…")``) and its call log names the page's contents.

    Timeouts and lost connections are transient; any other Playwright error is an
    ``UnexpectedPage`` naming only the API call that failed (``Locator.click``).
    """
    try:
        yield
    except PlaywrightTimeout:
        raise PortalTimeout("the portal did not answer in time") from None
    except PlaywrightError as exc:
        text = str(exc)
        if "crashed" in text.lower():
            raise PageCrashed("the tab's renderer crashed") from None
        if "net::" in text or "Target page, context or browser has been closed" in text:
            reason = text.split("net::", 1)[-1].split()[0] if "net::" in text else "closed"
            raise PortalUnavailable(f"connection to the portal failed ({reason})") from None
        raise UnexpectedPage(f"the browser refused {_api_name(text)}") from None


_LABEL = re.compile(r'internal:label="(?P<name>(?:[^"\\]|\\.)*)"[is]?$')
_ROLE = re.compile(r'internal:role=(?P<role>[a-z]+)(?:\[name="(?P<name>(?:[^"\\]|\\.)*)"[is]?\])?')


def describe(locator: Locator) -> str:
    """What a locator looks for, in a person's words: 'field labelled "Diagnosis Code"',
    'button "Continue"'; the raw selector when it is of another kind."""
    selector = repr(locator).split("selector=", 1)[-1].strip("'>")
    last = selector.split(" >> ")[-1]
    if label := _LABEL.match(last):
        return f'field labelled "{label["name"]}"'
    if role := _ROLE.match(last):
        return f'{role["role"]} "{role["name"]}"' if role["name"] else role["role"]
    return f"element {selector}"


def _api_name(text: str) -> str:
    """``Locator.fill`` from ``Locator.fill: Error: …``; "an action" when the text names none."""
    head = text.split(":", 1)[0].strip()
    return head if re.fullmatch(r"[A-Za-z]+\.[A-Za-z_]+", head) else "an action"
