"""Signing in to the console in real Chromium: the worklist after a good password, one message
for a wrong password and an unknown name, five wrong passwords lock the account for 15 minutes
until ``pa-bot users unlock``, every attempt in the audit log."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.console.signin import LOCKED, WRONG
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.support.cli import pa_bot

pytestmark = pytest.mark.e2e


def actions(records: ConsoleQueue) -> list[tuple[str, str]]:
    return [(e.actor, e.action) for e in reversed(records.audit_entries())]


async def test_a_good_password_opens_the_worklist_and_sign_out_ends_the_session(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")

    worklist = await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)
    await worklist.sign_out()
    await page.goto(f"{console_url}/")

    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert actions(records) == [("ann", "signed_in"), ("ann", "signed_out")]


async def test_a_wrong_password_and_an_unknown_name_get_the_same_message(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    login = await LoginPage.open(page, console_url)

    assert await login.refused("ann", "not-the-password") == WRONG
    assert await login.refused("nobody", PASSWORD) == WRONG
    assert await login.refused("ann", PASSWORD.upper()) == WRONG
    await expect(page.get_by_role("heading", name="Worklist")).to_have_count(0)
    assert actions(records) == [
        ("ann", "sign_in_failed"),
        ("(unknown account)", "sign_in_refused"),
        ("ann", "sign_in_failed"),
    ]


async def test_five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it(
    page: Page,
    console_url: str,
    console_settings: Settings,
    accounts: Accounts,
    records: ConsoleQueue,
) -> None:
    accounts.add("ann")
    login = await LoginPage.open(page, console_url)
    for _ in range(4):
        assert await login.refused("ann", "wrong-password") == WRONG

    assert await login.refused("ann", "wrong-password") == LOCKED
    assert await login.refused("ann", PASSWORD) == LOCKED, "the right password waits 15 min"
    user = records.user("ann")
    assert user is not None and user.locked_until is not None
    assert 14 * 60 < (user.locked_until - records.now()).total_seconds() <= 15 * 60

    unlocked = pa_bot(console_settings, "users", "unlock", "ann")
    assert unlocked.returncode == 0, unlocked.stderr
    await login.sign_in("ann", PASSWORD)
    (locked, refused, unlock, signed) = actions(records)[-4:]
    assert (locked, refused, signed) == (
        ("ann", "account_locked"),
        ("ann", "sign_in_locked"),
        ("ann", "signed_in"),
    )
    assert unlock[0].startswith("cli:") and unlock[1] == "user_unlocked"


async def test_a_disabled_account_is_signed_out_at_its_next_page(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    records.user_set("ann", disabled=True)
    await page.goto(f"{console_url}/")

    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert await LoginPage(page).refused("ann", PASSWORD) == WRONG


async def test_a_system_account_cannot_sign_in_to_the_pages(
    page: Page, console_url: str, accounts: Accounts
) -> None:
    accounts.add("ehr", role="system")

    assert await (await LoginPage.open(page, console_url)).refused("ehr", PASSWORD) == WRONG
