"""The notices after login: a password that expires soon (Continue), an expired one (no way
on), a provider announcement (Acknowledge); each in the way of every page until answered."""

from __future__ import annotations

from tests.portal.client import PortalClient
from tests.portal.conftest import MakeClient


def answer(user: PortalClient) -> str:
    """Press the notice's one button; the heading of the page it leads to."""
    page = user.page
    assert page is not None
    return user.post("/notice", {"kind": page.value("kind"), "next": page.value("next")}).h1


def test_a_password_that_expires_soon_is_announced_then_the_portal_goes_on(
    make_client: MakeClient,
) -> None:
    user = make_client(password_expires_in_days=5)

    notice = user.login(next_path="/prior-auth")
    assert notice.h1 == "Password Expiring"
    assert "Your password expires in 5 days" in notice.html
    assert "Continue" in notice.all("button")
    assert user.get("/prior-auth").h1 == "Password Expiring", "no page before it is answered"

    assert answer(user) == "Prior Authorization"
    assert user.get("/").h1 == "Provider Portal"


def test_an_expired_password_logs_nobody_in(make_client: MakeClient) -> None:
    user = make_client(password_expires_in_days=0)

    page = user.login()
    assert page.h1 == "Password Expired"
    assert "Your password has expired" in page.html
    assert page.all("button") == []
    assert user.get("/").h1 == "Provider Portal Login"


def test_an_announcement_must_be_acknowledged_after_the_password_notice(
    make_client: MakeClient,
) -> None:
    user = make_client(password_expires_in_days=3, announcement="Portal upgrade on Sunday.")

    assert user.login().h1 == "Password Expiring"
    assert answer(user) == "Provider Announcement"
    shown = user.page
    assert shown is not None and "Portal upgrade on Sunday." in shown.html
    assert "Acknowledge" in shown.all("button")
    assert answer(user) == "Provider Portal"
    assert user.get("/prior-auth").h1 == "Prior Authorization"


def test_no_notice_without_the_knobs(make_client: MakeClient) -> None:
    assert make_client().login().h1 == "Provider Portal"
