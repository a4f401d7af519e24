"""The worklist in real Chromium: grouped as the morning report groups it (what needs a person
first), counts at the top, filters and the search by request or reference id, which keep no
member data in the URL."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Page, expect

from bot.queue import State
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage

pytestmark = pytest.mark.e2e


def queue_items(records: ConsoleQueue) -> None:
    """One request in each of the report's groups (two to fix)."""

    def ended(key: str, state: State, category: str = "Injections", **said: str) -> None:
        payload = json.dumps({"category": category, "member": {"caresource_id": "999999999"}})
        item = records.enqueue(key, payload, f"{key}.json#1").item
        records.claim("w", 60, item_id=item.id)
        records.finish(item.id, "w", state, **said)  # type: ignore[arg-type]

    ended("req-approved", State.SUBMITTED, portal_status="approved", reference_id="100000001")
    ended("req-pended", State.SUBMITTED, "Advanced Imaging", portal_status="pended",
          reference_id="100000002")  # fmt: skip
    ended("req-denied", State.SUBMITTED, portal_status="denied", reference_id="100000003")
    ended("req-refused", State.REJECTED, error="portal_refused: Member not found")
    records.enqueue("req-waiting", "{}", "waiting.json#1")
    records.add_invalid("{not json", "bad.json#1", ["line 1: not JSON"])


async def test_the_worklist_puts_what_needs_a_person_first(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    queue_items(records)

    worklist = await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    assert await worklist.groups() == [
        "Send documents (1)",
        "Appeal or accept a denial (1)",
        "Fix and resubmit (2)",
        "Wait for a decision (1)",
        "Nothing to do (1)",
    ]
    await expect(worklist.group("Fix and resubmit").first).to_contain_text("Member not found")
    await expect(worklist.counts).to_contain_text("4 need a person")
    await expect(worklist.counts).to_contain_text("6 shown of 6")


async def test_filters_and_search_narrow_the_worklist(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    queue_items(records)
    worklist = await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    await worklist.filter(q="100000003")
    assert await worklist.request_ids() == ["req-denied"]
    await worklist.filter(q="req-refused")
    assert await worklist.request_ids() == ["req-refused"]
    await worklist.filter(q="", state="submitted", category="Advanced Imaging")
    assert await worklist.request_ids() == ["req-pended"]
    await worklist.filter(category="", status="approved")
    assert await worklist.request_ids() == ["req-approved"]
    await worklist.filter(state="failed", status="")
    await expect(page.get_by_text("No request matches these filters.")).to_be_visible()
    assert "999999999" not in page.url
