"""A message on the page is read, not waited past: a lookup the portal's helper answers 503
once (the page says "Please try again") is made again and the request goes through in its first
attempt; a message the bot does not know ends the step at once with its text. The same holds for
the form posts of Document Clinical and the uploads."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Route

from bot import flow
from bot.errors import PortalValidationError
from bot.models import PortalStatus
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import attachment, make_request

pytestmark = pytest.mark.e2e

TRY_AGAIN = "The code could not be checked. Please try again."


class FailOnce:
    """Answers the first matching request 503, as the portal's helper does when it is busy."""

    def __init__(self) -> None:
        self.failed = 0

    async def __call__(self, route: Route) -> None:
        if self.failed == 0:
            self.failed += 1
            await route.fulfill(status=503, body="Service Temporarily Unavailable")
        else:
            await route.fallback()


class AlertInstead:
    """Answers the first ``times`` form posts with the same screen again and an alert saying
    ``text``, as a portal does when its backend fails: those posts never reach the portal."""

    def __init__(self, text: str, times: int = 1) -> None:
        self.text = text
        self.times = times
        self.posts = 0

    async def __call__(self, route: Route) -> None:
        if route.request.method != "POST":
            await route.fallback()
            return
        self.posts += 1
        if self.posts > self.times:
            await route.fallback()
            return
        screen = await route.fetch(method="GET")
        alert = f'<div role="alert"><p>{self.text}</p></div>'
        text = await screen.text()
        body = re.sub(r"(<main[^>]*>)", lambda m: m.group(1) + alert, text, count=1)
        await route.fulfill(status=200, content_type="text/html", body=body)


CLINICAL = "**/prior-auth/requests/*/clinical/*"
UPLOAD = "**/prior-auth/*/*/upload"


@pytest.mark.parametrize("lookup", ["icd10", "procedures", "providers"])
async def test_a_503_on_a_lookup_is_tried_again_within_the_first_attempt(
    session: PortalSession, portal: PortalAdmin, lookup: str
) -> None:
    once = FailOnce()
    await session.context.route(f"{session.base_url}/api/{lookup}**", once)
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("clinical"), journal)

    assert once.failed == 1
    assert outcome.portal_status == PortalStatus.APPROVED
    assert journal.steps.count("member_search") == 1, "submitted in its first attempt"
    assert len(portal.authorizations()) == 1


async def test_a_message_the_bot_does_not_know_ends_the_step_at_once_with_its_text(
    session: PortalSession, portal: PortalAdmin
) -> None:
    """The details screen, rewritten to say something new when its code lookup fails."""
    unknown = "Diagnosis lookups are paused for maintenance of the code tables."

    async def rewrite(route: Route) -> None:
        if route.request.resource_type != "document":
            await route.fallback()
            return
        response = await route.fetch()
        body = (await response.text()).replace(TRY_AGAIN, unknown)
        await route.fulfill(response=response, body=body)

    async def unavailable(route: Route) -> None:
        await route.fulfill(status=503)

    await session.context.route(f"{session.base_url}/prior-auth/**", rewrite)
    await session.context.route(f"{session.base_url}/api/icd10**", unavailable)

    with pytest.raises(PortalValidationError) as refused:
        await flow.process(session, make_request("clinical"), RecordingJournal())

    assert unknown in str(refused.value)
    assert portal.authorizations() == []


async def test_a_try_again_on_document_clinical_saves_again_within_the_first_attempt(
    session: PortalSession, portal: PortalAdmin
) -> None:
    busy = AlertInstead("The answers could not be saved. Please try again.")
    await session.context.route(CLINICAL, busy)
    journal = RecordingJournal()

    outcome = await flow.process(session, make_request("clinical"), journal)

    assert busy.posts == 2, "saved once more after the message"
    assert outcome.portal_status == PortalStatus.APPROVED
    assert journal.steps.count("member_search") == 1, "submitted in its first attempt"


async def test_an_unknown_message_on_document_clinical_ends_the_step_at_once(
    session: PortalSession, portal: PortalAdmin
) -> None:
    unknown = "Clinical review for this category is closed until Monday."
    closed = AlertInstead(unknown, times=99)
    await session.context.route(CLINICAL, closed)

    with pytest.raises(PortalValidationError) as refused:
        await flow.process(session, make_request("clinical"), RecordingJournal())

    assert unknown in str(refused.value)
    assert closed.posts == 1, "not saved again, not waited past"
    assert portal.authorizations() == []


async def test_a_try_again_on_an_upload_uploads_again(
    session: PortalSession, portal: PortalAdmin
) -> None:
    busy = AlertInstead("The file could not be stored. Please try again.")
    await session.context.route(UPLOAD, busy)
    request = make_request("clinical", meet=False, attachments=[str(attachment())])

    outcome = await flow.process(session, request, RecordingJournal())

    assert busy.posts == 2
    assert outcome.uploaded == ["clinical-notes.pdf"]
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == ["clinical-notes.pdf"]


async def test_an_unknown_message_on_an_upload_leaves_the_file_owed_at_once(
    session: PortalSession, portal: PortalAdmin
) -> None:
    refused = AlertInstead("Uploads are read-only during the audit.", times=99)
    await session.context.route(UPLOAD, refused)
    request = make_request("clinical", meet=False, attachments=[str(attachment())])

    outcome = await flow.process(session, request, RecordingJournal())

    assert refused.posts == 1
    assert outcome.uploaded == []
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == []
