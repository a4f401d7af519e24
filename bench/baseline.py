"""The baseline: the bot's flow as one straight-line Playwright script, with no framework.

No queue, logging, retries, page objects, tracing or proof files: log in once, then for each
request the same screens as the bot (member search, care setting, details, Document Clinical
where asked, submit, results, uploads), waiting only for what the next line needs.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from playwright.sync_api import Browser, Page

from bench.netlog import NetLog
from bot.models import AuthRequest

SEARCH_BY = {"caresource_id": "CareSource Id", "medicaid_id": "Medicaid Id"}
REFERENCE = re.compile(r"Reference #:\s*(\d{9})")


@dataclass(frozen=True)
class Timed:
    """One request's result and its wall-clock window (epoch seconds)."""

    outcome: str
    start_s: float
    end_s: float


def us(day: object) -> str:
    return day.strftime("%m/%d/%Y")  # type: ignore[attr-defined,no-any-return]


def run_baseline(
    browser: Browser, portal_url: str, requests: list[AuthRequest], netlog: NetLog
) -> tuple[float, list[Timed]]:
    """Log in, then submit every request; the login's seconds and each request's window."""
    context = browser.new_context()
    netlog.attach(context)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{portal_url}/login")
    page.get_by_label("Username", exact=True).fill("demo")
    page.get_by_label("Password", exact=True).fill("Demo!2345")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role("button", name="Log in", exact=True).click()
    page.get_by_role("heading", name="Provider Portal", exact=True).wait_for()
    login_s = time.perf_counter() - started
    timed = []
    for request in requests:
        begin = time.time()
        outcome = submit(page, portal_url, request)
        timed.append(Timed(outcome, begin, time.time()))
    context.close()
    return login_s, timed


def click_and_load(page: Page, role: str, name: str) -> None:
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.get_by_role(role, name=name, exact=True).click()  # type: ignore[arg-type]


def submit(page: Page, portal_url: str, request: AuthRequest) -> str:
    """One request through the portal's screens; the outcome as the queue would name it."""
    member = request.member
    page.goto(f"{portal_url}/prior-auth", wait_until="domcontentloaded")
    if member.caresource_id or member.medicaid_id:
        kind = "caresource_id" if member.caresource_id else "medicaid_id"
        page.get_by_role("radio", name=SEARCH_BY[kind], exact=True).check()
        label = "CareSource ID" if member.caresource_id else "Medicaid ID"
        page.get_by_label(label, exact=True).fill(member.caresource_id or member.medicaid_id or "")
    else:
        page.get_by_role("radio", name="Member Info", exact=True).check()
        page.get_by_label("First Name", exact=True).fill(member.first_name or "")
        page.get_by_label("Last Name", exact=True).fill(member.last_name or "")
        page.get_by_label("Date of Birth", exact=True).fill(us(member.dob))
    page.get_by_label("Start Date of Service", exact=True).fill(us(request.start_date))
    click_and_load(page, "button", "Search")
    if not page.url.endswith("/setting"):
        return "rejected"

    page.get_by_role("group", name="Select Care Setting").get_by_role(
        "radio", name=request.care_setting, exact=True
    ).check()
    page.get_by_label("Select Category", exact=True).select_option(label=request.category)
    page.get_by_role("combobox", name="Provider Search").fill(request.provider_npi)
    listbox = page.get_by_role("listbox", name="Providers")
    option = listbox.get_by_role("option", name=f"(NPI {request.provider_npi})")
    nothing = listbox.get_by_text("No providers found.")
    option.or_(nothing).first.wait_for()
    if nothing.is_visible():
        return "rejected"
    option.click()
    click_and_load(page, "button", "Continue")
    if not page.url.endswith("/details"):
        return "rejected"

    page.get_by_label("Start Date", exact=True).fill(us(request.start_date))
    page.get_by_label("End Date", exact=True).fill(us(request.end_date))
    page.get_by_label("Treatment Type", exact=True).select_option(label=request.treatment_type)
    page.get_by_label("Place Of Service", exact=True).select_option(value=request.place_of_service)
    diagnoses = page.get_by_role("list", name="Selected Diagnosis Codes").get_by_role("listitem")
    for code in request.diagnosis_codes:
        page.get_by_label("Diagnosis Code", exact=True).fill(code)
        page.get_by_role("button", name="Add Diagnosis Code", exact=True).click()
        diagnoses.filter(has_text=code).or_(page.get_by_role("alert")).first.wait_for()
    procedures = page.get_by_role("list", name="Selected Procedure Codes").get_by_role("listitem")
    for line in request.procedures:
        page.get_by_label("Procedure Code", exact=True).fill(line.code)
        page.get_by_label("Units", exact=True).fill(str(line.units))
        page.get_by_role("button", name="Add Procedure Code", exact=True).click()
        procedures.filter(has_text=line.code).or_(page.get_by_role("alert")).first.wait_for()
    contact = request.contact
    page.get_by_label("Contact name of person completing this request", exact=True).fill(
        contact.name
    )
    page.get_by_label("Contact phone number", exact=True).fill(contact.phone)
    page.get_by_label("Contact phone number extension", exact=True).fill(contact.extension or "")
    page.get_by_label("Contact fax number", exact=True).fill(contact.fax)
    page.get_by_label("Contact email", exact=True).fill(contact.email or "")
    click_and_load(page, "button", "Continue")
    if not page.url.endswith("/summary"):
        return "rejected"

    codes = [line.code for line in request.procedures]
    disclaimers = page.get_by_role("region", name="Disclaimers")
    texts = [
        disclaimers.get_by_role("article", name=f"{code} - CPT/HCPCS", exact=True).inner_text()
        for code in codes
    ]
    if all("Authorization not required" in text for text in texts):
        click_and_load(page, "button", "Cancel Request")
        return "not_required"
    for code, text in zip(codes, texts, strict=True):
        if "REVIEW REQUIRED" in text:
            article = disclaimers.get_by_role("article", name=f"{code} - CPT/HCPCS", exact=True)
            with page.expect_navigation(wait_until="domcontentloaded"):
                article.get_by_role("button", name="Document Clinical").click()
            answer_clinical(page, request)
    click_and_load(page, "button", "Submit Request")

    page.get_by_text(REFERENCE).wait_for()
    page.get_by_role("main").inner_text()
    uploads = page.get_by_role("region", name="Upload Attachments")
    listed = page.get_by_role("list", name="Files Uploaded").get_by_role("listitem")
    for path in request.attachments:
        uploads.get_by_label("Attachment", exact=True).set_input_files(path)
        with page.expect_navigation(wait_until="domcontentloaded"):
            uploads.get_by_role("button", name="Upload", exact=True).click()
        listed.filter(has_text=path.name).wait_for()
    return "submitted"


def answer_clinical(page: Page, request: AuthRequest) -> None:
    for question, value in request.clinical.answers.items():
        if value in ("Yes", "No"):
            page.get_by_role("group", name=question, exact=True).get_by_role(
                "radio", name=str(value), exact=True
            ).check()
        else:
            page.get_by_label(question, exact=True).fill(str(value))
    if request.clinical.notes:
        page.get_by_label("Clinical Notes", exact=True).fill(request.clinical.notes)
    click_and_load(page, "button", "Save Clinical")
