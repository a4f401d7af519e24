"""The Member Eligibility screen (left navigation, under Member Search): is a member covered on a
date of service, under which plan and span, and is another payer primary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.catalog import Member, Span
from mock_portal.routes.lookup import SEARCH_KINDS, find_member
from mock_portal.store import SessionRow
from mock_portal.validation import BAD_DATE, parse_us
from mock_portal.web import Portal, portal_of, require_post, require_session, text

router = APIRouter()

EMPTY = {
    "search_by": "caresource",
    "caresource_id": "",
    "medicaid_id": "",
    "first_name": "",
    "last_name": "",
    "dob": "",
    "dos": "",
}


@dataclass(frozen=True)
class Answer:
    member: Member
    dos: date
    eligible: bool
    span: Span | None


def _page(
    portal: Portal,
    session: SessionRow,
    values: dict[str, str],
    errors: dict[str, str],
    result: Answer | None = None,
) -> Response:
    return portal.render(
        "eligibility.html",
        session=session,
        title="Member Eligibility",
        values=values,
        errors=errors,
        result=result,
        status_code=200,
    )


@router.get("/member-eligibility")
def eligibility(request: Request) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    return _page(portal_of(request), session, dict(EMPTY), {})


@router.post("/member-eligibility")
async def check(request: Request) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    values = {key: text(form, key) for key in EMPTY}
    if values["search_by"] not in SEARCH_KINDS:
        values["search_by"] = "caresource"
    errors: dict[str, str] = {}
    dos = parse_us(values["dos"]) if values["dos"] else None
    if not values["dos"]:
        errors["dos"] = "Date of Service is required."
    elif dos is None:
        errors["dos"] = BAD_DATE
    member = find_member(portal, values, errors)
    if errors or member is None or dos is None:
        return _page(portal, session, values, errors)
    answer = Answer(member, dos, member.eligible_on(dos), member.span_for(dos))
    return _page(portal, session, values, {}, answer)
