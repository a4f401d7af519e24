"""The appeal of a denied request on its page, in real Chromium: the documentation check's
warnings, the deadline, "Prepare appeal
packet" (a PDF printed by the console's Chromium, holding the payer's reason), then filed and
overturned, each step in the appeal's history and the audit log; an approved request has no
appeal; an appeal past its deadline is marked overdue on the worklist."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from pypdf import PdfReader

from bot.models import Outcome, OutcomeLine, PortalStatus
from bot.queue import State
from bot.queue.appeals import appeal_queue
from bot.queue.console_store import ConsoleQueue
from bot.queued import stored
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.request import RequestPage
from tests.console.pages.worklist import WorklistPage

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"
REASON = "Not a covered benefit: this service is excluded from the member's plan."


def decided(records: ConsoleQueue, key: str, status: str, seen: datetime) -> int:
    """A request the portal decided (``status``), its decision seen at ``seen``."""
    payload = json.loads((FIXTURES / "requests/denied-dme-not-covered.json").read_text())
    item = records.enqueue(key, json.dumps({**payload, "id": key}), "day.json").item
    records.claim("w1", 60, item_id=item.id)
    records.mark_submitting(item.id, "w1")
    denied = status == "denied"
    outcome = Outcome(
        state="submitted",
        reference_id=f"0065{item.id:05d}",
        portal_status=PortalStatus(status),
        lines=[
            OutcomeLine(
                procedure="E0720",
                from_date="12/15/2026",
                to_date="12/15/2026",
                requested_units=1,
                authorized_units=0 if denied else 1,
                status="Denied" if denied else "Approved",
                reason_code="NC01" if denied else None,
                reason=REASON if denied else None,
            )
        ],
        reason_code="NC01" if denied else None,
        denial_reason=REASON if denied else None,
        decided_at=seen,
    )
    records.finish(
        item.id,
        "w1",
        State.SUBMITTED,
        portal_status=status,
        reference_id=outcome.reference_id,
        outcome=stored(outcome),
    )
    return item.id


async def signed_in(page: Page, url: str, accounts: Accounts) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, url)).sign_in("ann", PASSWORD)


async def test_a_denial_is_appealed_from_its_page(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    seen = datetime.now(UTC) - timedelta(days=2)
    item_id = decided(records, "req-denied", "denied", seen)
    await signed_in(page, console_url, accounts)

    shown = await RequestPage.open(page, console_url, item_id)
    assert await shown.fact("Payer's reason") == f"NC01: {REASON}"
    await expect(shown.documentation_gaps).to_have_text(
        [  # the sample's notes name neither (fixtures/requests/denied-dme-not-covered.json)
            "likely pended: no device trial with documented benefit in the notes, answers or "
            "attachments",
            "likely pended: no home exercise or treatment plan for the device in the notes, "
            "answers or attachments",
        ]
    )
    assert await shown.appeal_fact("Appeal") == "not started"
    due = (seen.astimezone().date() + timedelta(days=60)).isoformat()
    assert (await shown.appeal_fact("Appeal deadline")).startswith(f"{due} (60 days for Medicaid")
    await expect(shown.appeal_marks).to_have_text(["Mark appeal filed"])

    await shown.prepare_appeal_packet()
    href = await shown.packet_link.get_attribute("href")
    packet = await page.request.get(f"{console_url}{href}")
    assert packet.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(await packet.body())).pages[0].extract_text().split())
    assert REASON in text and f"Appeal deadline: {due}" in text
    await shown.mark_appeal("filed")
    await expect(shown.appeal_marks).to_have_text(["Mark overturned", "Mark upheld"])
    await shown.mark_appeal("overturned")

    assert await shown.appeal_fact("Appeal") == "overturned"
    await expect(shown.appeal_marks).to_have_count(0)
    assert await shown.appeal_history() == ["prepared by ann", "filed by ann", "overturned by ann"]
    history = appeal_queue(records).appeal_history(item_id)
    assert [(e.state, e.actor) for e in history] == [
        ("prepared", "console:ann"),
        ("filed", "console:ann"),
        ("overturned", "console:ann"),
    ]
    audited = records.audit_entries(actor="ann", action=None, item_id=item_id, limit=20)
    actions = [e.action for e in audited]
    for action in ("appeal_prepared", "appeal_filed", "appeal_overturned"):
        assert action in actions


async def test_an_approved_request_has_no_appeal_and_a_late_one_is_overdue(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    approved = decided(records, "req-approved", "approved", datetime.now(UTC))
    late = decided(records, "req-late", "denied", datetime.now(UTC) - timedelta(days=90))
    await signed_in(page, console_url, accounts)

    shown = await RequestPage.open(page, console_url, approved)
    await expect(shown.appeal_region).to_have_count(0)
    await expect(shown.documentation_gaps).to_have_count(2)  # warned before, whatever came of it
    overdue = await RequestPage.open(page, console_url, late)
    assert "overdue" in await overdue.appeal_fact("Appeal deadline")
    work = await WorklistPage.open(page)
    (row,) = await work.group("Appeal or accept a denial").all()
    seen = (datetime.now(UTC) - timedelta(days=90)).astimezone().date()
    passed = (seen + timedelta(days=60)).isoformat()
    await expect(row).to_contain_text(f"Overdue: Appeal deadline passed on {passed} (Medicaid)")
