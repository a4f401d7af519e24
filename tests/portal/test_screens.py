"""Screens 2 to 9 on their happy paths, with the names docs/PORTAL_UI.md promises."""

from __future__ import annotations

import re

import pytest

from tests.portal.client import DOS, IN_NETWORK_NPI, MEMBER, PortalClient, answers
from tests.portal.pages import Page

NAV_LINKS = [
    "Member Eligibility",
    "Coordination of Benefits",
    "Claim Information",
    "Member File Upload",
    "Provider Membership List",
    "Clinical Practice Registry",
    "Manage Users",
    "Update My Account",
    "Provider Training",
    "Care Management Referral",
    "Claim Appeals",
    "Online Claim Submission",
    "Claims Recovery Request",
    "File Grievance",
    "Payment History",
    "Pharmacy",
    "Prior Authorization and Notifications",
]
GUARANTEE = "An authorization is not a guarantee of payment, but is based on medical necessity"


def codes(page: Page) -> list[str]:
    """The list items of the two code lists (diagnoses first, then procedures)."""
    return [li for li in page.all("li") if re.match(r"[A-Z0-9]\d", li)]


def test_home(user: PortalClient) -> None:
    home = user.get("/")
    assert home.h1 == "Provider Portal"
    links = home.all("a")
    for name in NAV_LINKS:
        assert name in links
    assert {"Attention All Providers", "Network Notifications", "Anti-Fraud Plan"} <= set(
        home.all("h2")
    )
    assert "The Centers for Medicare & Medicaid Services (CMS) requires CareSource" in home.text
    assert "1-855-202-1091" in home.text
    assert 'href="/prior-auth"' in home.html
    assert "CareSource™" in home.html


def test_other_links_are_coming_soon(user: PortalClient) -> None:
    page = user.get("/coming-soon/claim-appeals")
    assert page.h1 == "Claim Appeals" and "Coming soon" in page.text
    assert user.get("/coming-soon/nope").status_code == 404


def test_member_search_screen(user: PortalClient) -> None:
    page = user.get("/prior-auth")
    assert page.h1 == "Prior Authorization"
    assert page.all("tab") == ["Prior Authorization and Notifications", "Status"]
    assert 'aria-selected="true"' in page.html
    assert {"Request Type", "Search By"} <= set(page.all("legend"))
    for label in (
        "Medical (Inpatient & Outpatient)",
        "Newborn Delivery Notification",
        "CareSource Id",
        "Medicaid Id",
        "Member Info",
        "CareSource ID",
        "Medicaid ID",
        "First Name",
        "Last Name",
        "Date of Birth",
        "Start Date of Service",
    ):
        assert label in page.labels
    assert GUARANTEE in page.text
    assert 'placeholder="MM/DD/YYYY"' in page.html


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "caresource", "caresource_id": MEMBER},
        {"kind": "medicaid", "medicaid_id": "310012345601"},
        {"kind": "info", "first_name": "dino", "last_name": "SAUR", "dob": "08/10/1982"},
    ],
    ids=["caresource", "medicaid", "member-info"],
)
def test_member_found_each_way(user: PortalClient, fields: dict[str, str]) -> None:
    page = user.search(**fields)
    assert page.path.endswith("/setting"), page.alerts
    assert page.h1 == "Authorization Request"
    assert re.search(r"Patient :\s*105634024", page.text)
    assert "Name : Saur, Dino" in page.text
    assert "DOB : 08/10/1982" in page.text and "Gender : Male" in page.text


def test_setting_screen(user: PortalClient) -> None:
    page = user.search()
    assert "Select Care Setting" in page.all("legend")
    for label in ("Inpatient", "Outpatient", "Select Category", "Provider Search", "Provider Name"):
        assert label in page.labels
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page.html)
    assert options == [
        "--Select Category--",
        "Advanced Imaging",
        "Physical Therapy",
        "Occupational Therapy",
        "Chiropractic",
        "Durable Medical Equipment",
        "Injections",
        "Drug Testing",
        "Outpatient Surgery",
    ]
    combo = next(i for i in page.inputs if i.get("name") == "provider_search")
    assert combo["role"] == "combobox" and combo["aria-autocomplete"] == "list"
    assert 'role="listbox" aria-label="Providers"' in page.html


