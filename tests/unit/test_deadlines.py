"""Decision deadlines (CMS-0057-F: 72 hours expedited, 7 days standard), documents owed by a
pended request (one business day), and how the report and `pa-bot status` flag them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.deadlines import (
    decision_due,
    decision_overdue,
    documents_due,
    next_business_day,
    urgency,
)
from bot.display import item_record
from bot.followup import flags
from bot.queue import Item, State
from bot.report import attention, rows_for

SUBMITTED = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # a Friday


def item(
    portal_status: str | None = "pended",
    *,
    urgency: str = "standard",
    state: State = State.SUBMITTED,
    uploaded: list[str] | None = None,
) -> Item:
    return Item(
        id=1,
        key="REQ-1",
        state=state,
        payload=json.dumps({"urgency": urgency}),
        source="test.json",
        attempts=1,
        error=None,
        portal_status=portal_status,
        reference_id="123456789" if state == State.SUBMITTED else None,
        outcome={"state": "submitted", "uploaded": uploaded or []},
        lease_owner=None,
        lease_expires_at=None,
        created_at=SUBMITTED - timedelta(hours=1),
        updated_at=SUBMITTED,
        submitting_at=SUBMITTED,
    )


@pytest.mark.parametrize(
    ("kind", "window"), [("standard", timedelta(days=7)), ("expedited", timedelta(hours=72))]
)
def test_decision_due_by_urgency(kind: str, window: timedelta) -> None:
    undecided = item(urgency=kind)

    assert decision_due(undecided) == SUBMITTED + window
    assert not decision_overdue(undecided, SUBMITTED + window)
    assert decision_overdue(undecided, SUBMITTED + window + timedelta(seconds=1))


def test_no_decision_due_once_decided_or_not_submitted() -> None:
    assert decision_due(item("no_decision_yet")) is not None
    for decided in ("approved", "denied", "partially_approved"):
        assert decision_due(item(decided)) is None
    assert decision_due(item(None, state=State.PENDING)) is None
    assert not decision_overdue(item("approved"), SUBMITTED + timedelta(days=30))


def test_submission_time_falls_back_to_queueing_time() -> None:
    queued = replace(item(), submitting_at=None)

    assert decision_due(queued) == queued.created_at + timedelta(days=7)


def test_urgency_defaults_to_standard() -> None:
    assert urgency(replace(item(), payload="{}")) == "standard"
    assert urgency(replace(item(), payload="not json")) == "standard"
    assert urgency(item(urgency="expedited")) == "expedited"


def test_documents_are_due_the_next_business_day_when_pended_without_uploads() -> None:
    assert next_business_day(SUBMITTED) == SUBMITTED + timedelta(days=3)  # Friday → Monday
    assert next_business_day(SUBMITTED - timedelta(days=1)) == SUBMITTED
    assert documents_due(item()) == SUBMITTED + timedelta(days=3)
    assert documents_due(item(uploaded=["notes.pdf"])) is None
    assert documents_due(item("no_decision_yet")) is None


def test_follow_up_flags_documents_owed_and_decision_overdue() -> None:
    early = flags(item(), SUBMITTED + timedelta(hours=1))
    late = flags(item(), SUBMITTED + timedelta(days=8))

    assert len(early) == 1
    assert "within one business day, by 2026-12-07 15:00 UTC" in early[0]
    assert "(late)" not in early[0]
    assert "(late)" in late[0]
    assert late[1] == "decision overdue: due 2026-12-11 15:00 UTC (CMS-0057-F)"
    assert flags(item("approved"), SUBMITTED + timedelta(days=8)) == []


def test_morning_report_flags_an_overdue_decision() -> None:
    expedited = item("no_decision_yet", urgency="expedited")
    now = SUBMITTED + timedelta(hours=73)

    needs, why = attention(expedited, now)
    (row,) = rows_for([expedited], now)

    assert needs
    assert why.startswith("Decision overdue since 2026-12-07 15:00 UTC")
    assert "within 72 hours" in why
    assert row.overdue
    assert not rows_for([expedited], SUBMITTED + timedelta(hours=71))[0].overdue
    assert not attention(expedited, SUBMITTED + timedelta(hours=71))[1].startswith("Decision")


def test_status_record_carries_the_due_date_and_overdue_flag() -> None:
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    old = replace(item(), submitting_at=eight_days_ago)
    fresh = replace(item(), submitting_at=datetime.now(UTC))

    record = item_record(old)

    assert record["overdue"] is True
    assert record["decision_due"] == (eight_days_ago + timedelta(days=7)).isoformat()
    assert item_record(fresh)["overdue"] is False
    assert item_record(item("approved"))["decision_due"] is None
