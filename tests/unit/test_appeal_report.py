"""Appeals in the morning report, on a real SQLite queue: a denial not yet appealed says by when;
past that day it is overdue and needs a person; filed waits, overturned is done, upheld points
to the peer-to-peer review; and the report of a night carries an overdue appeal decided long
before it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.appeals import appeal_book
from bot.config import Settings
from bot.models import Outcome, PortalStatus
from bot.queue import Item, Queue, State, open_queue
from bot.queue.appeals import AppealState, appeal_queue
from bot.queued import payload, stored
from bot.report import APPEAL, NOTHING, WAIT, rows_for
from bot.runner import _the_night
from tests.support.requests import make_request

NOW = datetime.now(UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, queue_url=f"sqlite:///{tmp_path / 'q.db'}", artifacts_dir=tmp_path / "a"
    )


@pytest.fixture
def queue(settings: Settings) -> Iterator[Queue]:
    opened = open_queue(settings.queue_url)
    yield opened
    opened.close()


def denied(queue: Queue, key: str, seen: datetime) -> Item:
    request = make_request("not_covered", id=key)
    item = queue.enqueue(key, payload(request), "day.json").item
    queue.claim("w1", 60, item_id=item.id)
    queue.mark_submitting(item.id, "w1")
    outcome = Outcome(
        state="submitted",
        reference_id="006500001",
        portal_status=PortalStatus.DENIED,
        denial_reason="Not a covered benefit: this service is excluded from the member's plan.",
        decided_at=seen,
    )
    return queue.finish(
        item.id, "w1", State.SUBMITTED, portal_status="denied", outcome=stored(outcome)
    )


def test_the_report_says_by_when_and_then_that_it_is_overdue(
    queue: Queue, settings: Settings
) -> None:
    fresh = denied(queue, "DENIED-FRESH", NOW - timedelta(days=1))
    late = denied(queue, "DENIED-LATE", NOW - timedelta(days=61))

    rows = {r.key: r for r in rows_for([fresh, late], NOW, appeal_book(queue, settings))}

    due = (NOW - timedelta(days=1)).astimezone().date() + timedelta(days=60)
    assert rows["DENIED-FRESH"].why.startswith(
        f"Denied: review the reason and consider an appeal. Appeal by {due} (60 days, Medicaid)."
    )
    assert "The payer's reason: Not a covered benefit" in rows["DENIED-FRESH"].why
    assert (rows["DENIED-FRESH"].appeal_due, rows["DENIED-FRESH"].overdue) == (
        due.isoformat(),
        False,
    )
    passed = (NOW - timedelta(days=61)).astimezone().date() + timedelta(days=60)
    assert rows["DENIED-LATE"].why.startswith(f"Appeal deadline passed on {passed} (Medicaid).")
    late_row = rows["DENIED-LATE"]
    assert late_row.appeal_overdue and late_row.needs_person
    assert not late_row.overdue, "overdue stays the payer's decision clock"
    assert {r.action for r in rows.values()} == {APPEAL}


@pytest.mark.parametrize(
    ("steps", "group", "needs", "said"),
    [
        ((AppealState.PREPARED,), APPEAL, True, "Packet prepared, not filed yet."),
        ((AppealState.FILED,), WAIT, False, "Appeal filed; waiting for the payer's answer."),
        ((AppealState.FILED, AppealState.OVERTURNED), NOTHING, False, "Overturned on appeal."),
        ((AppealState.FILED, AppealState.UPHELD), APPEAL, True, "consider a peer-to-peer review"),
        ((AppealState.DECLINED,), NOTHING, False, "Decision accepted: not appealed."),
    ],
)
def test_each_appeal_state_has_its_group_and_words(
    queue: Queue,
    settings: Settings,
    steps: tuple[AppealState, ...],
    group: str,
    needs: bool,
    said: str,
) -> None:
    item = denied(queue, "DENIED-1", NOW - timedelta(days=61))
    for step in steps:
        appeal_queue(queue).record_appeal(item.id, step, "cli")

    (row,) = rows_for([item], NOW, appeal_book(queue, settings))

    assert (row.action, row.needs_person, row.appeal) == (group, needs, steps[-1])
    assert said in row.why
    assert row.appeal_overdue == (steps[-1] == AppealState.PREPARED)


def test_the_night_carries_an_appeal_due_soon_or_overdue_whenever_it_was_decided(
    queue: Queue, settings: Settings
) -> None:
    late = denied(queue, "DENIED-LATE", NOW - timedelta(days=61))
    soon = denied(queue, "DENIED-SOON", NOW - timedelta(days=55))
    later = denied(queue, "DENIED-LATER", NOW - timedelta(days=20))
    filed = denied(queue, "DENIED-FILED", NOW - timedelta(days=61))
    appeal_queue(queue).record_appeal(filed.id, AppealState.FILED, "cli")

    night, _, _ = _the_night(settings, NOW + timedelta(days=1), set())

    shown = {item.key for item in night}
    assert {late.key, soon.key} <= shown
    assert filed.key not in shown and later.key not in shown
