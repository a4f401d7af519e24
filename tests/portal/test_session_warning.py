"""The session-timeout warning: a logged-in page warns 60 s before the idle timeout with a modal
dialog whose "Stay signed in" keeps the session (``POST /api/keepalive``); too late, the
keep-alive answers 401 and the page's script goes to the login page."""

from __future__ import annotations

from tests.portal.client import PortalClient
from tests.portal.conftest import Clock, MakeClient


def test_a_logged_in_page_warns_a_minute_before_the_timeout(make_client: MakeClient) -> None:
    user = make_client(session_timeout_s=300)
    user.login()

    page = user.get("/prior-auth")

    assert 'role="dialog"' in page.html and "Your session will expire in 60 seconds" in page.html
    assert "Stay signed in" in page.html
    assert "setTimeout(show, 240000)" in page.html, "shown 240 s after the page loaded"
    assert "Stay signed in" not in page.all("button"), "built by the script when it shows"


def test_no_warning_before_login_or_for_a_timeout_of_a_minute(make_client: MakeClient) -> None:
    anon = make_client(session_timeout_s=300)
    assert "Stay signed in" not in anon.get("/login").html
    short = make_client(session_timeout_s=60)
    short.login()
    assert "Stay signed in" not in short.get("/prior-auth").html


def test_stay_signed_in_keeps_the_session(make_client: MakeClient, clock: Clock) -> None:
    user = make_client(session_timeout_s=120)
    user.login()
    clock.advance(100)
    kept = user.http.post("/api/keepalive")
    assert kept.status_code == 200 and kept.json() == {"expires_in_s": 120}
    clock.advance(100)  # 200 s after login, 100 s after the keep-alive
    assert user.get("/prior-auth").h1 == "Prior Authorization"
    assert user.http.get("/_mock/stats").json()["sessions_kept_alive"] == 1


def test_too_late_the_keep_alive_is_refused(user: PortalClient, clock: Clock) -> None:
    clock.advance(901)
    refused = user.http.post("/api/keepalive")
    assert refused.status_code == 401
    assert user.http.get("/_mock/stats").json()["sessions_kept_alive"] == 0


def test_the_keep_alive_is_a_step_faults_can_hit(user: PortalClient) -> None:
    fault = {"step": "keepalive", "fault": "expire_session", "times": 1}
    assert user.http.put("/_mock/config", json={"step_faults": [fault]}).status_code == 200
    assert user.http.post("/api/keepalive").status_code == 401
    assert user.get("/").h1 == "Provider Portal Login"
