"""axe-core (through axe-playwright-python) finds no serious or critical violation on any console
page, signed out and signed in, with every worklist group showing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from bot.queue import State
from bot.queue.console_store import ConsoleQueue
from bot.queue.eligibility import Answered, eligibility_queue
from bot.queue.follow_ups import follow_up_queue
from tests.console.conftest import GOOD, PASSWORD, Accounts
from tests.console.pages.accounts import AccountsPage
from tests.console.pages.audit import AuditPage
from tests.console.pages.login import LoginPage
from tests.console.pages.metrics import MetricsPage
from tests.console.pages.new_request import NewRequestPage
from tests.console.test_appeal_page import decided
from tests.console.test_worklist import queue_items

pytestmark = pytest.mark.e2e

SERIOUS = ("serious", "critical")


async def serious_violations(page: Page) -> list[str]:
    results: dict[str, Any] = (await Axe().run(page)).response
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


async def test_no_console_page_has_a_serious_accessibility_violation(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann", role="admin")
    accounts.add("cy")
    for _ in range(5):
        records.user_failed_login("cy", 5, 900)
    queue_items(records)
    login = await LoginPage.open(page, console_url)
    await login.refused("ann", "wrong-password")
    found = {"login (with its error)": await serious_violations(page)}

    worklist = await login.sign_in("ann", PASSWORD)
    found["worklist"] = await serious_violations(page)
    await worklist.filter(state="failed")
    found["worklist, nothing matching"] = await serious_violations(page)
    await AccountsPage.open(page, console_url)
    found["accounts"] = await serious_violations(page)
    await AuditPage.open(page, console_url)
    found["audit log"] = await serious_violations(page)
    await MetricsPage.visit(page, console_url)
    found["figures"] = await serious_violations(page)
    await MetricsPage.visit(page, console_url, since="2099-01-01")
    found["figures, nothing in the period"] = await serious_violations(page)
    new = await NewRequestPage.open(page)
    found["new request"] = await serious_violations(page)
    await new.fill({**GOOD, "Provider NPI (required)": "1234567890", "Phone (required)": "1"})
    await new.refused()
    found["new request, with field errors"] = await serious_violations(page)
    for item in records.items()[:2]:
        await page.goto(f"{console_url}/requests/{item.id}")
        found[f"request page ({item.state})"] = await serious_violations(page)
    pended = records.enqueue("req-pended-asked", "{}", "day.json").item
    records.claim("w1", 60, item_id=pended.id)
    records.mark_submitting(pended.id, "w1")
    records.finish(pended.id, "w1", State.SUBMITTED, portal_status="pended", reference_id="1")
    follow_up_queue(records).ask_follow_up(pended.id, "console:ann")
    await page.goto(f"{console_url}/requests/{pended.id}")
    found["request page (pended, a follow-up asked)"] = await serious_violations(page)
    checks = eligibility_queue(records)
    for day in (date(2026, 12, 1), date(2026, 12, 2)):
        checks.ask_eligibility("k", '{"caresource_id": "105634024"}', day, "b-1")
    taken = checks.take_eligibility("w1", 60)
    assert taken is not None
    checks.answer_eligibility(taken.id, "w1", Answered(eligible=False, plan="Medicaid"))
    await page.goto(f"{console_url}/eligibility?batch=b-1")
    found["eligibility, one answered and one waiting"] = await serious_violations(page)
    denied = decided(records, "req-denied-appeal", "denied", datetime.now(UTC))
    await page.goto(f"{console_url}/requests/{denied}")
    found["request page (denied, its appeal)"] = await serious_violations(page)
    refused = await page.request.post(f"{console_url}/logout", form={})
    await page.set_content(await refused.text())
    found["form refused"] = await serious_violations(page)

    assert found == {name: [] for name in found}


async def test_the_check_sees_a_serious_violation(page: Page) -> None:
    await page.set_content('<html lang="en"><body><main><input></main></body></html>')

    assert any(v.startswith("label (critical)") for v in await serious_violations(page))
