"""The console's Eligibility page end to end: ``pa-bot serve`` (the console and its resident
worker) against the mock portal, a person in Chromium: a schedule uploaded, each visit checked
by the resident worker on the portal's Member Eligibility screen, the answers shown as they
come, exported as CSV; an unreadable schedule refused with the line named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from tests.console.conftest import PASSWORD
from tests.console.pages.eligibility import EligibilityPage
from tests.console.pages.login import LoginPage

pytestmark = pytest.mark.e2e


async def test_a_schedule_is_checked_shown_and_exported(
    page: Page, served: str, settings: Settings, tmp_path: Path
) -> None:
    schedule = tmp_path / "tomorrow.jsonl"
    schedule.write_text(
        "".join(
            json.dumps({"member": member, "date_of_service": day}) + "\n"
            for member, day in (
                ({"caresource_id": "105634024"}, "2026-12-01"),
                ({"caresource_id": "105634123"}, "2026-12-01"),
                ({"medicaid_id": "310012345615"}, "2026-12-01"),
            )
        )
    )
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)

    shown = await (await EligibilityPage.open(page)).check(schedule)
    rows = await shown.answered()

    assert rows == [
        ["CareSource ID 105634024", "2026-12-01", "yes", "Medicaid", "2025-01-01 to open", ""],
        ["CareSource ID 105634123", "2026-12-01", "no", "Medicaid", "2024-01-01 to 2026-06-30", ""],
        [
            "Medicaid ID 310012345615",
            "2026-12-01",
            "yes",
            "Medicaid",
            "2025-01-01 to open",
            "Ohio Bureau of Workers' Compensation",
        ],
    ]
    href = await shown.export_link.get_attribute("href")
    exported = await page.request.get(f"{served}{href}")
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(await exported.text())))
    assert [(r["caresource_id"], r["medicaid_id"], r["eligible"]) for r in table] == [
        ("105634024", "", "true"),
        ("105634123", "", "false"),
        ("", "310012345615", "true"),
    ]
    queue = console_queue(open_queue(settings.queue_url))
    try:
        asked = queue.audit_entries(action="eligibility_asked")
    finally:
        queue.close()
    assert [(e.actor, e.detail) for e in asked] == [("ann", "3 checks")]


async def test_an_unreadable_schedule_is_refused_naming_the_line(
    page: Page, served: str, tmp_path: Path
) -> None:
    schedule = tmp_path / "tomorrow.jsonl"
    schedule.write_text('{"member": {"first_name": "Dino"}, "date_of_service": "2026-12-01"}\n')
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)

    shown = await (await EligibilityPage.open(page)).check(schedule)

    await expect(shown.problem).to_contain_text("the file:line 1: member")
    await expect(shown.answers).to_have_count(0)