def test_provider_autocomplete_api(user: PortalClient) -> None:
    found = user.http.get("/api/providers", params={"q": "123456789"}).json()["providers"]
    assert found[0]["label"] == f"Riverside Occupational Health (NPI {IN_NETWORK_NPI})"
    assert user.http.get("/api/providers", params={"q": "4001234"}).json()["providers"]
    assert user.http.get("/api/providers", params={"q": "12"}).json() == {"providers": []}
    assert user.http.get("/api/providers", params={"q": "1987654328"}).json() == {"providers": []}


def test_details_screen(user: PortalClient) -> None:
    user.search()
    page = user.choose()
    assert page.path.endswith("/details")
    assert "Complete remaining required fields and select continue to proceed." in page.text
    assert [h for h in page.all("h2") if h.istitle() or " " in h][-6:] == [
        "Dates of Service",
        "Treatment Type",
        "Place Of Service",
        "Diagnosis Codes",
        "Procedure Codes",
        "Contact Information",
    ]
    assert page.value("start_date") == DOS and page.value("end_date") == DOS
    for label in (
        "Start Date",
        "End Date",
        "Treatment Type",
        "Place Of Service",
        "Diagnosis Code",
        "Procedure Code",
        "Units",
        "Contact name of person completing this request",
        "Contact phone number",
        "Contact phone number extension",
        "Contact fax number",
        "Contact email",
    ):
        assert label in page.labels
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page.html)
    assert options[:7] == [
        "--Choose One--",
        "Diagnostic",
        "Therapeutic",
        "Surgical",
        "Rehabilitative",
        "Durable Medical Equipment",
        "Laboratory",
    ]
    assert options[7:] == [
        "--Choose One--",
        "11 - Office",
        "12 - Home",
        "19 - Off Campus-Outpatient Hospital",
        "22 - On Campus-Outpatient Hospital",
        "24 - Ambulatory Surgical Center",
        "49 - Independent Clinic",
        "81 - Independent Laboratory",
    ]
    assert 'value="81"' in page.html and 'value="DIAG"' in page.html
    assert "Selected Diagnosis Codes" in page.all("h3")


def test_codes_added_and_removed_without_a_script(user: PortalClient) -> None:
    user.search()
    user.choose()
    base: dict[str, list[str]] = {"dx": [], "proc": []}
    page = user.post(f"{user.draft_base}/details", {**base, "dx_entry": "m54.50", "add_dx": "1"})
    assert codes(page)[0].startswith("M54.50 - Low back pain, unspecified primary")
    page = user.post(
        f"{user.draft_base}/details", {"dx": ["M54.50"], "dx_entry": "G56.01", "add_dx": "1"}
    )
    items = codes(page)
    assert items[0].endswith("primary Remove") and "primary" not in items[1]
    page = user.post(
        f"{user.draft_base}/details",
        {"dx": ["M54.50", "G56.01"], "proc_entry": "72148", "proc_units": "2", "add_proc": "1"},
    )
    assert codes(page)[2].startswith("72148 (CPT/HCPCS) - Units: 2 - MRI lumbar spine")
    assert 'aria-label="Remove 72148"' in page.html
    page = user.post(
        f"{user.draft_base}/details",
        {"dx": ["M54.50", "G56.01"], "proc": ["72148:2"], "remove_dx:M54.50": "1"},
    )
    assert codes(page)[0].startswith("G56.01") and len(codes(page)) == 2


def test_code_apis(user: PortalClient) -> None:
    assert user.http.get("/api/icd10/M54.50").json() == {
        "code": "M54.50",
        "description": "Low back pain, unspecified",
    }
    assert user.http.get("/api/icd10/M5450").status_code == 404
    assert user.http.get("/api/procedures/72148").json()["category"] == "Advanced Imaging"
    assert user.http.get("/api/procedures/99999").status_code == 404


