"""New requests through the console in real Chromium: a request file uploaded with its
attachments (matched by file name, never read from the server's paths), a result per row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Page

from bot.queue import Priority
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.new_request import NewRequestPage

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"


def batch(tmp_path: Path) -> tuple[Path, list[Path]]:
    """Three requests: one whose attachments are uploaded, one attaching a file that is not,
    one invalid; and the files chosen with them."""
    good = json.loads(
        (FIXTURES / "requests/pended-surgery-medical-director-review.json").read_text()
    )
    stray = {**good, "id": "req-stray", "attachments": ["/etc/hostname.pdf"]}
    broken = {**good, "id": "req-broken", "provider_npi": "1234567890"}
    path = tmp_path / "today.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (good, stray, broken)) + "\n")
    files = [FIXTURES / "attachments/clinical-notes.pdf", FIXTURES / "attachments/xray-report.tiff"]
    return path, files


async def test_a_request_file_is_queued_row_by_row_with_its_attachments(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue, tmp_path: Path
) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)
    path, files = batch(tmp_path)

    rows = await (await NewRequestPage.open(page)).add_to_queue(path, files)

    assert len(rows) == 3
    assert rows[0].endswith("queued") and "upload:today.jsonl:line 1" in rows[0]
    assert "hostname.pdf: not uploaded with the request file" in rows[1]
    assert "provider_npi" in rows[2] and "Not queued" in rows[2]
    (item,) = records.items()
    assert item.priority == Priority.STANDARD  # its own urgency (standard): "Add to queue"
    attached = json.loads(item.payload)["attachments"]
    assert [Path(a).name for a in attached] == ["clinical-notes.pdf", "xray-report.tiff"]
    assert all(Path(a).parent.parent.name == "uploads" for a in attached)
    assert [e.action for e in records.audit_entries()] == ["queued", "signed_in"]


async def test_submit_now_queues_as_urgent_and_opens_the_requests_page(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue, tmp_path: Path
) -> None:
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)
    request = FIXTURES / "requests/denied-dme-not-covered.json"

    shown = await (await NewRequestPage.open(page)).submit_now(request, [])

    assert await shown.fact("State") == "pending"
    (item,) = records.items()
    assert item.priority == Priority.URGENT
    assert page.url.endswith(f"/requests/{item.id}")
    assert [e.action for e in reversed(records.audit_entries())][-2:] == ["submitted_now", "viewed"]
