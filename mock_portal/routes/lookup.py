"""Screens 3 and 4: find the member (which creates the draft), then care setting, category and
the ordering provider."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.catalog import Member
from mock_portal.models import Draft
from mock_portal.routes.common import draft_member, draft_url, load_draft
from mock_portal.rules import CARE_SETTINGS, CATEGORY_CODES, GUARANTEE, code_for
from mock_portal.store import SessionRow
from mock_portal.validation import BAD_DATE, parse_us
from mock_portal.web import Portal, portal_of, redirect, require_post, require_session, text

router = APIRouter()

SEARCH_KINDS = ("caresource", "medicaid", "info")
FIRST_AUTHORIZATION_NUMBER = 1952


def _search_page(
    portal: Portal,
    session: SessionRow,
    values: dict[str, str],
    errors: dict[str, str],
    notice: str | None = None,
) -> Response:
    return portal.render(
        "prior_auth.html",
        session=session,
        title="Prior Authorization",
        values=values,
        errors=errors,
        notice=notice,
        guarantee_text=GUARANTEE,
    )


EMPTY_SEARCH = {
    "request_type": "medical",
    "search_by": "caresource",
    "caresource_id": "",
    "medicaid_id": "",
    "first_name": "",
    "last_name": "",
    "dob": "",
    "dos": "",
}


@router.get("/prior-auth")
def prior_auth(request: Request) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    notice = "Request cancelled." if request.query_params.get("cancelled") == "1" else None
    return _search_page(portal_of(request), session, dict(EMPTY_SEARCH), {}, notice)


@router.get("/prior-auth/member-search")
def member_search_get(request: Request) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    return redirect("/prior-auth")


def find_member(portal: Portal, values: dict[str, str], errors: dict[str, str]) -> Member | None:
    """Check the fields of the chosen kind of search; the member, or None with ``errors``."""
    kind = values["search_by"]
    catalog = portal.catalog
    if kind == "caresource":
        if not values["caresource_id"]:
            errors["caresource_id"] = "CareSource ID is required."
            return None
        found = catalog.member_by_caresource_id(values["caresource_id"])
        field = "caresource_id"
    elif kind == "medicaid":
        if not values["medicaid_id"]:
            errors["medicaid_id"] = "Medicaid ID is required."
            return None
        found = catalog.member_by_medicaid_id(values["medicaid_id"])
        field = "medicaid_id"
    else:
        if not values["first_name"]:
            errors["first_name"] = "First Name is required."
        if not values["last_name"]:
            errors["last_name"] = "Last Name is required."
        dob = parse_us(values["dob"]) if values["dob"] else None
        if not values["dob"]:
            errors["dob"] = "Date of Birth is required."
        elif dob is None:
            errors["dob"] = BAD_DATE
        if errors or dob is None:
            return None
        found = catalog.member_by_info(values["first_name"], values["last_name"], dob)
        field = "last_name"
    if found is None and not errors:
        errors[field] = "Member not found."
    return found


@router.post("/prior-auth/member-search")
async def member_search(request: Request) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    values = {key: text(form, key) for key in EMPTY_SEARCH}
    if values["search_by"] not in SEARCH_KINDS:
        values["search_by"] = "caresource"
    if values["request_type"] not in ("medical", "newborn"):
        values["request_type"] = "medical"
    errors: dict[str, str] = {}
    if values["request_type"] == "newborn":
        errors["request_type"] = (
            "Newborn Delivery Notifications cannot be entered for this provider. "
            "Select Medical (Inpatient & Outpatient)."
        )
    dos = parse_us(values["dos"]) if values["dos"] else None
    if not values["dos"]:
        errors["dos"] = "Start Date of Service is required."
    elif dos is None:
        errors["dos"] = BAD_DATE
    member = find_member(portal, values, errors)
    if member is not None and dos is not None and not errors and not member.eligible_on(dos):
        errors["dos"] = "Member is not eligible on the date of service."
    if errors or member is None or dos is None:
        return _search_page(portal, session, values, errors)
    number = portal.store.next_value("authorization", FIRST_AUTHORIZATION_NUMBER)
    draft = Draft(
        id=uuid.uuid4().hex[:16],
        username=session.username,
        authorization_number=f"EPS-{number:08d}",
        member_id=member.caresource_id,
        date_of_service=dos,
        start_date=dos,
        end_date=dos,
    )
    portal.store.save_draft(draft)
    return redirect(draft_url(draft, "setting"))


def _setting_page(
    portal: Portal,
    session: SessionRow,
    draft: Draft,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    return portal.render(
        "setting.html",
        session=session,
        title="Authorization Request",
        member=draft_member(portal, draft),
        action=draft_url(draft, "setting"),
        categories=list(CATEGORY_CODES.items()),
        values=values,
        errors=errors,
    )


def _setting_values(portal: Portal, draft: Draft) -> dict[str, str]:
    provider = portal.catalog.provider(draft.provider_npi) if draft.provider_npi else None
    return {
        "care_setting": draft.care_setting,
        "category": code_for(CATEGORY_CODES, draft.category),
        "provider_search": draft.provider_search or (provider.label if provider else ""),
        "provider_name": provider.name if provider else "",
        "provider_id": provider.npi if provider else "",
    }


@router.get("/prior-auth/requests/{draft_id}/setting")
def setting_form(request: Request, draft_id: str) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    return _setting_page(portal, session, draft, _setting_values(portal, draft), {})


@router.post("/prior-auth/requests/{draft_id}/setting")
async def setting(request: Request, draft_id: str) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    values = {
        key: text(form, key)
        for key in ("care_setting", "category", "provider_search", "provider_id")
    }
    errors: dict[str, str] = {}
    if values["care_setting"] not in CARE_SETTINGS:
        errors["care_setting"] = "Select a care setting."
    if values["category"] not in CATEGORY_CODES:
        errors["category"] = "Select a category."
    provider = portal.catalog.provider(values["provider_id"]) if values["provider_id"] else None
    if provider is None:
        errors["provider"] = "Select a provider from the dropdown."
        values["provider_id"] = ""
    elif not provider.in_network:
        errors["provider"] = "Provider is not in network."
    values["provider_name"] = provider.name if provider else ""
    if errors:
        return _setting_page(portal, session, draft, values, errors)
    assert provider is not None
    draft.care_setting = values["care_setting"]
    draft.category = CATEGORY_CODES[values["category"]]
    draft.provider_npi = provider.npi
    draft.provider_search = values["provider_search"]
    portal.store.save_draft(draft)
    return redirect(draft_url(draft, "details"))
