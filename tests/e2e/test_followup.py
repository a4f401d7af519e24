"""``pa-bot follow-up``: decisions that arrive later are picked up from the Status tab and recorded
with when they were seen; attachments still owed are uploaded; what is overdue is flagged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from bot.config import Settings
from bot.followup import follow_item
from bot.models import AuthRequest
from bot.queue import Action, State, open_queue
from bot.queued import payload
from bot.session import PortalSession
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import attachment, make_request, member

pytestmark = pytest.mark.e2e


def submit(settings: Settings, folder: Path, request: AuthRequest) -> None:
    path = folder / f"{request.key}.json"
    path.write_text(request.model_dump_json(exclude_none=True))
    done = pa_bot(settings, "submit", str(path))
    assert done.returncode == 0, done.stdout + done.stderr


def items(settings: Settings) -> dict[str, dict[str, Any]]:
    done = pa_bot(settings, "status", "--format", "json")
    assert done.returncode == 0, done.stderr
    return {record["key"]: record for record in json.loads(done.stdout)}


async def test_a_decision_made_later_is_picked_up_and_recorded(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    later = make_request("decision_later", id="FU-LATER-1")
    pended = make_request("review", id="FU-PENDED-1", who=member(index=1))
    submit(settings, tmp_path, later)
    submit(settings, tmp_path, pended)
    before = items(settings)
    assert before["FU-LATER-1"]["portal_status"] == "no_decision_yet"
    assert before["FU-PENDED-1"]["portal_status"] == "pended"
    portal.decide(before["FU-LATER-1"]["reference_id"], "Approved")
    decided_after = datetime.now(UTC)

    done = pa_bot(settings, "follow-up")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 followed up: 1 decisions changed, 0 attachments uploaded" in done.stdout
    assert "FU-PENDED-1: pended without clinical documents" in done.stdout
    assert "within one business day" in done.stdout
    after = items(settings)
    assert after["FU-LATER-1"]["portal_status"] == "approved"
    assert after["FU-PENDED-1"]["portal_status"] == "pended"
    queue = open_queue(settings.queue_url)
    try:
        item = queue.get_by_key("FU-LATER-1")
        assert item is not None
        assert item.outcome is not None
        assert [line["status"] for line in item.outcome["lines"]] == ["Approved"]
        (seen,) = [e for e in queue.history(item.id) if e.action == Action.UPDATE_DECISION]
    finally:
        queue.close()
    assert seen.note == "approved"
    assert seen.at >= decided_after

    again = pa_bot(settings, "follow-up")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 followed up: 0 decisions changed" in again.stdout


async def test_owed_attachments_are_uploaded_and_overdue_decisions_flagged(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    # The portal has the request, but the queue's item still owes its clinical notes: it was
    # submitted 8 days ago, before the documents were uploaded.
    request = make_request("review", id="FU-OWED-1")
    elsewhere = settings.model_copy(update={"queue_url": f"sqlite:///{tmp_path / 'other.db'}"})
    submit(elsewhere, tmp_path, request)
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == []
    owing = request.model_copy(update={"attachments": [attachment()]})
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    queue = open_queue(settings.queue_url, clock=lambda: eight_days_ago)
    try:
        item = queue.enqueue(owing.key, payload(owing), "test").item
        queue.claim("w", 300, item_id=item.id)
        queue.mark_submitting(item.id, "w")
        queue.finish(
            item.id,
            "w",
            State.SUBMITTED,
            portal_status="pended",
            reference_id=recorded["reference_id"],
            outcome={"state": "submitted", "uploaded": []},
        )
    finally:
        queue.close()
    record = items(settings)["FU-OWED-1"]
    assert record["overdue"] is True
    assert record["decision_due"] == (eight_days_ago + timedelta(days=7)).isoformat()
    table = pa_bot(settings, "status")
    assert "OVERDUE" in table.stdout

    done = pa_bot(settings, "follow-up")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 followed up: 0 decisions changed, 1 attachments uploaded" in done.stdout
    assert "FU-OWED-1: decision overdue: due" in done.stdout
    assert "pended without clinical documents" not in done.stdout
    (recorded,) = portal.authorizations()
    assert recorded["attachments"] == ["clinical-notes.pdf"]
    queue = open_queue(settings.queue_url)
    try:
        stored = queue.get_by_key("FU-OWED-1")
    finally:
        queue.close()
    assert stored is not None
    assert stored.outcome is not None
    assert stored.outcome["uploaded"] == ["clinical-notes.pdf"]


async def test_portal_trouble_is_retried_and_an_unknown_reference_reported(
    settings: Settings, portal: PortalAdmin
) -> None:
    ghost = make_request("review", id="FU-GHOST-1")
    queue = open_queue(settings.queue_url)
    try:
        item = queue.enqueue(ghost.key, payload(ghost), "test").item
        queue.claim("w", 300, item_id=item.id)
        queue.finish(
            item.id, "w", State.SUBMITTED, portal_status="no_decision_yet", reference_id="999999999"
        )
    finally:
        queue.close()
    portal.configure(step_faults=[{"step": "status", "fault": "expire_session", "times": 2}])

    done = pa_bot(settings, "follow-up")

    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "not checked FU-GHOST-1: BusinessError: reference 999999999 is not on the Status tab"
        in (done.stdout)
    )
    assert "1 could not be checked" in done.stdout
    stats = portal.stats()
    assert stats["faults_injected"] == 2
    assert stats["logins_ok"] == 3, "logged in first, again after each of the two expiries"
    assert items(settings)["FU-GHOST-1"]["portal_status"] == "no_decision_yet"


async def test_nothing_to_follow_up(settings: Settings, portal: PortalAdmin) -> None:
    done = pa_bot(settings, "follow-up")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Nothing to follow up" in done.stdout
    assert portal.stats()["requests"] == 0, "no browser was started"


async def test_follow_up_takes_a_fresh_tab_when_one_has_served_its_share(
    browser: Browser, settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    for index in range(2):
        submit(settings, tmp_path, make_request("decision_later", who=member(index=index)))
    queue = open_queue(settings.queue_url)
    session = await PortalSession.open(browser, settings, requests_per_page=1)
    try:
        tabs = []
        for item in queue.items(State.SUBMITTED):
            portal.decide(item.reference_id or "", "Approved")
            result = await follow_item(queue, session, item)
            assert result.error is None and result.now == "approved"
            tabs.append(session.page)
    finally:
        await session.close()
        queue.close()
    assert tabs[0] is not tabs[1] and tabs[0].is_closed()
