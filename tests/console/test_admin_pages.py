"""The admin's pages in real Chromium: an admin unlocks and disables accounts and reads the
audit log, filtered; staff are kept out of every admin page and action."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.accounts import AccountsPage
from tests.console.pages.audit import AuditPage
from tests.console.pages.login import LoginPage

pytestmark = pytest.mark.e2e


async def test_an_admin_unlocks_and_disables_accounts_and_reads_the_audit_log(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    accounts.add("boss", role="admin")
    for _ in range(5):
        records.user_failed_login("ann", 5, 900)
    await (await LoginPage.open(page, console_url)).sign_in("boss", PASSWORD)

    shown = await AccountsPage.open(page, console_url)
    await expect(shown.row("ann")).to_contain_text("locked until")
    await shown.unlock("ann")
    await shown.disable("ann")
    audit = await AuditPage.open(page, console_url)

    assert await audit.entries() == [
        ("boss", "user_disabled"),
        ("boss", "user_unlocked"),
        ("boss", "signed_in"),
    ]
    await audit.filter(what="user_unlocked")
    assert await audit.entries() == [("boss", "user_unlocked")]
    await audit.filter(who="nobody")
    await expect(page.get_by_text("No entry matches.")).to_be_visible()
    user = records.user("ann")
    assert user is not None and user.disabled and user.locked_until is None


async def test_staff_are_kept_out_of_the_admin_pages(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    accounts.add("cy")
    for _ in range(5):
        records.user_failed_login("cy", 5, 900)
    worklist = await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)
    await expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    token = await worklist.form_token()

    answers = [
        await page.request.get(f"{console_url}/admin/users"),
        await page.request.get(f"{console_url}/admin/audit"),
        await page.request.post(f"{console_url}/admin/users/cy/unlock", form={"csrf_token": token}),
        await page.request.post(
            f"{console_url}/admin/users/cy/disable", form={"csrf_token": token}
        ),
    ]

    assert [a.status for a in answers] == [403, 403, 403, 403]
    assert "Admins only" in await answers[0].text()
    cy = records.user("cy")
    assert cy is not None and cy.locked_until is not None and not cy.disabled
    await expect(worklist.heading).to_be_visible()
