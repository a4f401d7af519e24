"""The retry budget: a portal that keeps answering 503 costs one request a bounded number of
portal requests, however the retry layers nest (``bot.retry_policy``), in real Chromium against
the real mock."""

from __future__ import annotations

import pytest

from bot import flow, retry_policy
from bot.errors import PortalUnavailable
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("step", ["member_search", "details"])
async def test_a_portal_that_keeps_answering_503_costs_a_bounded_number_of_requests(
    session: PortalSession, portal: PortalAdmin, step: str
) -> None:
    portal.configure(step_faults=[{"step": step, "fault": "503", "times": 1000}])

    with pytest.raises(PortalUnavailable):
        await flow.process(session, make_request("clinical"), RecordingJournal())

    answered_503 = portal.stats()["faults_injected"]
    attempts = session.settings.max_attempts
    # Every attempt asks once; the reloads and resends together stop at the budget (21 and 17
    # requests before it: each attempt reloaded, and each reload was resent).
    assert answered_503 == attempts + retry_policy.RETRY_BUDGET
    assert portal.authorizations() == []