def test_summary_then_document_clinical_then_submit(user: PortalClient) -> None:
    summary = user.prepare("72148", meet=None)
    assert summary.h1 == "Authorization Request"
    assert "Select “Document Clinical” to continue" in summary.text
    assert re.search(r"Authorization : EPS-\d{8}", summary.text)
    assert "Type : Standard" in summary.text and "Status : NoDecisionYet" in summary.text
    assert "Disclaimers" in summary.all("h2")
    assert "72148 - CPT/HCPCS" in summary.all("h3")
    assert (
        "REVIEW REQUIRED: This request requires review. Select the 'Document Clinical' button"
        " to continue." in summary.text
    )
    assert "Document Clinical" in summary.html
    blocked = user.post(f"{user.draft_base}/submit", {})
    assert blocked.alerts == ["Complete Document Clinical for 72148 before submitting."]
    assert user.http.get("/_mock/authorizations").json() == []

    clinical = user.get(f"{user.draft_base}/clinical/72148")
    assert clinical.h1 == "Document Clinical"
    assert "72148 - CPT/HCPCS" in clinical.text
    assert clinical.all("legend") == [
        "Has the patient completed at least 6 weeks of conservative therapy?",
        "Are red-flag symptoms present (progressive neurological deficit, cauda equina, "
        "suspected fracture)?",
    ]
    assert "Clinical Notes" in clinical.labels
    summary = user.post(f"{user.draft_base}/clinical/72148", answers("Advanced Imaging", meet=True))
    assert (
        "Criteria met for this request. Please select the 'Submit Request' button" in summary.text
    )
    assert "Select “Submit Request” to proceed" in summary.text
    results = user.post(f"{user.draft_base}/submit", {})
    assert results.h1 == "Results"
    assert (
        "Prior Authorization request has been successfully submitted. If clinical information"
        " to support this request has not been submitted, please send (via e-mail, fax or"
        " telephone) clinical review to the Medical Management Department within one business"
        " day." in results.text
    )
    reference = results.reference_id()
    assert f"Your reference ID for this submission request is: {reference}" in results.text
    assert re.search(r"Authorization : EPS-\d{8}", results.text)
    assert results.field_status() == "Approved"
    assert results.all("caption") == ["Authorization Lines"]
    assert results.all("th") == [
        "Line Number",
        "Procedure",
        "From Date",
        "To Date",
        "Requested Units",
        "Authorized Units",
        "Status",
        "Reason Code",
        "Reason",
    ]
    assert results.all("td") == ["1", "72148", DOS, DOS, "1", "1", "Approved", "", ""]
    assert "Accepted file types: Word, Excel, PDF, Notepad, Image(tiff)" in results.text
    assert "Upload Attachments" in results.all("h2")
    assert "Attachment" in results.labels
    assert "No files uploaded." in results.text


def test_clinical_needs_every_answer(user: PortalClient) -> None:
    user.prepare("72148", meet=None)
    user.get(f"{user.draft_base}/clinical/72148")
    page = user.post(f"{user.draft_base}/clinical/72148", {"q_conservative_therapy": "Yes"})
    assert page.h1 == "Document Clinical"
    assert page.alerts == ["Answer every question."]
    assert page.text.count("This question is required.") == 1
    page = user.post(
        f"{user.draft_base}/clinical/72148",
        {"q_conservative_therapy": "Maybe", "q_red_flags": "No"},
    )
    assert "Select Yes or No." in page.text


