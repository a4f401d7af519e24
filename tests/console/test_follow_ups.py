"""Follow up now, and an attachment owed, end to end: ``pa-bot serve`` (the console and its
resident worker) against the mock portal over HTTP, a person in Chromium. The resident worker
looks the request up on the portal's Status tab, records the decision that arrived meanwhile,
uploads the file added; the request's page shows what it found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from tests.console.conftest import PASSWORD
from tests.console.pages.login import LoginPage
from tests.console.pages.new_request import NewRequestPage
from tests.console.pages.request import RequestPage
from tests.support.admin import PortalAdmin

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"


async def submitted(page: Page, served: str, fixture: str, tmp_path: Path) -> RequestPage:
    """The fixture request, without attachments, submitted now from the console."""
    request = json.loads((FIXTURES / "requests" / fixture).read_text())
    request.pop("attachments", None)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(request))
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)
    shown = await (await NewRequestPage.open(page)).submit_now(path, [])
    await shown.reference_id()
    return shown


def audited(settings: Settings, action: str) -> list[int | None]:
    queue = console_queue(open_queue(settings.queue_url))
    try:
        return [e.item_id for e in queue.audit_entries(action=action)]
    finally:
        queue.close()


async def test_follow_up_now_records_the_decision_that_arrived_since(
    page: Page, served: str, portal: PortalAdmin, settings: Settings, tmp_path: Path
) -> None:
    shown = await submitted(page, served, "no-decision-yet-carpal-tunnel-surgery.json", tmp_path)
    assert await shown.fact("Portal status") == "no_decision_yet"
    await expect(shown.actions).to_have_text(["Follow up now"])
    portal.decide(await shown.fact("Reference ID"), "Approved")

    await shown.follow_up_now()
    rows = await shown.follow_ups(done=True)

    assert len(rows) == 1 and rows[0].endswith("done") and "ann Follow up" in rows[0], rows
    await shown.shows_fact("Portal status", "approved")
    await expect(shown.actions).to_have_count(0)
    assert len(audited(settings, "follow_up_asked")) == 1


async def test_an_attachment_owed_is_uploaded_by_the_resident_worker(
    page: Page, served: str, portal: PortalAdmin, settings: Settings, tmp_path: Path
) -> None:
    shown = await submitted(page, served, "pended-imaging-criteria-not-met.json", tmp_path)
    assert await shown.fact("Portal status") == "pended"
    await expect(shown.actions).to_have_text(["Follow up now", "Add attachment"])
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == []

    await shown.add_attachment(FIXTURES / "attachments/clinical-notes.pdf")
    rows = await shown.follow_ups(done=True)

    assert rows[0].endswith("done") and "Upload clinical-notes.pdf" in rows[0], rows
    await expect(shown.uploaded).to_contain_text("clinical-notes.pdf")
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == ["clinical-notes.pdf"]
    assert len(audited(settings, "attachment_added")) == 1


async def test_a_file_that_is_not_what_its_name_says_is_refused_before_anything_is_asked(
    page: Page, served: str, settings: Settings, tmp_path: Path
) -> None:
    shown = await submitted(page, served, "pended-imaging-criteria-not-met.json", tmp_path)

    await shown.add_attachment(FIXTURES / "attachments/fake.pdf")

    await expect(shown.problem).to_contain_text("its content is not a .pdf file")
    await expect(shown.follow_up_region).to_have_count(0)
    assert audited(settings, "attachment_added") == []
