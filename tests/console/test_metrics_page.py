"""The Figures page as staff see it in Chromium: after requests went through ``pa-bot serve`` (the
console and its resident worker) to the mock portal, the figures shown in tables and drawn as
charts with their accessible names; an appeal overturned counts as approval after appeal; the
period chosen narrows them; a day that is not one is said so; sign-in is required."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.config import Settings
from bot.queue import open_queue
from bot.queue.appeals import AppealState, appeal_queue
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.metrics import MetricsPage
from tests.console.pages.new_request import NewRequestPage
from tests.support.admin import PortalAdmin

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"


async def submit_now(page: Page, fixture: str, tmp_path: Path) -> str:
    """The fixture request, without attachments, submitted now from the console; its key."""
    request = json.loads((FIXTURES / "requests" / fixture).read_text())
    request.pop("attachments", None)
    path = tmp_path / fixture
    path.write_text(json.dumps(request))
    shown = await (await NewRequestPage.open(page)).submit_now(path, [])
    await shown.reference_id()
    return str(request["id"])


def appeal_overturned(settings: Settings, key: str) -> None:
    """Staff filed an appeal of the request and the payer overturned the denial."""
    queue = appeal_queue(open_queue(settings.queue_url))
    try:
        item = queue.get_by_key(key)
        assert item is not None
        for state in (AppealState.FILED, AppealState.OVERTURNED):
            queue.record_appeal(item.id, state, "console:ann")
    finally:
        queue.close()


async def test_the_figures_of_the_requests_submitted_are_shown_and_drawn(
    page: Page, served: str, portal: PortalAdmin, settings: Settings, tmp_path: Path
) -> None:
    await (await LoginPage.open(page, served)).sign_in("ann", PASSWORD)
    await submit_now(page, "approved-imaging-criteria-met.json", tmp_path)
    denied = await submit_now(page, "denied-dme-not-covered.json", tmp_path)
    appeal_overturned(settings, denied)

    figures = await MetricsPage.open(page)

    # 2 requests: one approved (1/2), one denied (1/2) whose appeal was overturned (1/1)
    assert await figures.overall() == {
        "Requests": "2",
        "Approved": "50.0%",
        "Partially approved": "0.0%",
        "Denied": "50.0%",
        "Pended at submit": "0.0%",
        "Approved after appeal": "100.0%",
        "Past the decision clock": "0",
    }
    rates = figures.chart(re.compile("^Approval, partial approval, denial and pend rates"))
    await expect(rates).to_be_visible()
    await expect(
        figures.chart(re.compile("^Median and 90th-percentile decision times"))
    ).to_be_visible()
    by_category = await figures.table("By category")
    assert [row[:5] for row in by_category] == [
        ["Category", "Requests", "Approved", "Partially approved", "Denied"],
        ["Advanced Imaging", "1", "100.0%", "0.0%", "0.0%"],
        ["Durable Medical Equipment", "1", "0.0%", "0.0%", "100.0%"],
    ]
    assert [row[0] for row in await figures.table("By procedure code")][1:] == ["72148", "E0720"]
    times = await figures.table("Decision times")
    assert [row[:2] for row in times] == [
        ["Urgency", "Decided"],
        ["Expedited", "0"],
        ["Standard", "2"],
    ]
    assert times[2][4] == "7 days" and times[1][4] == "72 h"

    later = await figures.since("2099-01-01")

    await expect(later.says("No request submitted from 2099-01-01 yet")).to_be_visible()
    await expect(later.charts).to_have_count(0)


async def test_a_day_that_is_not_one_is_said_so_and_sign_in_is_required(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    await page.goto(f"{console_url}/metrics")
    await expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    accounts.add("ann")
    await (await LoginPage.open(page, console_url)).sign_in("ann", PASSWORD)

    figures = await MetricsPage.visit(page, console_url, since="2026-02-30")

    await expect(figures.problem).to_contain_text(
        "not a date: '2026-02-30'; give the day as YYYY-MM-DD"
    )
    await expect(figures.says("No request submitted yet")).to_be_visible()
