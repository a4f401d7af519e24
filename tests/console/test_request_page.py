"""A request's page in real Chromium: its lines, the decision due date, the proof PDF shown in
the page, the failure's screenshot; each file served only from the artifacts folder, each view
in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.models import Outcome, OutcomeLine, PortalStatus
from bot.queue import State
from bot.queue.console_store import ConsoleQueue
from bot.queued import stored
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.request import RequestPage

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"
PDF = b"%PDF-1.4\n% the portal's results page\n"


def pended(records: ConsoleQueue, settings: Settings, key: str, proof: Path | None) -> int:
    request = json.loads((FIXTURES / "requests/pended-imaging-criteria-not-met.json").read_text())
    item = records.enqueue(key, json.dumps({**request, "id": key}), "day.json").item
    records.claim("w1", 60, item_id=item.id)
    records.mark_submitting(item.id, "w1")
    line = OutcomeLine(
        procedure="72148", from_date="12/01/2026", to_date="12/31/2026", requested_units=1,
        status="Pended",
    )  # fmt: skip
    outcome = Outcome(
        state="submitted",
        reference_id="123456789",
        portal_status=PortalStatus.PENDED,
        lines=[line],
        artifacts=[str(proof)] if proof else [],
    )
    records.finish(
        item.id, "w1", State.SUBMITTED, portal_status="pended", reference_id="123456789",
        outcome=stored(outcome),
    )  # fmt: skip
    return item.id


async def test_the_page_shows_lines_due_date_proof_and_failure_screenshot(
    page: Page,
    console_url: str,
    console_settings: Settings,
    accounts: Accounts,
    records: ConsoleQueue,
) -> None:
    folder = console_settings.artifacts_dir / "req-pended"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "proof.pdf").write_bytes(PDF)
    item_id = pended(records, console_settings, "req-pended", folder / "proof.pdf")
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    shown = await RequestPage.open(page, console_url, item_id)

    assert (await shown.fact("Decision due")).endswith("UTC")
    lines = page.get_by_role("region", name="Lines").get_by_role("row")
    await expect(lines.nth(1)).to_have_text("7214812/01/202612/31/20261Pended")
    frame = page.get_by_title("The portal's results page, saved as a PDF")
    await expect(frame).to_be_attached()
    fetched = await page.request.get(f"{console_url}/requests/{item_id}/proof.pdf")
    assert fetched.status == 200 and await fetched.body() == PDF
    assert fetched.headers["content-type"] == "application/pdf"
    assert "frame-ancestors 'self'" in fetched.headers["content-security-policy"]
    viewed = records.audit_entries(actor="ann", action="viewed", item_id=item_id)
    assert "proof" in [entry.detail for entry in viewed]


async def test_a_failed_request_shows_the_page_as_it_failed(
    page: Page,
    console_url: str,
    console_settings: Settings,
    accounts: Accounts,
    records: ConsoleQueue,
) -> None:
    item = records.enqueue("req-broke", "{}", "day.json").item
    records.claim("w1", 60, item_id=item.id)
    records.finish(item.id, "w1", State.FAILED, error="system: boom")
    folder = console_settings.artifacts_dir / "req-broke"
    folder.mkdir(parents=True, exist_ok=True)
    png = (FIXTURES.parent / "docs/screens/v1-01-login.png").read_bytes()
    (folder / "failure.png").write_bytes(png)
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    await RequestPage.open(page, console_url, item.id)

    shot = page.get_by_role("img", name="The portal's page as it was when the request failed")
    await expect(shot).to_be_visible()
    source = await shot.get_attribute("src")
    fetched = await page.request.get(f"{console_url}{source}")  # images are off in the suite
    assert fetched.status == 200 and await fetched.body() == png
    assert fetched.headers["content-type"] == "image/png"


async def test_a_proof_named_outside_the_artifacts_folder_is_never_served(
    page: Page,
    console_url: str,
    console_settings: Settings,
    accounts: Accounts,
    records: ConsoleQueue,
    tmp_path: Path,
) -> None:
    outside = tmp_path / "elsewhere.pdf"
    outside.write_bytes(PDF)
    item_id = pended(records, console_settings, "req-outside", outside)
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    await RequestPage.open(page, console_url, item_id)
    fetched = await page.request.get(f"{console_url}/requests/{item_id}/proof.pdf")

    assert fetched.status == 404
    await expect(page.get_by_role("region", name="Proof")).to_have_count(0)
