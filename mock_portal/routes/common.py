"""Helpers the request screens share: loading the user's draft and its member."""

from __future__ import annotations

from starlette.responses import Response

from mock_portal.catalog import Member
from mock_portal.models import Draft
from mock_portal.store import SessionRow
from mock_portal.web import Portal


def load_draft(portal: Portal, session: SessionRow, draft_id: str) -> Draft | Response:
    """The draft, when it exists and belongs to the logged-in user; else a 404 page."""
    draft = portal.store.draft(draft_id)
    if draft is None or draft.username != session.username:
        return portal.not_found(session, "request")
    return draft


def draft_member(portal: Portal, draft: Draft) -> Member:
    member = portal.catalog.member_by_caresource_id(draft.member_id)
    if member is None:  # the fixtures changed under a stored draft
        raise LookupError(f"member {draft.member_id} is no longer in the fixtures")
    return member


def draft_url(draft: Draft, screen: str) -> str:
    return f"/prior-auth/requests/{draft.id}/{screen}"
