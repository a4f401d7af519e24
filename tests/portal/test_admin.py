"""The admin API under /_mock: the oracle of authorizations, stats, reset, decisions; never
slowed down or faulted."""

from __future__ import annotations

import pytest

from tests.portal.client import IN_NETWORK_NPI, MEMBER, PortalClient

STAT_KEYS = {
    "logins_ok",
    "logins_failed",
    "requests",
    "faults_injected",
    "submissions",
    "uploads",
    "sessions_expired",
    "rate_limited",
    "requests_peak_per_minute",
    "sessions_ended_elsewhere",
    "sessions_kept_alive",
}


def test_authorizations_oracle(user: PortalClient) -> None:
    assert user.http.get("/_mock/authorizations").json() == []
    reference = user.request("97110", 24).reference_id()
    (auth,) = user.http.get("/_mock/authorizations").json()
    assert auth["reference_id"] == reference and len(reference) == 9
    assert (
        auth["authorization_number"].startswith("EPS-") and len(auth["authorization_number"]) == 12
    )
    assert auth["member_id"] == MEMBER
    assert auth["provider_npi"] == IN_NETWORK_NPI
    assert auth["procedure_codes"] == ["97110"]
    assert auth["diagnosis_codes"] == ["M54.50"]
    assert auth["units"] == [24]
    assert auth["start_date"] == "2026-12-01" and auth["end_date"] == "2026-12-01"
    assert auth["status"] == "Partially Approved"
    assert auth["lines"] == [
        {
            "line_number": 1,
            "procedure": "97110",
            "from_date": "2026-12-01",
            "to_date": "2026-12-01",
            "requested_units": 24,
            "authorized_units": 20,
            "status": "Partially Approved",
            "reason_code": "BL01",
            "reason": auth["reason"],
        }
    ]
    assert auth["reason_code"] == "BL01" and auth["reason"].startswith("Exceeds benefit limit")
    assert auth["attachments"] == []
    assert auth["submitted_at"][:4].isdigit()
    assert auth["ui_variant"] == 1
    assert auth["type"] == "Beyond Benefit Limits"


def test_duplicate_requests_are_all_recorded(user: PortalClient) -> None:
    first = user.request("64483").reference_id()
    second = user.request("64483").reference_id()
    assert first != second
    auths = user.http.get("/_mock/authorizations").json()
    assert [a["reference_id"] for a in auths] == [first, second]
    assert auths[0]["authorization_number"] != auths[1]["authorization_number"]
    assert user.http.get("/_mock/stats").json()["submissions"] == 2


def test_stats(user: PortalClient) -> None:
    stats = user.http.get("/_mock/stats").json()
    assert set(stats) == STAT_KEYS
    assert stats["logins_ok"] == 1
    assert stats["requests"] == 3  # GET /login, POST /login, GET /


def test_reset_forgets_everything_but_the_numbers(user: PortalClient) -> None:
    reference = user.request("64483").reference_id()
    user.http.put(
        "/_mock/config", json={"latency_ms": 5, "step_faults": [{"step": "home", "fault": "503"}]}
    )
    for _ in range(5):
        user.http.post("/login", data={})  # lockout attempts do not even pass CSRF
    reset = user.http.post("/_mock/reset")
    assert reset.status_code == 200
    assert user.http.get("/_mock/authorizations").json() == []
    assert user.http.get("/_mock/config").json()["step_faults"] == []
    assert set(user.http.get("/_mock/stats").json().values()) == {0}
    assert user.http.get("/", follow_redirects=False).status_code == 303  # sessions are gone
    user.login()
    assert int(user.request("64483").reference_id()) > int(reference)


def test_reset_clears_lockouts(anon: PortalClient) -> None:
    for _ in range(5):
        anon.login(password="wrong")
    anon.http.post("/_mock/reset")
    assert anon.login().h1 == "Provider Portal"


@pytest.mark.parametrize("status", ["Approved", "Denied", "Pended", "Partially Approved"])
def test_decision(user: PortalClient, status: str) -> None:
    reference = user.request("64721", 4).reference_id()
    response = user.http.post(
        f"/_mock/authorizations/{reference}/decision", json={"status": status}
    )
    assert response.status_code == 200
    decided = response.json()
    assert decided["status"] == status
    assert [line["status"] for line in decided["lines"]] == [status]
    expected_units = {"Approved": 4, "Denied": 0, "Pended": None, "Partially Approved": 2}
    assert decided["lines"][0]["authorized_units"] == expected_units[status]
    assert user.http.get("/_mock/authorizations").json()[0]["status"] == status
    assert user.get(f"/prior-auth/results/{reference}").field_status() == status
    default_reason = {"Denied": "MN01", "Partially Approved": "MN02"}.get(status)
    assert decided["reason_code"] == decided["lines"][0]["reason_code"] == default_reason


def test_decision_with_a_reason(user: PortalClient) -> None:
    reference = user.request("64721", 4).reference_id()
    body = {"status": "Denied", "reason_code": "DI01"}
    decided = user.http.post(f"/_mock/authorizations/{reference}/decision", json=body).json()
    assert decided["reason_code"] == "DI01"
    assert decided["reason"].startswith("Documentation insufficient")
    page = user.get(f"/prior-auth/status/{reference}")
    assert "Reason Code : DI01" in page.text
    unknown = {"status": "Denied", "reason_code": "ZZ99"}
    refused = user.http.post(f"/_mock/authorizations/{reference}/decision", json=unknown)
    assert refused.status_code == 422 and "reason_code" in refused.text


def test_decision_refusals(user: PortalClient) -> None:
    assert (
        user.http.post(
            "/_mock/authorizations/000000000/decision", json={"status": "Approved"}
        ).status_code
        == 404
    )
    reference = user.request("64721").reference_id()
    for body in ({"status": "Maybe"}, {}, {"status": "Approved", "extra": 1}):
        assert (
            user.http.post(f"/_mock/authorizations/{reference}/decision", json=body).status_code
            == 422
        )


def test_admin_api_is_never_faulted(user: PortalClient) -> None:
    user.http.put(
        "/_mock/config", json={"maintenance": True, "error_rate": 1.0, "latency_ms": 2000}
    )
    for _ in range(3):
        response = user.http.get("/_mock/stats")
        assert response.status_code == 200
    assert user.http.get("/_mock/authorizations").status_code == 200
    assert user.http.post("/_mock/reset").status_code == 200
