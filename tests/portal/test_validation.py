"""Bad input is refused with a clear message next to the field (HTTP 200 re-render or 4xx),
never a 500: missing fields, malformed dates, end before start, unknown codes, members not
found or not eligible, a provider typed but not picked, files of the wrong kind or size, stale
CSRF tokens, posts after the session expired."""

from __future__ import annotations

import re

import pytest

from tests.portal.client import (
    FIXTURES,
    IN_NETWORK_NPI,
    OUT_OF_NETWORK_NPI,
    UNKNOWN_NPI,
    PortalClient,
)
from tests.portal.conftest import Clock
from tests.portal.pages import Page

BAD_DATE = "Enter a date as MM/DD/YYYY."


def described(page_html: str, message: str) -> bool:
    """The message sits in an element that a control points at with aria-describedby."""
    for found in re.finditer(r'id="([^"]+)"[^>]*>' + re.escape(message) + "<", page_html):
        if f'aria-describedby="{found.group(1)}"' in page_html:
            return True
    return False


# screen 3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"dos": ""}, "Start Date of Service is required."),
        ({"dos": "2026-12-01"}, BAD_DATE),
        ({"dos": "12/1/2026"}, BAD_DATE),
        ({"dos": "02/30/2026"}, BAD_DATE),
        ({"dos": "13/01/2026"}, BAD_DATE),
        ({"caresource_id": ""}, "CareSource ID is required."),
        ({"caresource_id": "999999999"}, "Member not found."),
        ({"caresource_id": "abc"}, "Member not found."),
        ({"kind": "medicaid"}, "Medicaid ID is required."),
        ({"kind": "medicaid", "medicaid_id": "310000000000"}, "Member not found."),
        ({"kind": "info", "last_name": "Saur", "dob": "08/10/1982"}, "First Name is required."),
        ({"kind": "info", "first_name": "Dino", "dob": "08/10/1982"}, "Last Name is required."),
        ({"kind": "info", "first_name": "Dino", "last_name": "Saur"}, "Date of Birth is required."),
        (
            {"kind": "info", "first_name": "Dino", "last_name": "Saur", "dob": "1982-08-10"},
            BAD_DATE,
        ),
        (
            {"kind": "info", "first_name": "Dino", "last_name": "Saur", "dob": "08/11/1982"},
            "Member not found.",
        ),
        ({"caresource_id": "105634123"}, "Member is not eligible on the date of service."),
        ({"caresource_id": "105634130"}, "Member is not eligible on the date of service."),
        (
            {"caresource_id": "105634147", "dos": "04/15/2026"},
            "Member is not eligible on the date of service.",
        ),
    ],
)
def test_member_search_refusals(user: PortalClient, fields: dict[str, str], message: str) -> None:
    page = user.search(**fields)
    assert page.status_code == 200
    assert page.h1 == "Prior Authorization"
    assert message in page.alert_text
    assert described(page.html, message)
    assert user.http.get("/_mock/authorizations").json() == []


def test_eligibility_follows_the_date_of_service(user: PortalClient) -> None:
    assert user.search("105634123", dos="06/30/2026").path.endswith("/setting")
    assert user.search("105634130", dos="01/01/2027").path.endswith("/setting")
    assert user.search("105634147", dos="05/01/2026").path.endswith("/setting")


def test_newborn_notifications_are_refused(user: PortalClient) -> None:
    page = user.search(request_type="newborn")
    assert "Newborn Delivery Notifications cannot be entered" in page.alert_text


# screen 4 ---------------------------------------------------------------------------------------


def test_setting_with_nothing_chosen(user: PortalClient) -> None:
    user.search()
    page = user.post(f"{user.draft_base}/setting", {})
    assert page.status_code == 200
    for message in (
        "Select a care setting.",
        "Select a category.",
        "Select a provider from the dropdown.",
    ):
        assert message in page.alerts[0]
        assert described(page.html, message)


@pytest.mark.parametrize(
    ("search", "picked", "message"),
    [
        (IN_NETWORK_NPI, "", "Select a provider from the dropdown."),
        (UNKNOWN_NPI, UNKNOWN_NPI, "Select a provider from the dropdown."),
        (OUT_OF_NETWORK_NPI, OUT_OF_NETWORK_NPI, "Provider is not in network."),
    ],
    ids=["typed-not-picked", "unknown", "out-of-network"],
)
def test_provider_refusals(user: PortalClient, search: str, picked: str, message: str) -> None:
    user.search()
    page = user.post(
        f"{user.draft_base}/setting",
        {
            "care_setting": "Outpatient",
            "category": "IMG",
            "provider_search": search,
            "provider_id": picked,
        },
    )
    assert page.alerts == [message]
    assert page.value("provider_search") == search


# screen 5 ---------------------------------------------------------------------------------------


