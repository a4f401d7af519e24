"""``python -m mock_portal.screens OUTDIR [--variant N]``: walk every screen of the mock portal
in headless Chromium, the way a person (or the bot) does, by role and label, and save a
screenshot of each. Doubles as a smoke test that the names of docs/PORTAL_UI.md work in a
real browser."""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from mock_portal.server import PortalServer
from mock_portal.settings import FIXTURES_DIR, PortalSettings

SYSTEM_CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
ATTACHMENT = FIXTURES_DIR / "attachments" / "clinical-notes.pdf"


def _chromium(path: str) -> str | None:
    if Path(path).is_file():
        return None  # Playwright's own
    for name in SYSTEM_CHROMIUM:
        found = shutil.which(name)
        if found:
            return found
    return None


def walk(page: Page, url: str, out: Path, variant: int) -> list[Path]:
    """Log in, submit one Advanced Imaging request, upload, search Status; shoot each screen."""
    shots: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"v{variant}-{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    page.goto(f"{url}/login")
    expect(page.get_by_role("heading", name="Provider Portal Login", level=1)).to_be_visible()
    page.get_by_label("Username", exact=True).fill("demo")
    page.get_by_label("Password", exact=True).fill("Demo!2345")
    shot("login")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Provider Portal", exact=True, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Attention All Providers")).to_be_visible()
    shot("home")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Prior Authorization and Notifications").click()
    expect(page.get_by_role("heading", name="Prior Authorization", exact=True)).to_be_visible()
    page.get_by_role("radio", name="Medical (Inpatient & Outpatient)").check()
    page.get_by_role("radio", name="Member Info", exact=True).check()
    page.get_by_label("First Name", exact=True).fill("Dino")
    page.get_by_label("Last Name", exact=True).fill("Saur")
    page.get_by_label("Date of Birth", exact=True).fill("08/10/1982")
    page.get_by_role("radio", name="CareSource Id", exact=True).check()
    page.get_by_label("CareSource ID", exact=True).fill("105634024")
    page.get_by_label("Start Date of Service", exact=True).fill("12/01/2026")
    shot("member-search")
    page.get_by_role("button", name="Search", exact=True).click()
    group = page.get_by_role("group", name="Select Care Setting")
    expect(group).to_be_visible()
    group.get_by_role("radio", name="Outpatient", exact=True).check()
    page.get_by_label("Select Category", exact=True).select_option(label="Advanced Imaging")
    combo = page.get_by_role("combobox", name="Provider Search")
    combo.fill("9999")
    listbox = page.get_by_role("listbox", name="Providers")
    expect(listbox.get_by_text("No providers found.")).to_be_visible()
    combo.fill("1234567893")
    option = listbox.get_by_role("option", name=re.compile(r"\(NPI 1234567893\)"))
    expect(option).to_be_visible()
    shot("setting-autocomplete")
    option.click()
    expect(page.get_by_label("Provider Name", exact=True)).to_have_value(
        "Riverside Occupational Health"
    )
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_label("Start Date", exact=True)).to_have_value("12/01/2026")
    for name in (
        "Dates of Service",
        "Treatment Type",
        "Place Of Service",
        "Diagnosis Codes",
        "Procedure Codes",
        "Contact Information",
    ):
        expect(page.get_by_role("group", name=name, exact=True)).to_be_visible()
    page.get_by_label("Treatment Type", exact=True).select_option(label="Diagnostic")
    page.get_by_label("Place Of Service", exact=True).select_option(value="11")
    page.get_by_label("Diagnosis Code", exact=True).fill("X99.99")
    page.get_by_role("button", name="Add Diagnosis Code", exact=True).click()
    expect(
        page.get_by_role("alert").filter(has_text="Unknown diagnosis code X99.99.")
    ).to_be_visible()
    diagnoses = page.get_by_role("list", name="Selected Diagnosis Codes")
    for code in ("M54.50", "M54.16"):
        page.get_by_label("Diagnosis Code", exact=True).fill(code)
        page.get_by_role("button", name="Add Diagnosis Code", exact=True).click()
        expect(
            diagnoses.get_by_role("listitem").filter(has_text=re.compile(rf"^\s*{code}"))
        ).to_be_visible()
    diagnoses.get_by_role("button", name="Remove M54.50").click()
    expect(diagnoses.get_by_role("listitem")).to_have_count(1)
    expect(diagnoses.get_by_role("listitem").first).to_contain_text("primary")
    page.get_by_label("Diagnosis Code", exact=True).fill("M54.50")
    page.get_by_role("button", name="Add Diagnosis Code", exact=True).click()
    expect(diagnoses.get_by_role("listitem")).to_have_count(2)
    diagnoses.get_by_role("button", name="Remove M54.16").click()
    expect(diagnoses.get_by_role("listitem")).to_have_count(1)
    page.get_by_label("Procedure Code", exact=True).fill("99999")
    page.get_by_label("Units", exact=True).fill("1")
    page.get_by_role("button", name="Add Procedure Code", exact=True).click()
    unknown = page.get_by_role("alert").filter(has_text="Unknown procedure code 99999.")
    expect(unknown).to_be_visible()
    page.get_by_label("Procedure Code", exact=True).fill("72148")
    page.get_by_label("Units", exact=True).fill("1")
    page.get_by_role("button", name="Add Procedure Code", exact=True).click()
    procedures = page.get_by_role("list", name="Selected Procedure Codes")
    expect(
        procedures.get_by_role("listitem").filter(
            has_text=re.compile(r"^\s*72148 \(CPT/HCPCS\) - Units: 1")
        )
    ).to_be_visible()
    page.get_by_label("Contact name of person completing this request", exact=True).fill(
        "Pat Front-Desk"
    )
    page.get_by_label("Contact phone number", exact=True).fill("6145550100")
    page.get_by_label("Contact phone number extension", exact=True).fill("12")
    page.get_by_label("Contact fax number", exact=True).fill("6145550101")
    page.get_by_label("Contact email", exact=True).fill("pat@example.org")
    shot("details")
    page.get_by_role("button", name="Continue", exact=True).click()
    disclaimers = page.get_by_role("region", name="Disclaimers")
    expect(disclaimers).to_be_visible()
    article = disclaimers.get_by_role("article", name="72148 - CPT/HCPCS", exact=True)
    expect(article).to_contain_text("REVIEW REQUIRED")
    shot("summary-review-required")
    article.get_by_role("button", name="Document Clinical").click()
    expect(page.get_by_role("heading", name="Document Clinical", level=1)).to_be_visible()
    question = "Has the patient completed at least 6 weeks of conservative therapy?"
    page.get_by_role("group", name=question, exact=True).get_by_role(
        "radio", name="Yes", exact=True
    ).check()
    shot("clinical")
    page.get_by_role("button", name="Save Clinical", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Answer every question.")).to_be_visible()
    red_flags = page.get_by_role("group", name=re.compile("^Are red-flag symptoms"))
    red_flags.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("Clinical Notes", exact=True).fill("Eight weeks of PT without relief.")
    page.get_by_role("button", name="Save Clinical", exact=True).click()
    expect(article).to_contain_text("Criteria met")
    shot("summary-criteria-met")
    page.get_by_role("button", name="Submit Request", exact=True).click()
    reference = page.get_by_text(re.compile(r"Reference #:\s*\d{9}"))
    expect(reference).to_be_visible()
    expect(page.get_by_role("table", name="Authorization Lines")).to_be_visible()
    uploads = page.get_by_role("region", name="Upload Attachments")
    uploads.get_by_label("Attachment", exact=True).set_input_files(str(ATTACHMENT))
    uploads.get_by_role("button", name="Upload", exact=True).click()
    files = page.get_by_role("list", name="Files Uploaded").get_by_role("listitem")
    expect(files.filter(has_text="clinical-notes.pdf")).to_be_visible()
    shot("results")
    found = re.search(r"\d{9}", reference.inner_text())
    assert found is not None
    reference_id = found.group(0)
    page.get_by_role("tablist").get_by_role("tab", name="Status").click() if page.get_by_role(
        "tablist"
    ).count() else page.goto(f"{url}/prior-auth/status")
    page.get_by_role("radio", name="Reference Number", exact=True).check()
    page.get_by_label("Reference Number", exact=True).fill(reference_id)
    page.get_by_role("button", name="Search", exact=True).click()
    table = page.get_by_role("table", name="Authorizations")
    expect(table).to_be_visible()
    page.get_by_role("radio", name="Member and Dates", exact=True).check()
    page.get_by_label("CareSource ID", exact=True).fill("105634024")
    page.get_by_label("From Date", exact=True).fill("12/01/2026")
    page.get_by_label("To Date", exact=True).fill("12/01/2026")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(table.get_by_role("link", name=f"View {reference_id}", exact=True)).to_be_visible()
    shot("status")
    table.get_by_role("link", name=f"View {reference_id}", exact=True).click()
    expect(page.get_by_role("heading", name="Authorization Detail", level=1)).to_be_visible()
    shot("status-detail")
    page.get_by_role("banner").get_by_role("link", name="Log out").click()
    expect(page.get_by_role("heading", name="Provider Portal Login", level=1)).to_be_visible()
    notices(page, url, shot)
    return shots


def _log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Username", exact=True).fill("demo")
    page.get_by_label("Password", exact=True).fill("Demo!2345")
    page.get_by_role("button", name="Log in", exact=True).click()


def notices(page: Page, url: str, shot: Callable[[str], None]) -> None:
    """The notices after login (password expiring, announcement), an expired password, and the
    login page of a session ended by a login elsewhere, and the session-timeout warning."""
    knobs = {
        "password_expires_in_days": 5,
        "announcement": "The portal will be down for maintenance on Sunday, 02:00 to 04:00.",
    }
    httpx.put(f"{url}/_mock/config", json=knobs).raise_for_status()
    _log_in(page, url)
    expect(page.get_by_role("heading", name="Password Expiring", level=1)).to_be_visible()
    shot("notice-password-expiring")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", name="Provider Announcement", level=1)).to_be_visible()
    shot("notice-announcement")
    page.get_by_role("button", name="Acknowledge", exact=True).click()
    expect(page.get_by_role("heading", name="Provider Portal", exact=True, level=1)).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Log out").click()
    knobs = {"password_expires_in_days": 0, "announcement": None}
    httpx.put(f"{url}/_mock/config", json=knobs).raise_for_status()
    _log_in(page, url)
    expect(page.get_by_role("heading", name="Password Expired", level=1)).to_be_visible()
    shot("notice-password-expired")
    httpx.post(f"{url}/_mock/reset").raise_for_status()
    # One session per account: the account signs in elsewhere as the home page is asked for.
    fault = {"step": "home", "fault": "signed_in_elsewhere", "times": 1}
    knobs = {"single_session": True, "step_faults": [fault]}
    httpx.put(f"{url}/_mock/config", json=knobs).raise_for_status()
    _log_in(page, url)
    expect(page.get_by_role("alert").filter(has_text="signed in elsewhere")).to_be_visible()
    shot("signed-out-elsewhere")
    httpx.post(f"{url}/_mock/reset").raise_for_status()
    # The session-timeout warning, a second after the home page loads.
    httpx.put(f"{url}/_mock/config", json={"session_timeout_s": 61}).raise_for_status()
    _log_in(page, url)
    expect(page.get_by_role("dialog", name="Session expiring")).to_be_visible()
    shot("session-warning")
    httpx.post(f"{url}/_mock/reset").raise_for_status()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mock_portal.screens", description=__doc__)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--variant", type=int, choices=(1, 2), action="append")
    args = parser.parse_args(argv)
    out: Path = args.outdir
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        executable = _chromium(playwright.chromium.executable_path)
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            for variant in args.variant or [1, 2]:
                settings = PortalSettings(
                    port=0, db=Path(tmp) / f"v{variant}.db", ui_variant=variant
                )
                with PortalServer(settings) as server:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.set_default_timeout(10_000)
                    for path in walk(page, server.url, out, variant):
                        print(path)
                    page.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
