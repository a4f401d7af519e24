"""A request entered field by field in real Chromium: validated by the same intake as files,
every error at once beside its field, the member found one of three ways, codes described as
they are typed, attachments uploaded with it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from bot.queue import Priority
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import GOOD, PASSWORD, Accounts
from tests.console.pages.login import LoginPage
from tests.console.pages.new_request import NewRequestPage

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parents[2] / "fixtures"


async def form(page: Page, url: str, accounts: Accounts) -> NewRequestPage:
    accounts.add("ann")
    await (await LoginPage.open(page, url)).sign_in("ann", PASSWORD)
    return await NewRequestPage.open(page)


async def test_every_field_error_is_shown_at_once_beside_its_field(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    new = await form(page, console_url, accounts)
    bad = {
        **GOOD,
        "Provider NPI (required)": "1234567890",
        "Phone (required)": "555-0100",
        "Procedure codes (required)": "7214",
        "Diagnosis codes (required)": "",
    }
    await new.fill(bad)

    listed = await new.refused()

    assert len(listed) == 4, listed
    npi = new.field("Provider NPI (required)")
    await expect(npi).to_have_attribute("aria-invalid", "true")
    await expect(npi).to_have_accessible_description(
        re.compile(r"check digit\) must be a 10-digit NPI with a valid check digit$")
    )
    await expect(new.field("Phone (required)")).to_have_accessible_description(
        "10 digits must be a 10-digit number"
    )
    await expect(new.field("Procedure codes (required)")).to_have_accessible_description(
        re.compile(r"one unit without line 1 code: must be a CPT code \(5 digits\)")
    )
    await expect(new.field("Diagnosis codes (required)")).to_have_attribute("aria-invalid", "true")
    await expect(new.field("Contact name (required)")).to_have_value("Pat Frontdesk")
    await expect(new.field("Contact name (required)")).not_to_have_attribute("aria-invalid", "true")
    assert records.items() == [], "nothing is queued while a field is wrong"


async def test_the_member_is_found_by_the_way_chosen_and_only_that_way_is_sent(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    new = await form(page, console_url, accounts)
    values = {**GOOD, "First name": "Rory", "Last name": "Synthetic", "Date of birth": "1966-12-24"}
    await new.fill(values, member_by="By name and date of birth")

    rows = await new.add_form_to_queue()

    assert len(rows) == 1 and rows[0].endswith("queued"), rows
    (item,) = records.items()
    sent = json.loads(item.payload)
    assert {k: v for k, v in sent["member"].items() if v} == {
        "first_name": "Rory",
        "last_name": "Synthetic",
        "dob": "1966-12-24",
    }
    assert sent["diagnosis_codes"] == ["M54.50", "M54.16"]
    assert sent["procedures"] == [{"code": "72148", "units": 1}]
    assert item.priority == Priority.STANDARD


async def test_codes_are_described_as_they_are_typed(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    new = await form(page, console_url, accounts)
    await new.fill({})

    await new.field("Diagnosis codes (required)").press_sequentially("M54.50 M54.5")
    await new.field("Procedure codes (required)").press_sequentially("97110x12")

    await expect(new.codes("Diagnosis codes")).to_have_text(
        [
            "M54.50 Low back pain, unspecified",
            "M54.5 Low back pain (not billable: choose a more specific code)",
        ]
    )
    await expect(new.codes("Procedure codes")).to_have_text(["97110 CPT code, 12 units"])


async def test_attachments_chosen_in_the_form_go_with_the_request(
    page: Page, console_url: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    new = await form(page, console_url, accounts)
    await new.fill(GOOD)
    await new.attach([FIXTURES / "attachments/clinical-notes.pdf"])

    rows = await new.add_form_to_queue()

    assert rows[0].endswith("queued"), rows
    (item,) = records.items()
    (attached,) = json.loads(item.payload)["attachments"]
    assert Path(attached).name == "clinical-notes.pdf"
    assert Path(attached).read_bytes() == (FIXTURES / "attachments/clinical-notes.pdf").read_bytes()