@pytest.fixture
def at_details(user: PortalClient) -> PortalClient:
    user.search()
    assert user.choose().path.endswith("/details")
    return user


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start_date": ""}, "Start Date is required."),
        ({"end_date": ""}, "End Date is required."),
        ({"start_date": "2026-12-01"}, BAD_DATE),
        ({"end_date": "12/32/2026"}, BAD_DATE),
        ({"end_date": "11/30/2026"}, "End Date cannot be before Start Date."),
        ({"start_date": "07/01/2027", "end_date": "07/01/2027"}, None),
        ({"treatment_type": ""}, "Select a treatment type."),
        ({"treatment_type": "Diagnostic"}, "Select a treatment type."),
        ({"place_of_service": "99"}, "Select a place of service."),
        ({"contact_name": ""}, "Contact name is required."),
        ({"contact_phone": "555-0100"}, "Enter a 10-digit phone number."),
        ({"contact_phone": "61455501000"}, "Enter a 10-digit phone number."),
        ({"contact_fax": ""}, "Enter a 10-digit fax number."),
        ({"contact_email": "pat@"}, "Enter a valid email address."),
        ({"contact_ext": "12a"}, "Enter an extension of up to 6 digits."),
    ],
)
def test_details_refusals(
    at_details: PortalClient, overrides: dict[str, str], message: str | None
) -> None:
    page = at_details.details([("72148", 1)], **overrides)  # type: ignore[arg-type]
    if message is None:  # a later start date inside the coverage is fine
        assert page.path.endswith("/summary")
        return
    assert page.status_code == 200 and page.path.endswith("/details")
    assert message in page.alerts[0]
    assert described(page.html, message)
    assert any(li.startswith("72148 (CPT/HCPCS) - Units: 1") for li in page.all("li"))
    assert any(li.startswith("M54.50 - ") for li in page.all("li"))


def test_details_all_missing_lists_every_error(at_details: PortalClient) -> None:
    page = at_details.post(f"{at_details.draft_base}/details", {"continue": "1"})
    summary = page.alerts[0]
    for message in (
        "Start Date is required.",
        "End Date is required.",
        "Select a treatment type.",
        "Select a place of service.",
        "Add at least one diagnosis code.",
        "Add at least one procedure code.",
        "Contact name is required.",
        "Enter a 10-digit phone number.",
        "Enter a 10-digit fax number.",
    ):
        assert message in summary


def test_start_date_outside_coverage(user: PortalClient) -> None:
    user.search("105634123", dos="06/01/2026")
    user.choose()
    page = user.details([("72148", 1)], start_date="07/01/2026", end_date="07/01/2026")
    assert "Member is not eligible on the date of service." in page.alert_text


def test_code_not_valid_for_category(at_details: PortalClient) -> None:
    page = at_details.details([("72148", 1), ("97110", 2)])
    assert page.alerts[0] == "Procedure code 97110 is not valid for category Advanced Imaging."
    assert described(page.html, "Procedure code 97110 is not valid for category Advanced Imaging.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dx_entry": "M54.5", "add_dx": "1"}, "Unknown diagnosis code M54.5."),
        ({"dx_entry": "", "add_dx": "1"}, "Enter a diagnosis code."),
        (
            {"proc_entry": "99999", "proc_units": "1", "add_proc": "1"},
            "Unknown procedure code 99999.",
        ),
        (
            {"proc_entry": "72148", "proc_units": "0", "add_proc": "1"},
            "Units must be a whole number of at least 1.",
        ),
        (
            {"proc_entry": "72148", "proc_units": "1.5", "add_proc": "1"},
            "Units must be a whole number of at least 1.",
        ),
        (
            {"proc_entry": "72148", "proc_units": "", "add_proc": "1"},
            "Units must be a whole number of at least 1.",
        ),
    ],
)
def test_adding_bad_codes(at_details: PortalClient, data: dict[str, str], message: str) -> None:
    page = at_details.post(f"{at_details.draft_base}/details", data)
    assert page.status_code == 200
    assert message in page.alerts  # the message next to the field is itself an alert
    assert described(page.html, message)


def test_tampered_hidden_code_lists_are_ignored(at_details: PortalClient) -> None:
    page = at_details.details([("99999", 1), ("72148", 0)], diagnoses=("NOPE",))
    assert "Add at least one diagnosis code." in page.alert_text
    assert "Add at least one procedure code." in page.alert_text


# uploads ----------------------------------------------------------------------------------------


@pytest.fixture
def at_results(user: PortalClient) -> tuple[PortalClient, str]:
    reference = user.request("64483").reference_id()
    return user, reference


