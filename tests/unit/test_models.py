"""AuthRequest's validation: one message per field, the queue key, the portal's status words."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.intake import format_errors
from bot.models import AuthRequest, PortalStatus, npi_is_valid

VALID_NPI = "1234567893"


def request_data(**overrides: Any) -> dict[str, Any]:
    """A valid request as a practice would file it; keyword overrides replace fields."""
    data: dict[str, Any] = {
        "id": "REQ-TEST-01",
        "member": {"caresource_id": "100200300"},
        "provider_npi": VALID_NPI,
        "category": "Advanced Imaging",
        "start_date": "2026-12-01",
        "end_date": "2026-12-31",
        "treatment_type": "Diagnostic",
        "place_of_service": "11",
        "diagnosis_codes": ["M54.50"],
        "procedures": [{"code": "72148", "units": 1}],
        "contact": {"name": "Pat Front-Desk", "phone": "6145550100", "fax": "6145550101"},
    }
    data.update(overrides)
    return data


def errors_of(data: dict[str, Any], base_dir: Path | None = None) -> dict[str, str]:
    """``{field path: message}`` of an invalid request."""
    context = {"base_dir": base_dir} if base_dir else None
    with pytest.raises(ValidationError) as caught:
        AuthRequest.model_validate(data, context=context)
    return dict(message.split(": ", 1) for message in format_errors(caught.value))


def test_a_valid_request_is_accepted_with_defaults() -> None:
    request = AuthRequest.model_validate(request_data())
    assert request.care_setting == "Outpatient"
    assert request.urgency == "standard"
    assert request.clinical.answers == {}
    assert request.attachments == []


# --- provider ---------------------------------------------------------------------------------


@pytest.mark.parametrize("npi", ["1234567893", "1003000126", "1245319599"])
def test_npi_with_a_valid_check_digit_is_accepted(npi: str) -> None:
    assert npi_is_valid(npi)
    assert AuthRequest.model_validate(request_data(provider_npi=npi)).provider_npi == npi


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij", ""])
def test_npi_with_a_bad_check_digit_or_shape_is_refused(npi: str) -> None:
    assert errors_of(request_data(provider_npi=npi)) == {
        "provider_npi": "must be a 10-digit NPI with a valid check digit"
    }


# --- diagnosis codes --------------------------------------------------------------------------


def test_icd10_codes_are_normalised_to_dotted_upper_case() -> None:
    request = AuthRequest.model_validate(request_data(diagnosis_codes=["m5450", " S83.511a "]))
    assert request.diagnosis_codes == ["M54.50", "S83.511A"]


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["Z99.999"], "not billable ICD-10-CM codes: Z99.999"),
        (["M54"], "not billable ICD-10-CM codes: M54"),  # a category, not a billable leaf
        (["M54.50", "M54.5"], "not billable ICD-10-CM codes: M54.5"),
        (["M54.50", "m5450"], "a diagnosis code is listed twice"),
    ],
)
def test_unknown_or_unbillable_icd10_codes_are_refused(codes: list[str], message: str) -> None:
    assert errors_of(request_data(diagnosis_codes=codes)) == {"diagnosis_codes": message}


def test_at_least_one_diagnosis_code_is_required() -> None:
    assert "diagnosis_codes" in errors_of(request_data(diagnosis_codes=[]))


# --- procedure codes and units ----------------------------------------------------------------


@pytest.mark.parametrize(("code", "normal"), [("72148", "72148"), ("e0114", "E0114")])
def test_cpt_and_hcpcs_codes_are_accepted(code: str, normal: str) -> None:
    request = AuthRequest.model_validate(request_data(procedures=[{"code": code}]))
    assert request.procedures[0].code == normal
    assert request.procedures[0].units == 1


@pytest.mark.parametrize("code", ["7214", "721480", "ABCDE", "E014", "72-48"])
def test_procedure_codes_of_the_wrong_shape_are_refused(code: str) -> None:
    message = "must be a CPT code (5 digits) or a HCPCS code (a letter and 4 digits)"
    assert errors_of(request_data(procedures=[{"code": code}])) == {"procedures[0].code": message}


@pytest.mark.parametrize(
    ("units", "message"),
    [
        (0, "Input should be greater than or equal to 1"),
        (-3, "Input should be greater than or equal to 1"),
        (1000, "Input should be less than or equal to 999"),
    ],
)
def test_units_must_be_between_1_and_999(units: int, message: str) -> None:
    data = request_data(procedures=[{"code": "72148"}, {"code": "97110", "units": units}])
    assert errors_of(data) == {"procedures[1].units": message}


def test_a_procedure_code_listed_twice_is_refused() -> None:
    data = request_data(procedures=[{"code": "72148"}, {"code": "72148", "units": 2}])
    assert errors_of(data) == {"procedures": "a procedure code is listed twice"}


# --- dates ------------------------------------------------------------------------------------


def test_end_date_before_start_date_is_refused() -> None:
    data = request_data(start_date="2026-12-10", end_date="2026-12-09")
    assert errors_of(data) == {"request": "end_date cannot be before start_date"}


def test_a_one_day_request_is_accepted() -> None:
    data = request_data(start_date="2026-12-10", end_date="2026-12-10")
    assert AuthRequest.model_validate(data).end_date.day == 10


def test_a_date_that_does_not_exist_is_refused() -> None:
    assert "start_date" in errors_of(request_data(start_date="2026-02-30"))


# --- attachments ------------------------------------------------------------------------------


CONTENT = {
    "notes.pdf": b"%PDF-1.7 ...",
    "notes.DOCX": b"PK\x03\x04 ...",
    "scan.tif": b"II*\x00 ...",
    "labs.xlsx": b"PK\x03\x04 ...",
    "old.doc": b"\xd0\xcf\x11\xe0 ...",
    "a.txt": b"plain text",
}


@pytest.mark.parametrize("name", sorted(CONTENT))
def test_attachments_of_accepted_types_resolve_against_the_base_dir(
    tmp_path: Path, name: str
) -> None:
    (tmp_path / name).write_bytes(CONTENT[name])
    request = AuthRequest.model_validate(
        request_data(attachments=[name]), context={"base_dir": tmp_path}
    )
    assert request.attachments == [(tmp_path / name).resolve()]


@pytest.mark.parametrize("name", ["notes.pdf", "scan.tif", "labs.xlsx", "a.txt"])
def test_an_attachment_whose_content_is_not_its_type_is_refused(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"\x00\x01random bytes")

    assert errors_of(request_data(attachments=[name]), tmp_path) == {
        "attachments": f"{name}: its content is not a {Path(name).suffix} file"
    }


def test_an_attachment_over_the_portals_10_mb_is_refused(tmp_path: Path) -> None:
    with (tmp_path / "scan.pdf").open("wb") as file:
        file.write(b"%PDF-1.7 ")
        file.truncate(10 * 1024 * 1024 + 1)
    (tmp_path / "fits.pdf").write_bytes(b"%PDF-1.7 ")
    with (tmp_path / "fits.pdf").open("r+b") as file:
        file.truncate(10 * 1024 * 1024)

    assert errors_of(request_data(attachments=["scan.pdf"]), tmp_path) == {
        "attachments": "scan.pdf: larger than the portal's 10 MB for one file"
    }
    AuthRequest.model_validate(
        request_data(attachments=["fits.pdf"]), context={"base_dir": tmp_path}
    )


@pytest.mark.parametrize(
    "content",
    [b"plain text, then \xff\xfe bytes that are no UTF-8", b"a bell \x07 in the text", b""],
)
def test_a_text_file_must_be_text_all_through(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "notes.txt").write_bytes(content)

    assert errors_of(request_data(attachments=["notes.txt"]), tmp_path) == {
        "attachments": "notes.txt: its content is not a .txt file"
    }


def test_a_text_file_with_line_breaks_tabs_and_accents_is_text(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Visit 1:\tpain 6/10\r\nRéévaluation\f\n")

    AuthRequest.model_validate(
        request_data(attachments=["notes.txt"]), context={"base_dir": tmp_path}
    )


def test_a_symlink_is_followed_and_its_target_checked(tmp_path: Path) -> None:
    (tmp_path / "tool.exe").write_bytes(b"MZ")
    (tmp_path / "notes.pdf").symlink_to(tmp_path / "tool.exe")
    (tmp_path / "real.pdf").write_bytes(CONTENT["notes.pdf"])
    (tmp_path / "link.pdf").symlink_to(tmp_path / "real.pdf")

    assert errors_of(request_data(attachments=["notes.pdf"]), tmp_path) == {
        "attachments": "notes.pdf: type not accepted (Word, Excel, PDF, text, TIFF)"
    }
    request = AuthRequest.model_validate(
        request_data(attachments=["link.pdf"]), context={"base_dir": tmp_path}
    )
    assert request.attachments == [(tmp_path / "real.pdf").resolve()]


def test_a_folder_or_a_file_of_the_bots_own_is_refused(tmp_path: Path) -> None:
    (tmp_path / "folder.pdf").mkdir()
    state = tmp_path / "artifacts" / ".state"
    state.mkdir(parents=True)
    (state / "login.pdf").write_bytes(CONTENT["notes.pdf"])
    context = {"base_dir": tmp_path, "private_dirs": [tmp_path / "artifacts"]}

    with pytest.raises(ValidationError, match="not a regular file"):
        AuthRequest.model_validate(request_data(attachments=["folder.pdf"]), context=context)
    with pytest.raises(ValidationError, match="a file of pa-bot's own artifacts"):
        AuthRequest.model_validate(
            request_data(attachments=["artifacts/.state/login.pdf"]), context=context
        )


@pytest.mark.parametrize("bad", [".", "..", ".hidden", "./x"])
def test_a_request_id_that_would_name_no_folder_of_its_own_is_refused(bad: str) -> None:
    assert "id" in errors_of(request_data(id=bad))


def test_an_attachment_of_another_type_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tool.exe").write_bytes(b"x")
    assert errors_of(request_data(attachments=["tool.exe"]), tmp_path) == {
        "attachments": "tool.exe: type not accepted (Word, Excel, PDF, text, TIFF)"
    }


def test_a_missing_attachment_is_refused(tmp_path: Path) -> None:
    assert errors_of(request_data(attachments=["missing.pdf"]), tmp_path) == {
        "attachments": "missing.pdf: file not found (or not a regular file)"
    }


# --- member identification --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        ({"caresource_id": "100200300"}, "caresource_id"),
        ({"medicaid_id": "123456789012"}, "medicaid_id"),
        ({"first_name": "Ann", "last_name": "Lee", "dob": "1980-01-31"}, "member_info"),
    ],
)
def test_a_member_is_found_by_one_of_three_ways(member: dict[str, str], kind: str) -> None:
    assert AuthRequest.model_validate(request_data(member=member)).member.search_kind == kind


@pytest.mark.parametrize(
    "member",
    [{}, {"first_name": "Ann", "last_name": "Lee"}, {"last_name": "Lee", "dob": "1980-01-31"}],
)
def test_a_member_without_a_complete_way_to_find_them_is_refused(member: dict[str, str]) -> None:
    assert errors_of(request_data(member=member)) == {
        "member": "give caresource_id, or medicaid_id, or first_name, last_name and dob together"
    }


@pytest.mark.parametrize(
    ("member", "path"),
    [
        ({"caresource_id": "12345678"}, "member.caresource_id"),
        ({"medicaid_id": "12345"}, "member.medicaid_id"),
        ({"first_name": "Ann", "last_name": "Lee", "dob": "31/01/1980"}, "member.dob"),
        ({"caresource_id": "100200300", "ssn": "x"}, "member.ssn"),
    ],
)
def test_member_fields_are_checked_one_by_one(member: dict[str, str], path: str) -> None:
    assert list(errors_of(request_data(member=member))) == [path]


# --- contact ----------------------------------------------------------------------------------


def test_contact_phone_and_fax_keep_their_ten_digits() -> None:
    contact = {"name": "Pat", "phone": "(614) 555-0100", "fax": "614.555.0101", "extension": "12"}
    request = AuthRequest.model_validate(request_data(contact=contact))
    assert (request.contact.phone, request.contact.fax) == ("6145550100", "6145550101")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "555-0100", "must be a 10-digit number"),
        ("fax", "1-614-555-0101", "must be a 10-digit number"),
        ("email", "pat.example.com", "must be an email address"),
        ("extension", "ext 12", "String should match pattern '^\\d{1,6}$'"),
        ("name", "", "String should have at least 1 character"),
    ],
)
def test_contact_fields_are_checked(field: str, value: str, message: str) -> None:
    contact = {"name": "Pat", "phone": "6145550100", "fax": "6145550101", field: value}
    assert errors_of(request_data(contact=contact)) == {f"contact.{field}": message}


# --- all at once ------------------------------------------------------------------------------


def test_every_field_error_is_reported_at_once() -> None:
    data = request_data(
        provider_npi="1234567890",
        category="Massage",
        diagnosis_codes=["Z99.999"],
        procedures=[{"code": "7214", "units": 0}],
        contact={"name": "Pat", "phone": "123", "fax": "6145550101", "email": "x"},
        urgency="now",
    )
    assert set(errors_of(data)) == {
        "provider_npi",
        "category",
        "diagnosis_codes",
        "procedures[0].code",
        "procedures[0].units",
        "contact.phone",
        "contact.email",
        "urgency",
    }


def test_unknown_fields_are_refused() -> None:
    assert errors_of(request_data(priority="high")) == {
        "priority": "Extra inputs are not permitted"
    }


# --- key --------------------------------------------------------------------------------------


def test_the_key_is_the_request_id_when_given() -> None:
    assert AuthRequest.model_validate(request_data()).key == "REQ-TEST-01"


def test_the_key_without_an_id_is_a_stable_digest_independent_of_code_order() -> None:
    lines = [{"code": "97110", "units": 12}, {"code": "97140", "units": 4}]
    first = AuthRequest.model_validate(request_data(id=None, procedures=lines))
    second = AuthRequest.model_validate(request_data(id=None, procedures=lines[::-1]))
    assert first.key == second.key
    assert first.key.startswith("req-") and len(first.key) == 20
    other_member = request_data(id=None, procedures=lines, member={"caresource_id": "100200301"})
    assert AuthRequest.model_validate(other_member).key != first.key
    later = request_data(id=None, procedures=lines, start_date="2026-12-02")
    assert AuthRequest.model_validate(later).key != first.key


def test_the_digest_key_does_not_show_the_member() -> None:
    member = {"first_name": "Ann", "last_name": "Lee", "dob": "1980-01-31"}
    key = AuthRequest.model_validate(request_data(id=None, member=member)).key
    assert "Lee" not in key and "1980" not in key


# --- portal status ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Approved", PortalStatus.APPROVED),
        ("Pended", PortalStatus.PENDED),
        ("Denied", PortalStatus.DENIED),
        ("NoDecisionYet", PortalStatus.NO_DECISION_YET),
        ("Partially Approved", PortalStatus.PARTIALLY_APPROVED),
        ("  Approved ", PortalStatus.APPROVED),
    ],
)
def test_portal_status_words(word: str, status: PortalStatus) -> None:
    assert PortalStatus.from_portal(word) is status


def test_an_unknown_portal_status_word_is_an_error() -> None:
    with pytest.raises(ValueError):
        PortalStatus.from_portal("Cancelled")


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ((date.today() + timedelta(days=1)).isoformat(), "a date of birth cannot be in the future"),
        ("2031-05-01", "a date of birth cannot be in the future"),
        ("1899-12-31", "a date of birth cannot be before 1900"),
    ],
)
def test_a_date_of_birth_in_the_future_or_before_1900_is_refused(dob: str, message: str) -> None:
    member = {"first_name": "Ada", "last_name": "Lovelace", "dob": dob}

    assert errors_of(request_data(member=member)) == {"member.dob": message}


def test_a_date_of_birth_today_or_in_1900_is_accepted() -> None:
    for dob in (date.today().isoformat(), "1900-01-01"):
        member = {"first_name": "Ada", "last_name": "Lovelace", "dob": dob}
        assert AuthRequest.model_validate(request_data(member=member)).member.dob is not None
