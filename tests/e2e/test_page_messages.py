"""A message on the page is read, not waited past: a lookup the portal's helper answers 503
once (the page says "Please try again") is made again and the request goes through in its first
attempt; a message the bot does not know ends the step at once with its text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route

from bot import flow
from bot.errors import PortalValidationError
from bot.models import PortalStatus
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e

TRY_AGAIN = "The code could not be checked. Please try again."


class FailOnce:
    """Answers the first matching request 503, as the portal's helper does when it is busy."""

    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, route: Route) -> None:
        if self.failed == 0:
            self.failed += 1
            route.fulfill(status=503, body="Service Temporarily Unavailable")
        else:
            route.fallback()


@pytest.mark.parametrize("lookup", ["icd10", "procedures", "providers"])
def test_a_503_on_a_lookup_is_tried_again_within_the_first_attempt(
    session: PortalSession, portal: PortalAdmin, lookup: str
) -> None:
    once = FailOnce()
    session.context.route(f"{session.base_url}/api/{lookup}**", once)
    journal = RecordingJournal()

    outcome = flow.process(session, make_request("clinical"), journal)

    assert once.failed == 1
    assert outcome.portal_status == PortalStatus.APPROVED
    assert journal.steps.count("member_search") == 1, "submitted in its first attempt"
    assert len(portal.authorizations()) == 1


def test_a_message_the_bot_does_not_know_ends_the_step_at_once_with_its_text(
    session: PortalSession, portal: PortalAdmin
) -> None:
    """The details screen, rewritten to say something new when its code lookup fails."""
    unknown = "Diagnosis lookups are paused for maintenance of the code tables."

    def rewrite(route: Route) -> None:
        if route.request.resource_type != "document":
            route.fallback()
            return
        response = route.fetch()
        body = response.text().replace(TRY_AGAIN, unknown)
        route.fulfill(response=response, body=body)

    session.context.route(f"{session.base_url}/prior-auth/**", rewrite)
    session.context.route(f"{session.base_url}/api/icd10**", lambda r: r.fulfill(status=503))

    with pytest.raises(PortalValidationError) as refused:
        flow.process(session, make_request("clinical"), RecordingJournal())

    assert unknown in str(refused.value)
    assert portal.authorizations() == []
