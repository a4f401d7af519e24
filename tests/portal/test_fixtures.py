"""The fixture files are real: ICD-10-CM codes, NPIs with valid check digits, members covered
as docs/FIXTURES.md says, a rule for every procedure code and a questionnaire per category."""

from __future__ import annotations

import re
from datetime import date

import pytest
import simple_icd_10_cm as icd
from stdnum import luhn

from mock_portal.rules import CATEGORIES
from mock_portal.validation import BAD_CONTENT, check_upload
from tests.portal.client import FIXTURES, UNKNOWN_NPI, fixture

RULE_KINDS = {"not_required", "clinical", "review", "not_covered", "limit", "decision_later"}


def covered(member: dict[str, object], day: date) -> bool:
    spans = member["eligibility"]
    assert isinstance(spans, list)
    for span in spans:
        end = date.fromisoformat(span["end"]) if span["end"] else date.max
        if date.fromisoformat(span["start"]) <= day <= end:
            return True
    return False


@pytest.mark.parametrize("entry", fixture("codes/icd10.json"), ids=lambda e: e["code"])
def test_icd10_codes_are_billable_and_described_as_the_code_set_does(entry: dict[str, str]) -> None:
    assert icd.is_valid_item(entry["code"])
    assert icd.is_leaf(entry["code"])
    assert entry["description"] == icd.get_description(entry["code"])


def test_icd10_table_size_and_the_codes_tests_rely_on() -> None:
    codes = [e["code"] for e in fixture("codes/icd10.json")]
    assert len(codes) >= 40 and len(set(codes)) == len(codes)
    assert codes[0] == "M54.50"
    for code in (
        "M54.16",
        "G56.01",
        "G56.02",
        "S46.011A",
        "S83.511A",
        "S39.012A",
        "M65.4",
        "M77.11",
        "H83.3X3",
        "L24.9",
        "Z02.83",
        "T56.0X1A",
    ):
        assert code in codes


def test_providers_have_valid_npis_and_digit_provider_numbers() -> None:
    providers = fixture("providers.json")
    assert len(providers) >= 8
    for p in providers:
        assert re.fullmatch(r"\d{10}", p["npi"])
        assert luhn.is_valid("80840" + p["npi"])
        assert re.fullmatch(r"\d{8}", p["provider_number"])
    assert len({p["npi"] for p in providers}) == len(providers)
    assert providers[0]["in_network"]
    assert 1 <= sum(not p["in_network"] for p in providers) <= 2


def test_the_unknown_npi_is_valid_and_absent() -> None:
    assert "198765432" + luhn.calc_check_digit("80840198765432") == UNKNOWN_NPI
    assert luhn.is_valid("80840" + UNKNOWN_NPI)
    assert UNKNOWN_NPI not in {p["npi"] for p in fixture("providers.json")}


def test_members_and_their_coverage() -> None:
    members = fixture("members.json")
    assert len(members) >= 14
    for m in members:
        assert re.fullmatch(r"\d{9}", m["caresource_id"])
        assert re.fullmatch(r"\d{12}", m["medicaid_id"])
        assert m["gender"] in ("Male", "Female")
        date.fromisoformat(m["dob"])
    assert len({m["caresource_id"] for m in members}) == len(members)
    assert len({(m["first_name"], m["last_name"]) for m in members}) == len(members)
    always = [
        m
        for m in members
        if all(covered(m, date(y, mo, 1)) for y in (2026, 2027) for mo in range(1, 13))
    ]
    assert len(always) >= len(members) - 4
    assert covered(members[0], date(2026, 12, 1))
    ended = next(m for m in members if m["caresource_id"] == "105634123")
    assert covered(ended, date(2026, 6, 30)) and not covered(ended, date(2026, 7, 1))
    future = next(m for m in members if m["caresource_id"] == "105634130")
    assert not covered(future, date(2026, 12, 31)) and covered(future, date(2027, 1, 1))


def test_procedures_have_a_category_and_a_rule() -> None:
    procedures = fixture("codes/procedures.json")
    assert len(procedures) >= 22
    assert len({p["code"] for p in procedures}) == len(procedures)
    for p in procedures:
        assert p["category"] in CATEGORIES
        assert p["rule"]["kind"] in RULE_KINDS
        assert (p["rule"]["kind"] == "limit") == ("max_units" in p["rule"])
        # the bot's intake accepts CPT (5 digits) and HCPCS level II (letter + 4 digits)
        assert re.fullmatch(r"\d{5}|[A-Z]\d{4}", p["code"])
    assert {p["rule"]["kind"] for p in procedures} == RULE_KINDS
    first_clinical = next(p for p in procedures if p["rule"]["kind"] == "clinical")
    assert first_clinical["code"] == "72148"


def test_questionnaires_cover_every_category() -> None:
    questionnaires = fixture("questionnaires.json")
    assert set(questionnaires) == set(CATEGORIES)
    for questions in questionnaires.values():
        assert questions
        assert len({q["key"] for q in questions}) == len(questions)
        assert len({q["text"] for q in questions}) == len(questions)
        for q in questions:
            assert q["type"] in ("yes_no", "number")
            assert ("equals" in q["criterion"]) == (q["type"] == "yes_no")
            assert ("min" in q["criterion"]) == (q["type"] == "number")


@pytest.mark.parametrize(
    "name",
    ["clinical-notes.pdf", "progress-note.txt", "medical-necessity.docx", "xray-report.tiff"],
)
def test_attachment_fixtures_are_accepted(name: str) -> None:
    assert check_upload(name, (FIXTURES / "attachments" / name).read_bytes()) is None


def test_fake_pdf_is_refused_by_content() -> None:
    content = (FIXTURES / "attachments" / "fake.pdf").read_bytes()
    assert check_upload("fake.pdf", content) == BAD_CONTENT
