"""The test-only admin API under ``/_mock``: the oracle of recorded authorizations, counters,
reset, run-time knobs and later decisions. Never slowed down or faulted; the bot never calls it.

Every route goes through :func:`guard`: loopback clients only (403 otherwise), and a body, if
any, only as ``application/json`` (415 otherwise)."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_portal.faults import ConfigPatch
from mock_portal.models import Authorization
from mock_portal.rules import Status, aggregate, decided_line
from mock_portal.web import Portal, portal_of

# Starlette's TestClient reports its client host as "testclient" (no socket, same process), so it
# counts as loopback: the tests drive the admin API in-process.
_LOOPBACK_NAMES = frozenset({"testclient"})
_BODY_METHODS = frozenset({"PUT", "POST", "PATCH"})


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback  # 127.0.0.0/8, ::1
    except ValueError:
        return False


async def guard(request: Request) -> None:
    """Loopback clients only; a non-empty body only as ``application/json``.

    A body with no Content-Type at all is still parsed as JSON (and refused with 422 if it is
    not); any other declared Content-Type (form, multipart, text/plain, ...) gets 415, so a
    browser's "simple" cross-site request never changes the portal."""
    host = request.client.host if request.client else None
    if not _is_loopback(host):
        raise HTTPException(403, "the admin API answers loopback clients only")
    if request.method in _BODY_METHODS:
        declared = request.headers.get("content-type")
        if declared is not None and await request.body():
            media_type = declared.split(";", 1)[0].strip().lower()
            if media_type != "application/json":
                raise HTTPException(415, "admin request bodies must be application/json")


router = APIRouter(prefix="/_mock", dependencies=[Depends(guard)])


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str | None = None
    reason_code: str | None = None
    """A code of ``fixtures/codes/decision_reasons.json`` for a denial or a cut; by default
    MN01 (denied) or MN02 (partially approved)."""


def _problems(error: ValidationError) -> list[str]:
    messages = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "body"
        if problem["type"] == "extra_forbidden":
            messages.append(f"{where}: unknown key")
        else:
            messages.append(f"{where}: {problem['msg']}")
    return messages


async def _json(request: Request) -> Any:
    body = await request.body()
    return json.loads(body or b"{}")


def _public(portal: Portal, auth: Authorization) -> dict[str, Any]:
    data = auth.model_dump(mode="json")
    data["attachments"] = portal.store.attachment_names(auth.reference_id)
    return data


@router.get("/authorizations")
def authorizations(request: Request) -> Response:
    portal = portal_of(request)
    return JSONResponse([_public(portal, a) for a in portal.store.authorizations()])


@router.get("/stats")
def stats(request: Request) -> Response:
    portal = portal_of(request)
    return JSONResponse({**portal.store.stats(), "requests_peak_per_minute": portal.limiter.peak})


@router.post("/reset")
def reset(request: Request) -> Response:
    portal = portal_of(request)
    portal.store.reset()
    portal.limiter.reset()
    config = portal.faults.reset()
    return JSONResponse({"reset": True, "config": config.model_dump(mode="json")})


@router.get("/config")
def get_config(request: Request) -> Response:
    return JSONResponse(portal_of(request).faults.config.model_dump(mode="json"))


@router.put("/config")
async def put_config(request: Request) -> Response:
    portal = portal_of(request)
    try:
        patch = ConfigPatch.model_validate(await _json(request))
    except ValueError as exc:  # JSONDecodeError and ValidationError are both ValueErrors
        detail = _problems(exc) if isinstance(exc, ValidationError) else ["body: not JSON"]
        known = sorted(ConfigPatch.model_fields)
        return JSONResponse({"detail": detail, "known_keys": known}, 422)
    return JSONResponse(portal.faults.update(patch).model_dump(mode="json"))


@router.post("/authorizations/{reference_id}/decision")
async def decide(request: Request, reference_id: str) -> Response:
    portal = portal_of(request)
    auth = portal.store.authorization(reference_id)
    if auth is None:
        return JSONResponse({"detail": f"no authorization {reference_id}"}, 404)
    try:
        decision = Decision.model_validate(await _json(request))
    except ValueError as exc:
        detail = _problems(exc) if isinstance(exc, ValidationError) else ["body: not JSON"]
        return JSONResponse({"detail": detail}, 422)
    reasons = portal.catalog.reason_texts
    if decision.reason_code is not None and decision.reason_code not in reasons:
        return JSONResponse(
            {"detail": [f"reason_code: not one of {', '.join(sorted(reasons))}"]}, 422
        )
    for line in auth.lines:
        decided = decided_line(decision.status, line.requested_units, decision.reason_code)
        line.status = decided.status
        line.authorized_units = decided.authorized_units
        line.reason_code = decided.reason
    auth.status = aggregate([line.status for line in auth.lines]) if auth.lines else decision.status
    auth.decision_note = decision.note
    auth.explain(reasons)
    portal.store.save_authorization(auth)
    return JSONResponse(_public(portal, auth))
