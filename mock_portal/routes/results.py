"""Screens 8 and 9: the results of a submission, attachment uploads, and the Status tab."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.models import Authorization
from mock_portal.rules import GUARANTEE
from mock_portal.store import SessionRow
from mock_portal.validation import (
    BAD_DATE,
    MAX_UPLOAD_BYTES,
    NO_FILE,
    check_upload,
    clean_filename,
    parse_us,
)
from mock_portal.web import Portal, portal_of, redirect, require_post, require_session, text

router = APIRouter()

_REFERENCE = re.compile(r"^\d{9}$")


def _auth_page(
    portal: Portal,
    session: SessionRow,
    auth: Authorization,
    *,
    detail: bool,
    uploaded: str | None = None,
    upload_errors: list[str] | None = None,
) -> Response:
    member = portal.catalog.member_by_caresource_id(auth.member_id)
    base = "/prior-auth/status" if detail else "/prior-auth/results"
    return portal.render(
        "results.html",
        session=session,
        title="Authorization Detail" if detail else "Results",
        heading="Authorization Detail" if detail else "Results",
        detail=detail,
        auth=auth,
        member_name=member.display_name if member else "",
        attachments=portal.store.attachment_names(auth.reference_id),
        uploaded=f"Uploaded {uploaded}." if uploaded else None,
        upload_errors=upload_errors or [],
        upload_url=f"{base}/{auth.reference_id}/upload",
        guarantee_text=GUARANTEE,
    )


def _show(request: Request, reference_id: str, *, detail: bool) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    auth = portal.store.authorization(reference_id) if _REFERENCE.match(reference_id) else None
    if auth is None:
        return portal.not_found(session, "authorization")
    uploaded = request.query_params.get("uploaded")
    return _auth_page(portal, session, auth, detail=detail, uploaded=uploaded)


@router.get("/prior-auth/results/{reference_id}")
def results(request: Request, reference_id: str) -> Response:
    return _show(request, reference_id, detail=False)


@router.get("/prior-auth/status/{reference_id}")
def detail(request: Request, reference_id: str) -> Response:
    return _show(request, reference_id, detail=True)


async def _upload(request: Request, reference_id: str, *, detail: bool) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    auth = portal.store.authorization(reference_id) if _REFERENCE.match(reference_id) else None
    if auth is None:
        return portal.not_found(session, "authorization")
    upload = form.get("attachment")
    if not isinstance(upload, UploadFile) or not upload.filename:
        error: str | None = NO_FILE
        name = ""
        content = b""
    else:
        name = clean_filename(upload.filename)
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        error = check_upload(name, content)
    if error:
        return _auth_page(portal, session, auth, detail=detail, upload_errors=[error])
    portal.store.add_attachment(auth.reference_id, name, content, portal.now())
    portal.store.incr("uploads")
    base = "/prior-auth/status" if detail else "/prior-auth/results"
    return redirect(f"{base}/{auth.reference_id}?uploaded={quote(name)}")


@router.post("/prior-auth/results/{reference_id}/upload")
async def upload_on_results(request: Request, reference_id: str) -> Response:
    return await _upload(request, reference_id, detail=False)


@router.post("/prior-auth/status/{reference_id}/upload")
async def upload_on_detail(request: Request, reference_id: str) -> Response:
    return await _upload(request, reference_id, detail=True)


@router.get("/prior-auth/results/{reference_id}/upload")
def upload_get(request: Request, reference_id: str) -> Response:
    return redirect(f"/prior-auth/results/{quote(reference_id)}")


@router.get("/prior-auth/status/{reference_id}/upload")
def upload_get_detail(request: Request, reference_id: str) -> Response:
    return redirect(f"/prior-auth/status/{quote(reference_id)}")


EMPTY_STATUS = {
    "search_by": "member",
    "caresource_id": "",
    "from_date": "",
    "to_date": "",
    "reference_number": "",
}


PAGE_SIZE = 10
"""Authorizations per page of the Status search, as the real portal pages its results."""


def _status_page(
    portal: Portal,
    session: SessionRow,
    values: dict[str, str],
    errors: dict[str, str],
    results: list[Authorization] | None,
    *,
    page: int = 1,
    pages: int = 1,
) -> Response:
    return portal.render(
        "status.html",
        session=session,
        title="Prior Authorization Status",
        values=values,
        errors=errors,
        results=results,
        page=page,
        pages=pages,
    )


@router.get("/prior-auth/status")
def status_form(request: Request) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    return _status_page(portal_of(request), session, dict(EMPTY_STATUS), {}, None)


def _date(values: dict[str, str], key: str, label: str, errors: dict[str, str]) -> date | None:
    if not values[key]:
        errors[key] = f"{label} is required."
        return None
    parsed = parse_us(values[key])
    if parsed is None:
        errors[key] = BAD_DATE
    return parsed


def _indexed(portal: Portal, auth: Authorization) -> bool:
    """Whether the Status search shows ``auth`` yet: as real portals' search indexes, it lags
    the record by ``status_index_delay_s`` (the Results page shows it at once)."""
    lag = timedelta(seconds=portal.faults.config.status_index_delay_s)
    return auth.submitted_at + lag <= portal.now()


@router.post("/prior-auth/status")
async def status_search(request: Request) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    values = {key: text(form, key) for key in EMPTY_STATUS}
    if values["search_by"] not in ("member", "reference"):
        values["search_by"] = "member"
    errors: dict[str, str] = {}
    found: list[Authorization] = []
    if values["search_by"] == "reference":
        reference = values["reference_number"]
        if not reference:
            errors["reference_number"] = "Reference Number is required."
        elif not _REFERENCE.match(reference):
            errors["reference_number"] = "Enter a 9-digit reference number."
        else:
            auth = portal.store.authorization(reference)
            found = [auth] if auth else []
    else:
        member_id = values["caresource_id"]
        if not member_id:
            errors["caresource_id"] = "CareSource ID is required."
        elif portal.catalog.member_by_caresource_id(member_id) is None:
            errors["caresource_id"] = "Member not found."
        start = _date(values, "from_date", "From Date", errors)
        end = _date(values, "to_date", "To Date", errors)
        if start and end and end < start:
            errors["to_date"] = "To Date cannot be before From Date."
        if not errors and start and end:
            found = [
                a for a in portal.store.authorizations(member_id) if start <= a.start_date <= end
            ]
    if errors:
        return _status_page(portal, session, values, errors, None)
    found = [auth for auth in found if _indexed(portal, auth)]
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, int(text(form, "page")) if text(form, "page").isdigit() else 1), pages)
    shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return _status_page(portal, session, values, {}, shown, page=page, pages=pages)
