"""The injected trouble: latency (seen in Server-Timing), a reproducible error rate,
maintenance, failures after submit, idle session expiry and one-shot step faults."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.portal.client import DOS, PortalClient, answers
from tests.portal.conftest import Clock, MakeClient

UNAVAILABLE = "Service Temporarily Unavailable"


def timing(response: Any) -> float:
    found = re.fullmatch(r"app;dur=([\d.]+)", response.headers["server-timing"])
    assert found, response.headers["server-timing"]
    return float(found.group(1))


def configure(client: PortalClient, **knobs: Any) -> dict[str, Any]:
    response = client.http.put("/_mock/config", json=knobs)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_every_response_carries_server_timing(user: PortalClient) -> None:
    for path in (
        "/",
        "/prior-auth",
        "/static/portal.css",
        "/_mock/stats",
        "/api/icd10/M54.50",
        "/nope",
    ):
        assert timing(user.http.get(path)) >= 0


def test_latency_is_in_server_timing(user: PortalClient) -> None:
    configure(user, latency_ms=150)
    durations = [timing(user.http.get("/prior-auth")) for _ in range(3)]
    # The injected latency is a floor; a loaded machine may add any amount above it.
    assert all(d >= 150 * 0.8 for d in durations), durations
    assert timing(user.http.get("/_mock/stats")) < 100  # the admin API is never slowed


def test_latency_from_the_environment(make_client: MakeClient) -> None:
    client = make_client(latency_ms=100)
    assert timing(client.http.get("/login")) >= 80


def outcomes(client: PortalClient, count: int) -> list[int]:
    return [client.http.get("/login").status_code for _ in range(count)]


def test_error_rate_is_reproducible_with_a_seed(anon: PortalClient) -> None:
    configure(anon, error_rate=0.5, seed=1234)
    first = outcomes(anon, 30)
    assert set(first) == {200, 503}
    configure(anon, seed=1234)
    assert outcomes(anon, 30) == first
    configure(anon, seed=99)
    assert outcomes(anon, 30) != first
    anon.http.post("/_mock/reset")
    assert outcomes(anon, 5) == [200] * 5  # reset goes back to the environment's knobs


def test_error_rate_from_the_environment_with_seed(make_client: MakeClient) -> None:
    one = outcomes(make_client(error_rate=0.3, seed=7), 25)
    two = outcomes(make_client(error_rate=0.3, seed=7), 25)
    assert one == two and 503 in one


def test_injected_503_page(anon: PortalClient) -> None:
    configure(anon, error_rate=1.0)
    page = anon.get("/login")
    assert page.status_code == 503
    assert page.h1 == UNAVAILABLE
    assert "The server is temporarily unable to service your request." in page.text
    assert anon.http.get("/api/providers?q=123").status_code == 503
    stats = anon.http.get("/_mock/stats").json()
    assert stats["faults_injected"] == 2 and stats["requests"] == 2


def test_maintenance(user: PortalClient) -> None:
    configure(user, maintenance=True)
    for path in ("/", "/login", "/prior-auth", "/api/icd10/M54.50", "/no/such/page"):
        page = user.get(path)
        assert page.status_code == 503, path
        assert page.h1 == "Scheduled Maintenance"
        assert "The CareSource Provider Portal is undergoing scheduled maintenance." in page.text
    assert user.http.post("/prior-auth/status").status_code == 503
    assert user.http.get("/static/portal.css").status_code == 200
    assert user.http.get("/_mock/config").json()["maintenance"] is True
    configure(user, maintenance=False)
    assert user.get("/").h1 == "Provider Portal"


def test_maintenance_from_the_environment(make_client: MakeClient) -> None:
    assert make_client(maintenance=True).get("/login").h1 == "Scheduled Maintenance"


def test_fail_after_submit_records_then_answers_500(user: PortalClient) -> None:
    configure(user, fail_after_submit_rate=1.0)
    user.prepare("64483")
    page = user.post(f"{user.draft_base}/submit", {})
    assert page.status_code == 500
    assert page.h1 == "Internal Server Error"
    (recorded,) = user.http.get("/_mock/authorizations").json()
    assert recorded["status"] == "Pended"
    status = user.post(
        "/prior-auth/status",
        {
            "csrf_token": user.get("/prior-auth/status").csrf,
            "search_by": "member",
            "caresource_id": recorded["member_id"],
            "from_date": DOS,
            "to_date": DOS,
        },
    )
    assert status.all("td")[0] == recorded["reference_id"]
    assert user.http.get("/_mock/stats").json()["faults_injected"] == 1


def test_session_expires_when_idle_and_next_comes_back_to_the_draft(
    user: PortalClient, clock: Clock
) -> None:
    configure(user, session_timeout_s=60)
    user.search()
    user.choose()
    details = f"{user.draft_base}/details"
    user.post(details, {"dx": [], "proc": [], "dx_entry": "M54.16", "add_dx": "1"})
    clock.advance(59)
    assert user.get(details).path == details  # activity keeps it alive
    clock.advance(61)
    response = user.http.get(details, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={details.replace('/', '%2F')}&expired=1"
    login = user.get(response.headers["location"])
    assert login.alerts == ["Your session has expired. Please log in again."]
    back = user.post(
        "/login",
        {
            "csrf_token": login.csrf,
            "username": "demo",
            "password": "Demo!2345",
            "next": login.value("next"),
        },
    )
    assert back.path == details
    assert any(li.startswith("M54.16 - ") for li in back.all("li"))
    assert user.http.get("/_mock/stats").json()["sessions_expired"] == 1


def test_api_answers_401_after_expiry(user: PortalClient, clock: Clock) -> None:
    clock.advance(901)
    assert user.http.get("/api/icd10/M54.50").status_code == 401


STEP_PATHS = {
    "login": "/login",
    "home": "/",
    "member_search": "/prior-auth",
    "setting": "{draft}/setting",
    "details": "{draft}/details",
    "summary": "{draft}/summary",
    "clinical": "{draft}/clinical/72148",
    "results": "/prior-auth/results/{reference}",
    "status": "/prior-auth/status",
}


@pytest.fixture
def ready(user: PortalClient) -> tuple[PortalClient, dict[str, str]]:
    reference = user.request("64483").reference_id()
    user.prepare("72148", meet=None)
    paths = {
        step: path.format(draft=user.draft_base, reference=reference)
        for step, path in STEP_PATHS.items()
    }
    return user, paths


@pytest.mark.parametrize("step", list(STEP_PATHS))
def test_step_fault_503_fires_the_given_times(
    ready: tuple[PortalClient, dict[str, str]], step: str
) -> None:
    client, paths = ready
    config = configure(client, step_faults=[{"step": step, "fault": "503", "times": 2}])
    assert config["step_faults"] == [{"step": step, "fault": "503", "times": 2}]
    others = [p for s, p in paths.items() if s != step]
    assert all(client.http.get(p).status_code == 200 for p in others)
    assert client.get(paths[step]).h1 == UNAVAILABLE
    assert client.http.get("/_mock/config").json()["step_faults"][0]["times"] == 1
    assert client.http.get(paths[step]).status_code == 503
    assert client.http.get(paths[step]).status_code == 200
    assert client.http.get("/_mock/config").json()["step_faults"] == []
    assert client.http.get("/_mock/stats").json()["faults_injected"] == 2


def test_step_fault_503_on_posts(ready: tuple[PortalClient, dict[str, str]]) -> None:
    client, paths = ready
    configure(
        client, step_faults=[{"step": "submit", "fault": "503"}, {"step": "upload", "fault": "503"}]
    )
    before = len(client.http.get("/_mock/authorizations").json())
    assert client.post(f"{paths['summary'].rsplit('/', 1)[0]}/submit", {}).status_code == 503
    reference = client.http.get("/_mock/authorizations").json()[0]["reference_id"]
    client.get(f"/prior-auth/results/{reference}")
    page = client.post(
        f"/prior-auth/results/{reference}/upload", {}, files={"attachment": ("a.txt", b"hello")}
    )
    assert page.status_code == 503
    assert len(client.http.get("/_mock/authorizations").json()) == before
    assert client.http.get("/_mock/authorizations").json()[0]["attachments"] == []


def test_step_fault_expire_session(ready: tuple[PortalClient, dict[str, str]]) -> None:
    client, paths = ready
    configure(client, step_faults=[{"step": "details", "fault": "expire_session"}])
    assert client.http.get(paths["summary"]).status_code == 200
    response = client.http.get(paths["details"], follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("&expired=1")
    assert client.http.get("/", follow_redirects=False).status_code == 303
    client.login()
    assert client.get(paths["details"]).status_code == 200
    stats = client.http.get("/_mock/stats").json()
    assert stats["sessions_expired"] == 1 and stats["logins_ok"] == 2


def test_step_fault_signed_in_elsewhere(ready: tuple[PortalClient, dict[str, str]]) -> None:
    client, paths = ready
    configure(client, step_faults=[{"step": "details", "fault": "signed_in_elsewhere"}])
    response = client.http.get(paths["details"], follow_redirects=False)
    assert response.status_code == 303
    assert "ended=elsewhere" in response.headers["location"]
    page = client.get("/")
    assert page.alerts == ["You were signed out because this account signed in elsewhere."]
    assert client.http.get("/_mock/stats").json()["sessions_ended_elsewhere"] == 1


def test_step_fault_500_after_submit_is_fail_after_submit(user: PortalClient) -> None:
    configure(user, step_faults=[{"step": "submit", "fault": "500_after", "times": 1}])
    user.prepare("72148", meet=True)
    assert user.post(f"{user.draft_base}/submit", {}).status_code == 500
    assert len(user.http.get("/_mock/authorizations").json()) == 1
    assert user.submit().path.startswith("/prior-auth/results/")  # a blind retry...
    assert len(user.http.get("/_mock/authorizations").json()) == 2  # ...is recorded twice


def test_step_fault_500_after_upload_keeps_the_file(user: PortalClient) -> None:
    reference = user.request("64483").reference_id()
    configure(user, step_faults=[{"step": "upload", "fault": "500_after"}])
    user.get(f"/prior-auth/results/{reference}")
    page = user.post(
        f"/prior-auth/results/{reference}/upload", {}, files={"attachment": ("note.txt", b"hello")}
    )
    assert page.status_code == 500
    assert user.http.get("/_mock/authorizations").json()[0]["attachments"] == ["note.txt"]


def test_step_fault_on_clinical_post(user: PortalClient) -> None:
    user.prepare("72148", meet=None)
    user.get(f"{user.draft_base}/clinical/72148")
    configure(user, step_faults=[{"step": "clinical", "fault": "503"}])
    values = answers("Advanced Imaging", meet=True)
    assert user.post(f"{user.draft_base}/clinical/72148", values).status_code == 503


def test_config_validation(anon: PortalClient) -> None:
    for body in (
        {"latency": 5},
        {"error_rate": 2},
        {"ui_variant": 3},
        {"step_faults": [{"step": "nope", "fault": "503"}]},
        {"step_faults": [{"step": "login", "fault": "404"}]},
        {"step_faults": [{"step": "login", "fault": "503", "times": 0}]},
        [1, 2],
    ):
        response = anon.http.put("/_mock/config", json=body)
        assert response.status_code == 422, body
    response = anon.http.put("/_mock/config", json={"latency": 5})
    assert response.json()["detail"] == ["latency: unknown key"]
    assert "latency_ms" in response.json()["known_keys"]
    assert anon.http.put("/_mock/config", content=b"{not json").status_code == 422


def test_config_merges_and_reset_restores(make_client: MakeClient) -> None:
    client = make_client(latency_ms=0, session_timeout_s=300, ui_variant=2)
    config = configure(client, error_rate=0.25)
    assert config == {
        "latency_ms": 0,
        "error_rate": 0.25,
        "fail_after_submit_rate": 0.0,
        "submit_delay_ms": 0,
        "status_index_delay_s": 0.0,
        "password_expires_in_days": None,
        "announcement": None,
        "rate_limit_per_minute": 0,
        "single_session": False,
        "maintenance": False,
        "ui_drift": False,
        "session_timeout_s": 300,
        "seed": None,
        "ui_variant": 2,
        "step_faults": [],
    }
    configure(client, ui_variant=1, seed=5)
    assert client.http.get("/_mock/config").json()["error_rate"] == 0.25
    reset = client.http.post("/_mock/reset").json()
    assert reset["config"]["ui_variant"] == 2 and reset["config"]["error_rate"] == 0.0
