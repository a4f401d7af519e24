"""Every rule kind end to end (disclaimer, Type, line and overall status), plus the scoring and
aggregation rules on their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_portal.catalog import Criterion, Question
from mock_portal.rules import (
    CRITERIA_MET,
    CRITERIA_NOT_MET,
    DIRECTOR_REVIEW,
    NOT_REQUIRED,
    REVIEW_REQUIRED,
    Status,
    aggregate,
    beyond_limits,
    criteria_met,
)
from tests.portal.client import DOS, PortalClient, category_code

CASES = [
    # code, units, meet, disclaimer, type, line status, authorized units, reason code
    ("72148", 1, True, CRITERIA_MET, "Standard", "Approved", "1", ""),
    ("72148", 1, False, CRITERIA_NOT_MET, "Standard", "Pended", "", ""),
    ("E0730", 2, True, CRITERIA_MET, "Standard", "Approved", "2", ""),
    ("80324", 1, False, CRITERIA_NOT_MET, "Standard", "Pended", "", ""),
    ("64483", 1, True, DIRECTOR_REVIEW, "Standard", "Pended", "", ""),
    ("29848", 1, True, DIRECTOR_REVIEW, "Standard", "Pended", "", ""),
    ("E0720", 1, True, CRITERIA_NOT_MET, "Standard", "Denied", "0", "NC01"),
    ("M0076", 3, True, CRITERIA_NOT_MET, "Standard", "Denied", "0", "NC01"),
    ("97110", 20, True, CRITERIA_MET, "Standard", "Approved", "20", ""),
    (
        "97110",
        24,
        True,
        beyond_limits(20),
        "Beyond Benefit Limits",
        "Partially Approved",
        "20",
        "BL01",
    ),
    (
        "98940",
        13,
        True,
        beyond_limits(12),
        "Beyond Benefit Limits",
        "Partially Approved",
        "12",
        "BL01",
    ),
    ("64721", 1, True, DIRECTOR_REVIEW, "Standard", "NoDecisionYet", "", ""),
    ("97161", 1, True, NOT_REQUIRED, "Standard", "Approved", "1", ""),
]
REASONS = {
    r["code"]: r["text"]
    for r in json.loads(
        (Path(__file__).parents[2] / "fixtures/codes/decision_reasons.json").read_text()
    )
}


@pytest.mark.parametrize(
    ("code", "units", "meet", "disclaimer", "kind", "status", "authorized", "reason"),
    CASES,
    ids=[f"{c[0]}x{c[1]}{'' if c[2] else '-not-met'}" for c in CASES],
)
def test_rule(
    user: PortalClient,
    code: str,
    units: int,
    meet: bool,
    disclaimer: str,
    kind: str,
    status: str,
    authorized: str,
    reason: str,
) -> None:
    summary = user.prepare(code, units, meet=meet)
    assert disclaimer in summary.text
    assert f"Type : {kind}" in summary.text
    assert "REVIEW REQUIRED" not in summary.text
    results = user.submit()
    assert results.field_status() == status
    text = REASONS[reason] if reason else ""
    row = ["1", code, DOS, DOS, str(units), authorized, status, reason, text]
    assert results.all("td") == row
    (recorded,) = user.http.get("/_mock/authorizations").json()
    assert recorded["status"] == status
    assert (recorded["reason_code"] or "", recorded["reason"] or "") == (reason, text)
    assert (f"Reason Code : {reason}" in results.text) == bool(reason)
    assert recorded["procedure_codes"] == [code] and recorded["units"] == [units]
    assert recorded["type"] == kind


def test_clinical_codes_ask_for_document_clinical_first(user: PortalClient) -> None:
    summary = user.prepare("20610", meet=None)
    assert REVIEW_REQUIRED in summary.text
    assert "Select “Document Clinical” to continue" in summary.text


def test_review_codes_have_no_document_clinical(user: PortalClient) -> None:
    summary = user.prepare("64483", meet=None)
    assert "Document Clinical" not in summary.html.replace("Select “Document Clinical”", "")


def test_several_lines_add_up(user: PortalClient) -> None:
    user.search()
    user.choose(category_code("97110"))
    summary = user.details([("97110", 24), ("97140", 5), ("97161", 1)])
    assert "Type : Beyond Benefit Limits" in summary.text
    results = user.submit()
    assert results.field_status() == "Partially Approved"
    statuses = results.all("td")[6::9]
    assert statuses == ["Partially Approved", "Approved", "Approved"]


def test_a_pended_line_pends_the_request(user: PortalClient) -> None:
    user.search()
    user.choose(category_code("64483"))
    user.details([("20610", 1), ("64483", 1)])
    user.clinical("20610", {"q_oral_medications_failed": "Yes", "q_therapy_tried": "Yes"})
    results = user.submit()
    assert results.field_status() == "Pended"
    assert results.all("td")[6::9] == ["Approved", "Pended"]


def test_a_decision_arrives_later(user: PortalClient) -> None:
    reference = user.request("64721").reference_id()
    response = user.http.post(
        f"/_mock/authorizations/{reference}/decision",
        json={"status": "Approved", "note": "Reviewed by Dr. Example"},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "Approved"
    assert response.json()["lines"][0]["authorized_units"] == 1
    detail = user.get(f"/prior-auth/status/{reference}")
    assert detail.field_status() == "Approved"
    assert "Reviewed by Dr. Example" in detail.text


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["Approved"], "Approved"),
        (["Approved", "Approved"], "Approved"),
        (["Denied", "Denied"], "Denied"),
        (["Approved", "Pended"], "Pended"),
        (["NoDecisionYet", "Pended"], "Pended"),
        (["Approved", "NoDecisionYet"], "NoDecisionYet"),
        (["Approved", "Denied"], "Partially Approved"),
        (["Partially Approved"], "Partially Approved"),
        (["Denied", "Partially Approved"], "Partially Approved"),
        ([], "NoDecisionYet"),
    ],
)
def test_aggregate(statuses: list[Status], expected: Status) -> None:
    assert aggregate(statuses) == expected


def yes(key: str, group: str | None = None) -> Question:
    return Question(
        key=key, text=key, type="yes_no", criterion=Criterion(equals="Yes"), any_of=group
    )


def test_criteria_all_and_any_of() -> None:
    count = Question(key="n", text="n", type="number", criterion=Criterion(min=2))
    questions = [yes("a"), count, yes("b", "g"), yes("c", "g")]
    assert criteria_met(questions, {"a": "Yes", "n": "2", "b": "No", "c": "Yes"})
    assert not criteria_met(questions, {"a": "Yes", "n": "2", "b": "No", "c": "No"})
    assert not criteria_met(questions, {"a": "No", "n": "9", "b": "Yes", "c": "Yes"})
    assert not criteria_met(questions, {"a": "Yes", "n": "1", "b": "Yes", "c": "Yes"})
    assert not criteria_met(questions, {"a": "Yes", "n": "x", "b": "Yes", "c": "Yes"})
