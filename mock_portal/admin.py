"""The test-only admin API under ``/_mock``: the oracle of recorded authorizations, counters,
reset, run-time knobs and later decisions. Never slowed down or faulted; the bot never calls it."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mock_portal.faults import ConfigPatch
from mock_portal.models import Authorization
from mock_portal.rules import Status, aggregate, decided_line
from mock_portal.web import Portal, portal_of

router = APIRouter(prefix="/_mock")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status
    note: str | None = None


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
    return JSONResponse(portal_of(request).store.stats())


@router.post("/reset")
def reset(request: Request) -> Response:
    portal = portal_of(request)
    portal.store.reset()
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
    for line in auth.lines:
        decided = decided_line(decision.status, line.requested_units)
        line.status = decided.status
        line.authorized_units = decided.authorized_units
    auth.status = aggregate([line.status for line in auth.lines]) if auth.lines else decision.status
    auth.decision_note = decision.note
    portal.store.save_authorization(auth)
    return JSONResponse(_public(portal, auth))
