"""The JSON helpers behind the page scripts (provider autocomplete, code checks). Behind the
session like every page, but they answer 401 instead of redirecting: a script cannot follow
a redirect to a login page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_portal.auth import SESSION_COOKIE
from mock_portal.routes.account import ELSEWHERE, EXPIRED
from mock_portal.web import portal_of

router = APIRouter(prefix="/api")


def _unauthorized(request: Request) -> Response | None:
    state = portal_of(request).auth.resolve(request.cookies.get(SESSION_COOKIE))
    if state.session is None:
        if state.elsewhere:
            return JSONResponse({"error": ELSEWHERE}, 401, {"X-Session-Ended": "elsewhere"})
        return JSONResponse({"error": EXPIRED}, 401)
    return None


@router.post("/keepalive")
def keepalive(request: Request) -> Response:
    """The session-timeout warning's "Stay signed in": the session lives on (``resolve``
    touched it), or 401 when it ended already."""
    denied = _unauthorized(request)
    if denied:
        return denied
    portal = portal_of(request)
    portal.store.incr("sessions_kept_alive")
    return JSONResponse({"expires_in_s": portal.faults.config.session_timeout_s})


@router.get("/providers")
def providers(request: Request, q: str = "") -> Response:
    denied = _unauthorized(request)
    if denied:
        return denied
    found = portal_of(request).catalog.search_providers(q[:100])
    return JSONResponse(
        {
            "providers": [
                {
                    "npi": p.npi,
                    "name": p.name,
                    "provider_number": p.provider_number,
                    "label": p.label,
                }
                for p in found
            ]
        }
    )


@router.get("/icd10/{code}")
def icd10(request: Request, code: str) -> Response:
    denied = _unauthorized(request)
    if denied:
        return denied
    found = portal_of(request).catalog.diagnosis(code[:20])
    if found is None:
        return JSONResponse({"error": f"Unknown diagnosis code {code[:20]}."}, 404)
    return JSONResponse({"code": found.code, "description": found.description})


@router.get("/procedures/{code}")
def procedure(request: Request, code: str) -> Response:
    denied = _unauthorized(request)
    if denied:
        return denied
    found = portal_of(request).catalog.procedure(code[:20])
    if found is None:
        return JSONResponse({"error": f"Unknown procedure code {code[:20]}."}, 404)
    return JSONResponse(
        {"code": found.code, "description": found.description, "category": found.category}
    )