def test_clinical_number_questions(user: PortalClient) -> None:
    user.prepare("97545", meet=None)
    page = user.get(f"{user.draft_base}/clinical/97545")
    assert "Number of functional deficits documented" in page.labels
    assert page.all("legend") == ["Is there a documented plan of care with measurable goals?"]
    url = f"{user.draft_base}/clinical/97545"
    page = user.post(url, {"q_functional_deficits": "two", "q_plan_of_care": "Yes"})
    assert page.alerts == ["Enter a whole number from 0 to 999."]
    summary = user.post(url, {"q_functional_deficits": "0", "q_plan_of_care": "Yes"})
    assert "Criteria not met." in summary.text
    summary = user.clinical("97545", {"q_functional_deficits": "3", "q_plan_of_care": "Yes"})
    assert "Criteria met for this request." in summary.text
    assert user.submit().field_status() == "Approved"


def test_clinical_only_for_codes_that_need_it(user: PortalClient) -> None:
    user.prepare("64483")
    assert user.get(f"{user.draft_base}/clinical/64483").status_code == 404
    assert user.get(f"{user.draft_base}/clinical/72148").status_code == 404


def test_cancel_request(user: PortalClient) -> None:
    user.prepare("72148", meet=None)
    page = user.post(f"{user.draft_base}/cancel", {})
    assert page.h1 == "Prior Authorization"
    assert page.statuses == ["Request cancelled."]
    assert user.get(f"{user.draft_base}/summary").status_code == 404


def test_back_goes_to_details_with_everything_kept(user: PortalClient) -> None:
    user.prepare("72148", meet=None)
    page = user.get(f"{user.draft_base}/details")
    assert any(li.startswith("72148 (CPT/HCPCS) - Units: 1") for li in page.all("li"))
    assert page.value("contact_name") == "Pat Front-Desk"


def test_status_search_and_detail(user: PortalClient) -> None:
    reference = user.request("72148").reference_id()
    page = user.get("/prior-auth/status")
    assert page.h1 == "Prior Authorization"
    assert 'aria-selected="true"' in page.html
    for label in ("Member and Dates", "Reference Number", "CareSource ID", "From Date", "To Date"):
        assert label in page.labels
    found = user.post(
        "/prior-auth/status",
        {
            "search_by": "member",
            "caresource_id": MEMBER,
            "from_date": "11/01/2026",
            "to_date": "12/31/2026",
        },
    )
    assert found.all("caption") == ["Authorizations"]
    assert found.all("th") == [
        "Reference #",
        "Authorization",
        "Procedure Codes",
        "Provider NPI",
        "Start Date",
        "End Date",
        "Status",
        "Submitted",
        "Details",
    ]
    cells = found.all("td")
    assert cells[0] == reference and cells[2] == "72148" and cells[3] == IN_NETWORK_NPI
    assert cells[4] == DOS and cells[6] == "Approved"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cells[7])
    assert f"View {reference}" in found.all("a")
    by_reference = user.post(
        "/prior-auth/status", {"search_by": "reference", "reference_number": reference}
    )
    assert by_reference.all("td")[0] == reference
    none = user.post(
        "/prior-auth/status",
        {
            "search_by": "member",
            "caresource_id": MEMBER,
            "from_date": "01/01/2027",
            "to_date": "01/31/2027",
        },
    )
    assert "No authorizations found." in none.text
    assert (
        "No authorizations found."
        in user.post(
            "/prior-auth/status", {"search_by": "reference", "reference_number": "000000001"}
        ).text
    )
    detail = user.get(f"/prior-auth/status/{reference}")
    assert detail.h1 == "Authorization Detail"
    assert detail.reference_id() == reference and detail.field_status() == "Approved"
    assert "Upload Attachments" in detail.all("h2")
    assert user.get("/prior-auth/status/123").status_code == 404


def test_drafts_belong_to_their_user(user: PortalClient) -> None:
    user.prepare("72148", meet=None)
    draft = user.draft_base
    user.get("/logout")
    user.login(username="mfa-demo")
    from mock_portal.auth import ShortSecretTOTP
    from tests.portal.client import TOTP_SECRET

    user.post("/login/verify", {"otp": ShortSecretTOTP(TOTP_SECRET).now()})
    assert user.get(f"{draft}/summary").status_code == 404
