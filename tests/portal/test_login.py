"""Screen 1: login, lockout after five failures, two-step verification, CSRF on the login form,
``next`` and logout."""

from __future__ import annotations

from mock_portal.auth import ShortSecretTOTP
from tests.portal.client import PASSWORD, TOTP_SECRET, PortalClient
from tests.portal.conftest import Clock

LOCKED = (
    "Your account is locked. Please try again in 30 minutes or call Provider Services at "
    "1-855-202-1091."
)


def test_login_screen_names(anon: PortalClient) -> None:
    page = anon.get("/login")
    assert page.h1 == "Provider Portal Login"
    assert {"Username", "Password"} <= set(page.labels)
    assert "Log in" in page.html
    assert "Main" not in page.html  # no navigation before login


def test_login_lands_home_and_counts(user: PortalClient) -> None:
    home = user.get("/")
    assert home.h1 == "Provider Portal"
    assert 'aria-label="Main"' in home.html
    assert "Log out" in home.html
    assert user.http.get("/_mock/stats").json()["logins_ok"] == 1


def test_wrong_password_is_refused_and_counted(anon: PortalClient) -> None:
    page = anon.login(password="wrong")
    assert page.status_code == 200
    assert page.h1 == "Provider Portal Login"
    assert page.alerts == ["Invalid username or password."]
    assert anon.http.get("/_mock/stats").json()["logins_failed"] == 1


def test_unknown_user_gets_the_same_message(anon: PortalClient) -> None:
    assert anon.login(username="nobody").alerts == ["Invalid username or password."]
    assert anon.login(username="", password="").alerts == ["Invalid username or password."]


def test_fifth_failure_locks_for_thirty_minutes(anon: PortalClient, clock: Clock) -> None:
    for _ in range(4):
        assert anon.login(password="wrong").alerts == ["Invalid username or password."]
    assert anon.login(password="wrong").alerts == [LOCKED]
    assert anon.login().alerts == [LOCKED]  # even the right password
    clock.advance(29 * 60)
    assert anon.login().alerts == [LOCKED]
    clock.advance(61)
    assert anon.login().h1 == "Provider Portal"
    stats = anon.http.get("/_mock/stats").json()
    assert stats["logins_failed"] == 7 and stats["logins_ok"] == 1


def test_failures_spread_over_more_than_thirty_minutes_do_not_lock(
    anon: PortalClient, clock: Clock
) -> None:
    for _ in range(4):
        anon.login(password="wrong")
    clock.advance(31 * 60)
    assert anon.login(password="wrong").alerts == ["Invalid username or password."]


def test_success_clears_the_failures(anon: PortalClient) -> None:
    for _ in range(4):
        anon.login(password="wrong")
    assert anon.login().h1 == "Provider Portal"
    anon.get("/logout")
    assert anon.login(password="wrong").alerts == ["Invalid username or password."]


def test_totp_right_code(anon: PortalClient, clock: Clock) -> None:
    step = anon.login(username="mfa-demo")
    assert step.h1 == "Two-Step Verification"
    assert "Authentication code" in step.labels
    home = anon.post("/login/verify", {"otp": ShortSecretTOTP(TOTP_SECRET).at(clock.now)})
    assert home.h1 == "Provider Portal"


def test_totp_previous_window_is_accepted_older_is_not(anon: PortalClient, clock: Clock) -> None:
    totp = ShortSecretTOTP(TOTP_SECRET)
    anon.login(username="mfa-demo")
    assert anon.post("/login/verify", {"otp": totp.at(clock.now - 30)}).h1 == "Provider Portal"
    anon.get("/logout")
    anon.login(username="mfa-demo")
    page = anon.post("/login/verify", {"otp": totp.at(clock.now - 90)})
    assert page.alerts == ["Invalid authentication code."]


def test_a_totp_code_logs_in_once_and_a_reset_forgets_it(anon: PortalClient, clock: Clock) -> None:
    code = ShortSecretTOTP(TOTP_SECRET).at(clock.now)
    anon.login(username="mfa-demo")
    assert anon.post("/login/verify", {"otp": code}).h1 == "Provider Portal"
    anon.get("/logout")
    anon.login(username="mfa-demo")
    again = anon.post("/login/verify", {"otp": code})
    assert again.alerts == ["Invalid authentication code."], "a used code is refused"
    assert anon.http.get("/_mock/stats").json()["logins_failed"] == 1
    anon.http.post("/_mock/reset")
    anon.login(username="mfa-demo")
    assert anon.post("/login/verify", {"otp": code}).h1 == "Provider Portal"


def test_totp_wrong_code_counts_towards_the_lockout(anon: PortalClient) -> None:
    anon.login(username="mfa-demo")
    for _ in range(4):
        page = anon.post("/login/verify", {"otp": "000000x"})
        assert page.h1 == "Two-Step Verification"
        assert page.alerts == ["Invalid authentication code."]
    page = anon.post("/login/verify", {"otp": "12"})
    assert page.h1 == "Provider Portal Login"
    assert page.alerts == [LOCKED]
    assert anon.http.get("/_mock/stats").json()["logins_failed"] == 5


def test_verify_without_a_password_step_goes_back_to_login(anon: PortalClient) -> None:
    form = anon.get("/login")
    page = anon.post("/login/verify", {"csrf_token": form.csrf, "otp": "123456"})
    assert page.h1 == "Provider Portal Login"


def test_login_form_needs_its_csrf_cookie(anon: PortalClient) -> None:
    anon.get("/login")
    missing = anon.post("/login", {"username": "demo", "password": PASSWORD}, csrf=False)
    assert missing.status_code == 403
    assert missing.h1 == "Form expired"
    assert missing.alerts == [
        "Your form has expired. Please go back, reload the page and try again."
    ]
    stale = anon.post("/login", {"csrf_token": "made-up", "username": "demo", "password": PASSWORD})
    assert stale.status_code == 403


def test_next_is_followed_when_local(anon: PortalClient) -> None:
    assert anon.login(next_path="/prior-auth/status").h1 == "Prior Authorization"
    anon.get("/logout")
    assert anon.login(next_path="https://evil.example/").h1 == "Provider Portal"
    anon.get("/logout")
    assert anon.login(next_path="//evil.example/").h1 == "Provider Portal"


def test_pages_need_a_login(anon: PortalClient) -> None:
    response = anon.http.get("/prior-auth", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fprior-auth"
    api = anon.http.get("/api/providers?q=123")
    assert api.status_code == 401


def test_logout_ends_the_session(user: PortalClient) -> None:
    assert user.get("/logout").h1 == "Provider Portal Login"
    response = user.http.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
