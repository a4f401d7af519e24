"""Screens 1 and 2: login (with two-step verification), logout, home and the "coming soon"
pages the other navigation links lead to."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.auth import LOGIN_CSRF_COOKIE, MFA_COOKIE, SESSION_COOKIE, csrf_matches, safe_next
from mock_portal.routes.notices import expired_password_page, notices_after_login
from mock_portal.web import Portal, form_expired, portal_of, redirect, require_session, text

router = APIRouter()

BAD_CREDENTIALS = "Invalid username or password."
LOCKED = (
    "Your account is locked. Please try again in 30 minutes or call Provider Services at "
    "1-855-202-1091."
)
BAD_CODE = "Invalid authentication code."
EXPIRED = "Your session has expired. Please log in again."
ELSEWHERE = "You were signed out because this account signed in elsewhere."
MFA_PENDING_SECONDS = 300


def _login_page(
    portal: Portal,
    *,
    next_path: str,
    alert: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response:
    token = secrets.token_urlsafe(24)
    response = portal.render(
        "login.html",
        title="Provider Portal Login",
        login_csrf=token,
        next=next_path,
        alert=alert,
        username=username,
        status_code=status_code,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax")
    return response


def _mfa_page(portal: Portal, token: str, alert: str | None = None) -> Response:
    response = portal.render(
        "mfa.html", title="Two-Step Verification", login_csrf=token, alert=alert
    )
    return response


def _signed_in(portal: Portal, username: str, next_path: str) -> Response:
    if portal.faults.config.password_expires_in_days == 0:
        return expired_password_page(portal)
    session = portal.auth.log_in(username)
    notices = notices_after_login(portal)
    portal.store.add_notices(session.id, notices)
    after = safe_next(next_path)
    response = redirect(f"/notice?next={quote(after, safe='/')}" if notices else after)
    response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="lax")
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    response.delete_cookie(MFA_COOKIE)
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    portal = portal_of(request)
    expired = request.query_params.get("expired") == "1"
    elsewhere = request.query_params.get("ended") == "elsewhere"
    return _login_page(
        portal,
        next_path=safe_next(request.query_params.get("next")),
        alert=ELSEWHERE if elsewhere else EXPIRED if expired else None,
    )


@router.post("/login")
async def login(request: Request) -> Response:
    portal = portal_of(request)
    form = await request.form()
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), text(form, "csrf_token")):
        return form_expired(portal)
    username = text(form, "username")
    password = form.get("password")
    password = password if isinstance(password, str) else ""
    next_path = safe_next(text(form, "next"))
    if not username or not password:
        return _login_page(portal, next_path=next_path, alert=BAD_CREDENTIALS, username=username)
    result = portal.auth.check_password(username, password)
    if result == "locked":
        return _login_page(portal, next_path=next_path, alert=LOCKED, username=username)
    if result == "bad":
        return _login_page(portal, next_path=next_path, alert=BAD_CREDENTIALS, username=username)
    if result == "mfa":
        pending = portal.store.create_pending(username, next_path, portal.clock())
        response = _mfa_page(portal, text(form, "csrf_token"))
        response.set_cookie(MFA_COOKIE, pending.token, httponly=True, samesite="lax")
        return response
    return _signed_in(portal, username, next_path)


@router.get("/login/verify")
def verify_form(request: Request) -> Response:
    return redirect("/login")


@router.post("/login/verify")
async def verify(request: Request) -> Response:
    portal = portal_of(request)
    form = await request.form()
    token = text(form, "csrf_token")
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), token):
        return form_expired(portal)
    pending = portal.store.pending(request.cookies.get(MFA_COOKIE) or "")
    if pending is None or portal.clock() - pending.created > MFA_PENDING_SECONDS:
        return _login_page(portal, next_path="/", alert=EXPIRED)
    result = portal.auth.check_code(pending.username, text(form, "otp"))
    if result == "locked":
        portal.store.delete_pending(pending.token)
        return _login_page(portal, next_path=pending.next, alert=LOCKED, username=pending.username)
    if result != "ok":
        return _mfa_page(portal, token, alert=BAD_CODE)
    portal.store.delete_pending(pending.token)
    return _signed_in(portal, pending.username, pending.next)


@router.get("/logout")
def logout(request: Request) -> Response:
    portal = portal_of(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        portal.store.delete_session(session_id)
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    return portal_of(request).render("home.html", session=session, title="Provider Portal")


COMING_SOON = {
    "member-eligibility": "Member Eligibility",
    "coordination-of-benefits": "Coordination of Benefits",
    "claim-information": "Claim Information",
    "member-file-upload": "Member File Upload",
    "provider-membership-list": "Provider Membership List",
    "clinical-practice-registry": "Clinical Practice Registry",
    "manage-users": "Manage Users",
    "update-my-account": "Update My Account",
    "provider-training": "Provider Training",
    "care-management-referral": "Care Management Referral",
    "claim-appeals": "Claim Appeals",
    "online-claim-submission": "Online Claim Submission",
    "claims-recovery-request": "Claims Recovery Request",
    "file-grievance": "File Grievance",
    "payment-history": "Payment History",
    "pharmacy": "Pharmacy",
    "provider-maintenance": "Provider Maintenance",
    "updates-and-announcements": "Updates & Announcements",
    "anti-fraud-plan": "Anti-Fraud Plan",
    "fax-numbers": "Fax Numbers",
}


@router.get("/coming-soon/{slug}")
def coming_soon(request: Request, slug: str) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    heading = COMING_SOON.get(slug)
    if heading is None:
        return portal.not_found(session)
    return portal.render("coming_soon.html", session=session, title=heading, heading=heading)
