"""The mock's Member Eligibility screen over HTTP: linked from the left navigation; by each of
the three ways, eligible or not on the date with the coverage span, a gap, another payer
primary, not found; its fields validated like the member search's; in both UI variants."""

from __future__ import annotations

import pytest

from tests.portal.client import PortalClient


def check(user: PortalClient, dos: str, kind: str = "caresource", **fields: str) -> str:
    form = user.get("/member-eligibility")
    data = {"search_by": kind, "dos": dos, "csrf_token": form.csrf, **fields}
    return " ".join(user.post("/member-eligibility", data).text.split())


@pytest.mark.parametrize("variant", [1, 2])
def test_an_eligible_member_by_each_way(user: PortalClient, variant: int) -> None:
    user.http.put("/_mock/config", json={"ui_variant": variant}).raise_for_status()
    home = user.get("/")
    assert "/member-eligibility" in home.html
    for kind, fields in (
        ("caresource", {"caresource_id": "105634024"}),
        ("medicaid", {"medicaid_id": "310012345601"}),
        ("info", {"first_name": "dino", "last_name": "SAUR", "dob": "08/10/1982"}),
    ):
        said = check(user, "12/01/2026", kind, **fields)
        assert "Eligibility Results" in said and "Saur, Dino" in said
        assert "Eligibility : Eligible" in said and "Plan : Medicaid" in said
        assert "Coverage Start : 01/01/2025" in said and "Coverage End : Open" in said
        assert "Coordination of Benefits" not in said


def test_not_eligible_after_coverage_ended_and_in_a_gap(user: PortalClient) -> None:
    ended = check(user, "07/01/2026", caresource_id="105634123")
    assert "Eligibility : Not Eligible" in ended
    assert "Coverage Start : 01/01/2024" in ended and "Coverage End : 06/30/2026" in ended
    gap = check(user, "04/15/2026", caresource_id="105634147")
    assert "Eligibility : Not Eligible" in gap and "Coverage End : 03/31/2026" in gap
    after_gap = check(user, "05/01/2026", caresource_id="105634147")
    assert "Eligibility : Eligible" in after_gap and "Coverage Start : 05/01/2026" in after_gap
    future = check(user, "12/31/2026", caresource_id="105634130")
    assert "Not Eligible" in future and "Coverage Start : 01/01/2027" in future


def test_another_payer_primary_and_the_plan(user: PortalClient) -> None:
    said = check(user, "12/01/2026", caresource_id="105634161")
    assert "Eligibility : Eligible" in said
    assert (
        "Coordination of Benefits : Ohio Bureau of Workers' Compensation is the primary payer"
        in said
    )
    assert "Plan : Medicare Advantage" in check(user, "12/01/2026", caresource_id="105634178")


def test_not_found_and_validation(user: PortalClient) -> None:
    assert "Member not found." in check(user, "12/01/2026", caresource_id="999999999")
    assert "Date of Service is required." in check(user, "", caresource_id="105634024")
    assert "Enter a date as MM/DD/YYYY." in check(user, "13/45/2026", caresource_id="105634024")
    assert "CareSource ID is required." in check(user, "12/01/2026")
    missing = check(user, "12/01/2026", "info", first_name="Dino")
    assert "Last Name is required." in missing and "Date of Birth is required." in missing


def test_a_503_on_the_screen(user: PortalClient) -> None:
    fault = {"step_faults": [{"step": "eligibility", "fault": "503", "times": 1}]}
    user.http.put("/_mock/config", json=fault).raise_for_status()
    assert user.get("/member-eligibility").status_code == 503
    assert user.get("/member-eligibility").status_code == 200
