"""What a person can do on a request's page, by its state, in real Chromium: retry a failed
request (reconciled first if it was ever about to be submitted), edit a rejected one and send it
as a new request linked to the old, cancel a pending one; each action in the audit log, none
offered where the request's state does not allow it, and none let through by the queue when the
state changed under the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.queue import State
from bot.queue.console_store import ConsoleQueue
from bot.queue.follow_ups import follow_up_queue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.request import RequestPage

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"


def ended(records: ConsoleQueue, key: str, state: State, *, clicked: bool = False) -> int:
    payload = (FIXTURES / "requests/rejected-member-not-eligible.json").read_text()
    item = records.enqueue(key, json.dumps({**json.loads(payload), "id": key}), "day.json").item
    records.claim("w1", 60, item_id=item.id)
    if clicked:
        records.mark_submitting(item.id, "w1")
    error = "portal_refused: Member not eligible" if state == State.REJECTED else "system: boom"
    records.finish(item.id, "w1", state, error=error)
    return item.id


async def signed_in(page: Page, url: str, accounts: Accounts) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, url)).sign_in("ann", PASSWORD)


async def test_retry_queues_a_failed_request_again_and_is_audited(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    never = ended(records, "req-never-clicked", State.FAILED)
    clicked = ended(records, "req-clicked", State.FAILED, clicked=True)
    await signed_in(page, console_url, accounts)

    for item_id in (never, clicked):
        shown = await RequestPage.open(page, console_url, item_id)
        await expect(shown.actions).to_have_text(["Retry"])
        await shown.retry()

    assert (records.get(never).state, records.get(never).attempts) == (State.PENDING, 0)
    assert records.get(clicked).state == State.SUBMITTING, "reconciled before a new Submit"
    retried = records.audit_entries(actor="ann", action="retried", item_id=None, limit=10)
    assert {e.item_id for e in retried} == {never, clicked}


async def test_a_rejected_request_is_edited_and_sent_as_a_new_one_linked_to_it(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    old = ended(records, "req-not-eligible", State.REJECTED)
    await signed_in(page, console_url, accounts)
    shown = await RequestPage.open(page, console_url, old)
    await expect(shown.actions).to_have_text(["Edit and send again"])

    form = await shown.edit()
    await expect(form.field("Request ID")).to_have_value("req-not-eligible-edit")
    await expect(form.field("Provider NPI (required)")).not_to_have_value("")
    await form.fill({"Start date (required)": "2026-12-02"})
    rows = await form.add_form_to_queue()

    assert rows[0].endswith("queued"), rows
    new = records.get_by_key("req-not-eligible-edit")
    assert new is not None and new.state == State.PENDING
    assert json.loads(new.payload)["start_date"] == "2026-12-02"
    assert records.get(old).state == State.REJECTED, "the old request stays as it was"
    (edited,) = records.audit_entries(actor="ann", action="edited", item_id=old, limit=10)
    assert edited.detail == f"as {new.id}"
    back = await RequestPage.open(page, console_url, old)
    assert await back.fact("Sent again as") == "req-not-eligible-edit (pending)"
    ahead = await RequestPage.open(page, console_url, new.id)
    assert await ahead.fact("Edited from") == f"request {old}"


async def test_a_pending_request_is_cancelled_and_never_taken_up(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    waiting = records.enqueue("req-waiting", "{}", "day.json").item.id
    await signed_in(page, console_url, accounts)
    shown = await RequestPage.open(page, console_url, waiting)
    await expect(shown.actions).to_have_text(["Cancel request"])

    await shown.cancel()

    assert await shown.fact("State") == "cancelled"
    await expect(shown.actions).to_have_count(0)
    assert records.get(waiting).state == State.CANCELLED
    assert records.claim("w1", 60) is None, "a cancelled request is never claimed"
    (entry,) = records.audit_entries(actor="ann", action="cancelled", item_id=waiting, limit=10)
    assert entry.item_id == waiting
    moves = [(e.action, e.worker) for e in records.history(waiting)]
    assert moves[-1] == ("cancel", "console:ann")


async def test_a_request_taken_up_after_the_page_was_shown_is_not_cancelled(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    waiting = records.enqueue("req-racing", "{}", "day.json").item.id
    await signed_in(page, console_url, accounts)
    shown = await RequestPage.open(page, console_url, waiting)
    records.claim("w1", 60, item_id=waiting)  # a worker takes it while the page is open

    await shown.cancel()

    await expect(shown.problem).to_contain_text("this one is in_progress")
    assert records.get(waiting).state == State.IN_PROGRESS
    assert not records.audit_entries(actor="ann", action="cancelled", item_id=None, limit=10)


async def test_no_action_is_offered_where_the_state_does_not_allow_it(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    working = records.enqueue("req-working", "{}", "day.json").item.id
    records.claim("w1", 60, item_id=working)
    await signed_in(page, console_url, accounts)
    shown = await RequestPage.open(page, console_url, working)
    await expect(shown.actions).to_have_count(0)

    token = await shown.csrf_token()
    retried = await page.request.post(
        f"{console_url}/requests/{working}/retry", form={"csrf_token": token}
    )
    cancelled = await page.request.post(
        f"{console_url}/requests/{working}/cancel", form={"csrf_token": token}
    )
    edit = await page.request.get(f"{console_url}/requests/{working}/edit")

    assert retried.status == 409 and "Only a failed request can be retried" in await retried.text()
    assert cancelled.status == 409 and "can be cancelled" in await cancelled.text()
    assert edit.status == 409
    assert records.get(working).state == State.IN_PROGRESS


def decided(records: ConsoleQueue, key: str, status: str) -> int:
    item = records.enqueue(key, "{}", "day.json").item
    records.claim("w1", 60, item_id=item.id)
    records.mark_submitting(item.id, "w1")
    records.finish(item.id, "w1", State.SUBMITTED, portal_status=status, reference_id="1")
    return item.id


async def test_follow_ups_are_offered_only_while_the_decision_is_awaited(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    offered = {"approved": [], "no_decision_yet": ["Follow up now"]}
    offered["pended"] = ["Follow up now", "Add attachment"]
    ids = {status: decided(records, f"req-{status}", status) for status in offered}
    await signed_in(page, console_url, accounts)
    for status, actions in offered.items():
        shown = await RequestPage.open(page, console_url, ids[status])
        await expect(shown.actions).to_have_text(actions)

    token = await shown.csrf_token()
    late = await page.request.post(
        f"{console_url}/requests/{ids['approved']}/follow-up", form={"csrf_token": token}
    )
    unasked = await page.request.post(
        f"{console_url}/requests/{ids['no_decision_yet']}/attachment",
        multipart={
            "csrf_token": token,
            "attachment": {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"notes"},
        },
    )

    assert late.status == 409 and "can be followed up" in await late.text()
    assert unasked.status == 422 and "Only a pended request" in await unasked.text()
    assert all(follow_up_queue(records).follow_ups(i) == [] for i in ids.values())
    assert not records.audit_entries(action="attachment_added")
