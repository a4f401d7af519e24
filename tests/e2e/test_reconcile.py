"""Reconciliation: an item found ``submitting`` is looked up on the Status tab before anything is
submitted again. One test per branch: found, not found, found with another status; and the
same through the queue, as a worker that takes over a dead worker's item sees it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import flow
from bot.config import Settings
from bot.models import PortalStatus
from bot.queue import Queue, State, open_queue
from bot.queued import payload
from bot.session import PortalSession
from bot.worker import process_item
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e


@pytest.fixture
def queue(settings: Settings) -> Iterator[Queue]:
    opened = open_queue(settings.queue_url)
    yield opened
    opened.close()


async def test_found_records_the_first_submission(
    session: PortalSession, portal: PortalAdmin
) -> None:
    request = make_request("clinical")
    first = await flow.process(session, request, RecordingJournal())
    journal = RecordingJournal()

    again = await flow.process(session, request, journal, already_submitting=True)

    assert again.reconciled and journal.submits == 0
    assert again.reference_id == first.reference_id
    assert again.portal_status == PortalStatus.APPROVED
    assert len(portal.authorizations()) == 1


async def test_not_found_submits_once(session: PortalSession, portal: PortalAdmin) -> None:
    other_day = make_request("clinical", start_date="2026-12-02", end_date="2026-12-02")
    await flow.process(session, other_day, RecordingJournal())  # same member and code, another date
    journal = RecordingJournal()

    outcome = await flow.process(
        session, make_request("clinical"), journal, already_submitting=True
    )

    assert "reconcile" in journal.steps and journal.submits == 1
    assert not outcome.reconciled
    assert len(portal.authorizations()) == 2
    assert outcome.reference_id in {a["reference_id"] for a in portal.authorizations()}


async def test_found_with_another_status_records_the_status_now(
    session: PortalSession, portal: PortalAdmin
) -> None:
    request = make_request("clinical", meet=False)
    first = await flow.process(session, request, RecordingJournal())
    assert first.portal_status == PortalStatus.PENDED and first.reference_id
    portal.decide(first.reference_id, "Approved")
    journal = RecordingJournal()

    again = await flow.process(session, request, journal, already_submitting=True)

    assert again.reconciled and journal.submits == 0
    assert again.reference_id == first.reference_id
    assert again.portal_status == PortalStatus.APPROVED
    assert len(portal.authorizations()) == 1


async def test_a_dead_workers_submitting_item_is_reconciled_by_the_next(
    session: PortalSession, portal: PortalAdmin, queue: Queue, settings: Settings
) -> None:
    request = make_request("clinical")
    item = queue.enqueue(request.key, payload(request), "day.json#0").item
    queue.claim("dead-worker", 0, item_id=item.id)
    queue.mark_submitting(item.id, "dead-worker")
    # The dead worker's click reached the portal:
    await flow.process(session, request, RecordingJournal())

    taken = queue.claim("next-worker", settings.lease_seconds)
    assert taken is not None and taken.state == State.SUBMITTING
    done = (await process_item(queue, session, taken, "next-worker")).item

    assert done.state == State.SUBMITTED and done.outcome and done.outcome["reconciled"]
    assert [a["reference_id"] for a in portal.authorizations()] == [done.reference_id]


async def test_a_worker_whose_lease_was_taken_over_writes_nothing(
    session: PortalSession, portal: PortalAdmin, queue: Queue, settings: Settings
) -> None:
    request = make_request("clinical")
    item = queue.enqueue(request.key, payload(request), "day.json#0").item
    slow = queue.claim("slow-worker", 0, item_id=item.id)
    assert slow is not None
    taken = queue.claim("next-worker", settings.lease_seconds)
    assert taken is not None and taken.id == item.id

    processed = await process_item(queue, session, slow, "slow-worker")

    assert processed.item.lease_owner == "next-worker"
    assert processed.item.state == State.IN_PROGRESS
    assert portal.authorizations() == [], "the slow worker stopped at its first step"
