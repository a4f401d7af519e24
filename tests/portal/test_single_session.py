"""``SINGLE_SESSION``: a new login ends the account's older sessions, whose next page is the
login page saying so; the helper lookups answer 401 with the same words. Counted in the stats."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.portal.client import PortalClient
from tests.portal.conftest import MakeClient

ELSEWHERE = "You were signed out because this account signed in elsewhere."


def second_browser(first: PortalClient) -> PortalClient:
    """Another browser (its own cookies) at the same portal."""
    assert isinstance(first.http, TestClient)
    return PortalClient(TestClient(first.http.app))


def test_a_new_login_signs_the_older_session_out(make_client: MakeClient) -> None:
    first = make_client(single_session=True)
    assert first.login().h1 == "Provider Portal"
    second = second_browser(first)
    assert second.login().h1 == "Provider Portal"

    page = first.get("/prior-auth")
    assert page.h1 == "Provider Portal Login"
    assert page.alerts == [ELSEWHERE]
    lookup = first.http.get("/api/providers", params={"q": "12"})
    assert lookup.status_code == 401 and lookup.json() == {"error": ELSEWHERE}
    assert lookup.headers["X-Session-Ended"] == "elsewhere", "the page's script says it too"
    assert second.get("/prior-auth").h1 == "Prior Authorization", "the newer one goes on"
    stats = first.http.get("/_mock/stats").json()
    assert stats["sessions_ended_elsewhere"] == 1 and stats["logins_ok"] == 2

    assert first.login().h1 == "Provider Portal", "logging in again works, and ends the other"
    assert second.get("/").alerts == [ELSEWHERE]
    assert first.http.get("/_mock/stats").json()["sessions_ended_elsewhere"] == 2


def test_without_the_knob_sessions_live_side_by_side(make_client: MakeClient) -> None:
    first = make_client()
    first.login()
    second = second_browser(first)
    second.login()
    assert first.get("/prior-auth").h1 == "Prior Authorization"
    assert first.http.get("/_mock/stats").json()["sessions_ended_elsewhere"] == 0


def test_the_knob_is_set_at_run_time_and_a_session_gone_otherwise_says_expired(
    make_client: MakeClient,
) -> None:
    first = make_client()
    assert first.http.put("/_mock/config", json={"single_session": True}).status_code == 200
    first.login()
    first.http.post("/_mock/reset")
    page = first.get("/prior-auth")
    assert page.h1 == "Provider Portal Login"
    assert ELSEWHERE not in page.alerts
