"""The notices a real portal shows between login and the home page: a password that expires
soon (Continue), a provider announcement (Acknowledge). Every page of the session leads here
until each is answered; an expired password shows its page instead of logging in at all."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.auth import safe_next
from mock_portal.web import Portal, portal_of, redirect, require_post, require_session, text

router = APIRouter()

PASSWORD = "password"
ANNOUNCEMENT = "announcement"


def notices_after_login(portal: Portal) -> list[str]:
    """The notices a new session must answer first, by the knobs as they are now."""
    config = portal.faults.config
    kinds = []
    if config.password_expires_in_days:
        kinds.append(PASSWORD)
    if config.announcement:
        kinds.append(ANNOUNCEMENT)
    return kinds


def expired_password_page(portal: Portal) -> Response:
    portal.store.incr("logins_password_expired")
    return portal.render(
        "notice.html",
        title="Password Expired",
        heading="Password Expired",
        text=(
            "Your password has expired. Reset it with Forgot Password on the login page "
            "before you log in again."
        ),
        kind=None,
        next_path="/",
    )


def _after(value: str | None) -> str:
    """Where to go once the notices are answered (never back here)."""
    after = safe_next(value)
    return "/" if after.startswith("/notice") else after


@router.get("/notice")
def notice(request: Request) -> Response:
    session = require_session(request, notices=False)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    next_path = _after(request.query_params.get("next"))
    pending = portal.store.pending_notices(session.id)
    if not pending:
        return redirect(next_path)
    config = portal.faults.config
    if pending[0] == PASSWORD:
        days = config.password_expires_in_days or 0
        heading, body, button = (
            "Password Expiring",
            f"Your password expires in {days} days. Change it under Update My Account.",
            "Continue",
        )
    else:
        heading, body, button = (
            "Provider Announcement",
            config.announcement or "",
            "Acknowledge",
        )
    return portal.render(
        "notice.html",
        session=session,
        title=heading,
        heading=heading,
        text=body,
        kind=pending[0],
        button=button,
        next_path=next_path,
    )


@router.post("/notice")
async def answer(request: Request) -> Response:
    guarded = await require_post(request, notices=False)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    portal.store.clear_notice(session.id, text(form, "kind"))
    next_path = _after(text(form, "next"))
    if portal.store.pending_notices(session.id):
        return redirect(f"/notice?next={quote(next_path, safe='/')}")
    return redirect(next_path)
