"""Every console form needs this session's CSRF token, and every answer carries the security
headers (a CSP without inline scripts, no framing, no caching)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage

pytestmark = pytest.mark.e2e


async def test_a_sign_in_without_the_forms_token_is_refused_and_not_counted(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    await LoginPage.open(page, console_url)  # the session now has a token; the post omits it

    answer = await page.request.post(
        f"{console_url}/login", form={"username": "ann", "password": PASSWORD}
    )
    forged = await page.request.post(
        f"{console_url}/login",
        form={"username": "ann", "password": PASSWORD, "csrf_token": "guessed"},
    )

    assert answer.status == forged.status == 403
    assert "nothing was done" in await answer.text()
    assert records.audit_entries() == [], "refused before the password is looked at"


async def test_signing_out_without_the_token_leaves_the_session_alone(
    page: Page, console_url: str, accounts: Accounts
) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    refused = await page.request.post(f"{console_url}/logout", form={})
    await page.goto(f"{console_url}/")

    assert refused.status == 403
    await expect(page.get_by_role("heading", name="Worklist")).to_be_visible()


async def test_every_answer_carries_the_security_headers(page: Page, console_url: str) -> None:
    for path in ("/login", "/healthz", "/static/console.css", "/"):
        answer = await page.request.get(f"{console_url}{path}", max_redirects=0)
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert "unsafe-inline" not in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"


async def test_the_signed_out_home_page_leads_to_sign_in(page: Page, console_url: str) -> None:
    answer = await page.request.get(f"{console_url}/", max_redirects=0)

    assert answer.status == 303 and answer.headers["location"] == "/login"
