"""The payer's reasons for a denial or a cut (CMS-0057-F), read off the results page and the
Status detail page in both UI variants, per line and per authorization, with when the decision
was first seen."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import flow
from bot.config import Settings
from bot.models import PortalStatus
from bot.queue import open_queue
from bot.report import attention
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request, procedure

pytestmark = pytest.mark.e2e

REASONS = {
    r["code"]: r["text"]
    for r in json.loads(
        (Path(__file__).parents[2] / "fixtures/codes/decision_reasons.json").read_text()
    )
}


@pytest.mark.parametrize("variant", [1, 2])
async def test_a_denial_carries_its_reason(
    session: PortalSession, portal: PortalAdmin, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    before = datetime.now(UTC)

    outcome = await flow.process(session, make_request("not_covered"), RecordingJournal())

    assert outcome.portal_status == PortalStatus.DENIED
    assert outcome.reason_code == "NC01"
    assert outcome.denial_reason == REASONS["NC01"]
    (line,) = outcome.lines
    assert (line.reason_code, line.reason) == ("NC01", REASONS["NC01"])
    assert outcome.decided_at is not None and outcome.decided_at >= before


@pytest.mark.parametrize("variant", [1, 2])
async def test_a_cut_carries_its_reason_and_an_approved_line_none(
    session: PortalSession, portal: PortalAdmin, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    limit = procedure("limit")
    request = make_request("limit", units=limit["rule"]["max_units"] + 4)

    outcome = await flow.process(session, request, RecordingJournal())

    assert outcome.portal_status == PortalStatus.PARTIALLY_APPROVED
    assert (outcome.reason_code, outcome.denial_reason) == ("BL01", REASONS["BL01"])
    assert outcome.lines[0].reason_code == "BL01"


async def test_an_approval_has_no_reason(session: PortalSession, portal: PortalAdmin) -> None:
    outcome = await flow.process(session, make_request("clinical", meet=True), RecordingJournal())

    assert outcome.portal_status == PortalStatus.APPROVED
    assert outcome.reason_code is None and outcome.denial_reason is None
    assert [line.reason for line in outcome.lines] == [None]
    assert outcome.decided_at is not None


@pytest.mark.parametrize("variant", [1, 2])
async def test_a_later_denial_is_read_from_the_status_detail_page(
    settings: Settings, portal: PortalAdmin, tmp_path: Path, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    request = make_request("decision_later", id=f"REASON-LATER-{variant}")
    path = tmp_path / "request.json"
    path.write_text(request.model_dump_json(exclude_none=True))
    assert pa_bot(settings, "submit", str(path)).returncode == 0
    (first,) = json.loads(pa_bot(settings, "status", "--format", "json").stdout)
    assert first["denial_reason"] is None and first["decided_at"] is None
    portal.decide(first["reference_id"], "Denied", reason_code="DI01")
    decided_after = datetime.now(UTC)

    done = pa_bot(settings, "follow-up")

    assert done.returncode == 0, done.stdout + done.stderr
    (item,) = json.loads(pa_bot(settings, "status", "--format", "json").stdout)
    assert item["portal_status"] == "denied"
    assert item["denial_reason"] == REASONS["DI01"]
    assert datetime.fromisoformat(item["decided_at"]) >= decided_after
    queue = open_queue(settings.queue_url)
    try:
        stored = queue.get_by_key(request.key)
    finally:
        queue.close()
    assert stored is not None
    needs, why = attention(stored)
    assert needs and f"The payer's reason: {REASONS['DI01']}" in why
