"""Submit now, end to end as a front office does it: ``pa-bot serve`` (the console and its resident
worker, one process) against the mock portal over HTTP, a person in Chromium; the request's page
follows the steps and ends with the portal's Reference ID and status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page

from bot.config import Settings
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from bot.steps import LABELS, Step
from tests.console.conftest import GOOD, PASSWORD
from tests.console.pages.login import LoginPage
from tests.console.pages.new_request import NewRequestPage
from tests.console.pages.worklist import WorklistPage
from tests.support.admin import PortalAdmin

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"
CLINICAL = {
    "Document Clinical answers": (
        "Has the patient completed at least 6 weeks of conservative therapy?=Yes\n"
        "Are red-flag symptoms present (progressive neurological deficit, cauda equina, "
        "suspected fracture)?=No"
    ),
}


async def test_a_request_entered_by_hand_ends_with_its_reference_id_and_portal_status(
    page: Page, served: str, portal: PortalAdmin
) -> None:
    """As a new front-office user would: sign in, enter one request field by field, Submit now,
    and read the portal's Reference ID on the request's page."""
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)
    new = await NewRequestPage.open(page)
    await new.fill(GOOD)
    await new.fill(CLINICAL)

    shown = await new.submit_form_now()
    reference_id = await shown.reference_id()

    (recorded,) = portal.authorizations()
    assert reference_id == recorded["reference_id"] and len(reference_id) == 9
    assert reference_id.isdigit()
    assert await shown.fact("Portal status") == "approved"
    assert await shown.fact("State") == "submitted"


async def test_the_request_page_follows_the_steps_live(
    page: Page, served: str, portal: PortalAdmin, tmp_path: Path
) -> None:
    """Server-sent events add each step as it starts: while Submit is slow, the page lists the
    steps passed so far without reloading (a reload would show the current step alone)."""
    portal.configure(submit_delay_ms=4000)
    request = json.loads((FIXTURES / "requests/approved-imaging-criteria-met.json").read_text())
    path = tmp_path / "one.json"
    path.write_text(json.dumps(request))
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)

    shown = await (await NewRequestPage.open(page)).submit_now(path, [])
    await shown.shows_steps(LABELS[Step.MEMBER_SEARCH], LABELS[Step.DETAILS], LABELS[Step.SUBMIT])

    assert len(await shown.reference_id()) == 9


MEMBER = {"First name": "Dino", "Last name": "Saur", "Date of birth": "1982-08-10"}
"""The member of ``GOOD``, found by name and date of birth this time."""


async def test_no_member_data_in_any_url_log_line_or_audit_text(
    page: Page, served: str, settings: Settings, tmp_path: Path
) -> None:
    """A request entered by hand, found by name and date of birth, submitted, followed, looked
    up in the worklist: the member's identifiers are in none of the URLs the browser asked for,
    none of the server's log lines, none of the audit log's text."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)
    new = await NewRequestPage.open(page)
    await new.fill({**GOOD, **MEMBER, **CLINICAL}, member_by="By name and date of birth")
    shown = await new.submit_form_now()
    reference_id = await shown.reference_id()
    worklist = await WorklistPage.open(page)
    await worklist.filter(q=reference_id)
    assert await worklist.request_ids() != []

    queue = console_queue(open_queue(settings.queue_url))
    try:
        audit = [f"{e.actor} {e.action} {e.item_id} {e.detail}" for e in queue.audit_entries()]
    finally:
        queue.close()
    logged = (tmp_path / "serve.log").read_text()
    identifiers = ["105634024", "310012345601", "Dino", "Saur", "1982-08-10", "08/10/1982"]
    assert {"submitted_now", "viewed"} <= {line.split()[1] for line in audit}
    assert '"event"' in logged, "the server's log was written"
    for identifier in identifiers:
        assert [url for url in asked if identifier in url] == [], identifier
        assert identifier not in logged, identifier
        assert [line for line in audit if identifier in line] == [], identifier