def upload(client: PortalClient, reference: str, name: str, content: bytes) -> Page:
    client.get(f"/prior-auth/results/{reference}")
    return client.post(
        f"/prior-auth/results/{reference}/upload", {}, files={"attachment": (name, content)}
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "virus.exe",
            b"MZ\x90\x00",
            "File type not accepted: Word, Excel, PDF, Notepad or TIFF only.",
        ),
        (
            "scan.png",
            b"\x89PNG\r\n",
            "File type not accepted: Word, Excel, PDF, Notepad or TIFF only.",
        ),
        (
            "noextension",
            b"%PDF-1.4",
            "File type not accepted: Word, Excel, PDF, Notepad or TIFF only.",
        ),
        (
            "fake.pdf",
            (FIXTURES / "attachments" / "fake.pdf").read_bytes(),
            "File content does not match its type.",
        ),
        ("empty.txt", b"", "File content does not match its type."),
        ("binary.txt", b"\x00\x01\x02", "File content does not match its type."),
        ("latin1.txt", "caf\xe9".encode("latin-1"), "File content does not match its type."),
        ("scan.tif", b"%PDF-1.4", "File content does not match its type."),
        ("letter.docx", b"%PDF-1.4", "File content does not match its type."),
        ("old.doc", b"PK\x03\x04", "File content does not match its type."),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "File is larger than 10 MB."),
    ],
)
def test_upload_refusals(
    at_results: tuple[PortalClient, str], name: str, content: bytes, message: str
) -> None:
    client, reference = at_results
    page = upload(client, reference, name, content)
    assert page.status_code == 200
    assert message in page.alerts
    assert "No files uploaded." in page.text
    assert client.http.get("/_mock/authorizations").json()[0]["attachments"] == []


def test_upload_without_a_file(at_results: tuple[PortalClient, str]) -> None:
    client, reference = at_results
    client.get(f"/prior-auth/results/{reference}")
    page = client.post(f"/prior-auth/results/{reference}/upload", {})
    assert "Choose a file to upload." in page.alerts


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.PDF", b"%PDF-1.7\n"),
        ("note.txt", "Patient note: café\n".encode()),
        ("scan.TIF", b"MM\x00*\x00\x00\x00\x08"),
        ("sheet.xlsx", b"PK\x03\x04rest"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("exactly-10mb.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)),
    ],
)
def test_uploads_accepted(at_results: tuple[PortalClient, str], name: str, content: bytes) -> None:
    client, reference = at_results
    page = upload(client, reference, name, content)
    assert page.statuses == [f"Uploaded {name}."]
    assert name in page.all("li")
    assert client.http.get("/_mock/authorizations").json()[0]["attachments"] == [name]


def test_upload_on_the_status_detail_page(at_results: tuple[PortalClient, str]) -> None:
    client, reference = at_results
    client.get(f"/prior-auth/status/{reference}")
    content = (FIXTURES / "attachments" / "clinical-notes.pdf").read_bytes()
    page = client.post(
        f"/prior-auth/status/{reference}/upload",
        {},
        files={"attachment": ("C:\\Users\\pat\\clinical-notes.pdf", content)},
    )
    assert page.h1 == "Authorization Detail"
    assert page.statuses == ["Uploaded clinical-notes.pdf."]
    assert client.http.get("/_mock/stats").json()["uploads"] == 1


# CSRF and sessions ------------------------------------------------------------------------------

POST_PATHS = [
    "/prior-auth/member-search",
    "{draft}/setting",
    "{draft}/details",
    "{draft}/clinical/72148",
    "{draft}/submit",
    "{draft}/cancel",
    "/prior-auth/results/{reference}/upload",
    "/prior-auth/status/{reference}/upload",
    "/prior-auth/status",
]


@pytest.fixture
def paths(user: PortalClient) -> list[str]:
    reference = user.request("64483").reference_id()
    user.prepare("72148", meet=None)
    return [p.format(draft=user.draft_base, reference=reference) for p in POST_PATHS]


@pytest.mark.parametrize("token", [None, "", "stale-token"])
def test_missing_or_stale_csrf_is_403(
    user: PortalClient, paths: list[str], token: str | None
) -> None:
    before = user.http.get("/_mock/authorizations").json()
    for path in paths:
        data = {} if token is None else {"csrf_token": token}
        page = user.post(path, data, csrf=False)
        assert page.status_code == 403, path
        assert page.h1 == "Form expired"
        assert page.alerts == [
            "Your form has expired. Please go back, reload the page and try again."
        ]
    assert user.http.get("/_mock/authorizations").json() == before


def test_token_of_a_previous_session_is_stale(user: PortalClient, paths: list[str]) -> None:
    old = user.get("/prior-auth").csrf
    user.get("/logout")
    user.login()
    page = user.post("/prior-auth/member-search", {"csrf_token": old, "caresource_id": "1"})
    assert page.status_code == 403 and page.h1 == "Form expired"


def test_posts_after_the_session_expired_go_to_login(
    user: PortalClient, paths: list[str], clock: Clock
) -> None:
    token = user.get("/prior-auth").csrf
    clock.advance(901)
    for path in paths:
        response = user.http.post(path, data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
        assert response.headers["location"].endswith("&expired=1")
    page = user.get(response.headers["location"])
    assert page.alerts == ["Your session has expired. Please log in again."]
