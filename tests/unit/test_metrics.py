"""The outcome figures (``bot.metrics``) of a real SQLite queue, built through the queue's own
operations, against a table worked out by hand: the rates, approval after appeal, the decision
times (median and nearest-rank 90th percentile), the decisions past the CMS-0057-F clocks, by
category and by procedure code, and ``since``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.metrics import compute, nearest_rank, parse_day
from bot.models import AuthRequest, Outcome, PortalStatus
from bot.queue import Item, Queue, State, open_queue
from bot.queued import payload, stored
from tests.support.requests import make_request, member

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
DAY_AGO = NOW - timedelta(hours=24)
NOV_20 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Clock:
    """The queue's clock, moved by the test: submission times are what the test says."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path: Path, clock: Clock) -> Iterator[Queue]:
    opened = open_queue(f"sqlite:///{tmp_path / 'queue.db'}", clock=clock)
    yield opened
    opened.close()


def request(kind: str, key: str, n: int, **overrides: Any) -> AuthRequest:
    return make_request(kind, id=key, who=member(index=n), **overrides)


def submitted(
    queue: Queue,
    clock: Clock,
    request: AuthRequest,
    *,
    at: datetime,
    status: str,
    decided_after: float | None = None,
    now_status: str | None = None,
    legacy: bool = False,
) -> Item:
    """``request`` submitted at ``at``, the portal answering ``status``; decided ``decided_after``
    hours later (at once, or at a follow-up when ``now_status`` differs). ``legacy``: an outcome
    recorded before ``submitted_status`` existed."""
    clock.now = at
    item = queue.enqueue(request.key, payload(request), "day.jsonl").item
    queue.claim("w1", 60, item_id=item.id)
    queue.mark_submitting(item.id, "w1")
    decided = None if decided_after is None else at + timedelta(hours=decided_after)
    outcome = Outcome(
        state="submitted",
        reference_id=f"{item.id:09d}",
        portal_status=PortalStatus(status),
        submitted_status=None if legacy else PortalStatus(status),
        decided_at=decided if now_status is None else None,
    )
    done = queue.finish(
        item.id, "w1", State.SUBMITTED, portal_status=status, outcome=stored(outcome)
    )
    if now_status is not None:
        later = outcome.model_copy(
            update={"portal_status": PortalStatus(now_status), "decided_at": decided}
        )
        done = queue.update_decision(item.id, now_status, stored(later))
    return done


def not_requests(queue: Queue, clock: Clock) -> None:
    """Items that are no request to the payer: not required, rejected, failed, invalid,
    pending, cancelled."""
    clock.now = T0
    for n, state in enumerate((State.NOT_REQUIRED, State.REJECTED, State.FAILED)):
        other = request("not_required", f"OTHER-{n}", 9)
        item = queue.enqueue(other.key, payload(other), "d").item
        queue.claim("w1", 60, item_id=item.id)
        queue.finish(item.id, "w1", state, portal_status="not_required", error="why")
    queue.add_invalid("not json", "bad.json#1", ["member: required"])
    queue.enqueue("WAITING", payload(request("clinical", "WAITING", 10)), "d")
    cancelled = queue.enqueue("GONE", payload(request("clinical", "GONE", 11)), "d").item
    queue.cancel(cancelled.id, "console:ann")


@pytest.fixture
def night(queue: Queue, clock: Clock) -> dict[str, int]:
    """The table of the module's tests; the item id of each key."""
    img, img2 = {"code_index": 0}, {"code_index": 1}  # 72148, 73221 (Advanced Imaging)
    both = {"procedures": [{"code": "72148", "units": 1}, {"code": "73221", "units": 1}]}
    ids: dict[str, int] = {}
    for key, kind, options, at, status, after, later, legacy in (
        # key, rule, request, submitted, status at Submit, decided after (h), later, legacy
        ("IMG-1", "clinical", img, T0, "approved", 1, None, False),
        ("IMG-2", "clinical", both, T0, "pended", 10, "approved", False),
        ("IMG-3", "clinical", {**img2, "urgency": "expedited"}, T0, "pended", 80, "denied", False),
        ("DME-1", "not_covered", {}, T0, "denied", 2, None, False),
        ("PT-1", "limit", {"units": 30}, T0, "partially_approved", 4, None, False),
        ("SURG-1", "decision_later", {}, T0, "no_decision_yet", None, None, False),
        ("SURG-2", "decision_later", {"urgency": "expedited"}, DAY_AGO, "pended", None, None, True),
        ("OLD-1", "clinical", img, NOV_20, "approved", 3, None, False),
    ):
        made = request(kind, key, len(ids), **options)
        ids[key] = submitted(
            queue,
            clock,
            made,
            at=at,
            status=status,
            decided_after=after,
            now_status=later,
            legacy=legacy,
        ).id
    not_requests(queue, clock)
    return ids


# What the night is, by hand:
#
# key     category    codes        urgency    at Submit        now              decided  appeal
# IMG-1   imaging     72148        standard   approved         approved         1 h      -
# IMG-2   imaging     72148 73221  standard   pended           approved         10 h     -
# IMG-3   imaging     73221        expedited  pended           denied           80 h     overturned
# DME-1   DME         E0720        standard   denied           denied           2 h      upheld
# PT-1    PT          97110        standard   partial          partial          4 h      filed
# SURG-1  surgery     64721        standard   no decision yet  no decision yet  -        -
# SURG-2  surgery     64721        expedited  pended (legacy)  pended           -        -
# OLD-1   imaging     72148        standard   approved         approved         3 h      -
#
# IMG-3 was decided 80 h after submission, past its 72 h; SURG-1 waits since T0, 9 days, past its
# 7; SURG-2 waits since 24 h, within its 72 h. OLD-1 went in on 20 November, before `since`.
NONE = {"median": None, "p90": None, "count": 0}


def hours(median: float, p90: float, count: int) -> dict[str, Any]:
    return {"median": median, "p90": p90, "count": count}


OVERALL = {
    "requests": 8,
    "approval_rate": 0.375,  # IMG-1, IMG-2, OLD-1: 3/8
    "partial_rate": 0.125,  # PT-1: 1/8
    "denial_rate": 0.25,  # IMG-3, DME-1: 2/8
    "pend_rate": 0.375,  # IMG-2, IMG-3, SURG-2 (its current status: a legacy outcome): 3/8
    "approved_after_appeal_rate": 0.5,  # IMG-3 overturned, DME-1 upheld (PT-1 only filed): 1/2
    "decision_hours": {
        "expedited": hours(80, 80, 1),  # IMG-3 (SURG-2 undecided)
        # sorted [1, 2, 3, 4, 10]: median the 3rd, p90 rank ceil(0.9 * 5) = 5: the 5th
        "standard": hours(3, 10, 5),
    },
    "past_deadline": 2,  # IMG-3 decided after 80 h > 72 h; SURG-1 undecided after 9 days > 7
}
SIMPLE: dict[str, dict[str, Any]] = {
    # DME-1, PT-1, SURG-1 + SURG-2 are alone in their category and in their procedure code
    "DME": {
        "requests": 1,
        "approval_rate": 0.0,
        "partial_rate": 0.0,
        "denial_rate": 1.0,
        "pend_rate": 0.0,
        "approved_after_appeal_rate": 0.0,  # upheld: 0/1
        "decision_hours": {"expedited": NONE, "standard": hours(2, 2, 1)},
        "past_deadline": 0,
    },
    "PT": {
        "requests": 1,
        "approval_rate": 0.0,
        "partial_rate": 1.0,
        "denial_rate": 0.0,
        "pend_rate": 0.0,
        "approved_after_appeal_rate": None,  # filed, not decided
        "decision_hours": {"expedited": NONE, "standard": hours(4, 4, 1)},
        "past_deadline": 0,
    },
    "SURG": {
        "requests": 2,
        "approval_rate": 0.0,
        "partial_rate": 0.0,
        "denial_rate": 0.0,
        "pend_rate": 0.5,  # SURG-2: 1/2
        "approved_after_appeal_rate": None,
        "decision_hours": {"expedited": NONE, "standard": NONE},
        "past_deadline": 1,  # SURG-1
    },
}
BY_CATEGORY = {
    "Advanced Imaging": {
        "requests": 4,  # IMG-1, IMG-2, IMG-3, OLD-1
        "approval_rate": 0.75,  # 3/4
        "partial_rate": 0.0,
        "denial_rate": 0.25,  # IMG-3
        "pend_rate": 0.5,  # IMG-2, IMG-3: 2/4
        "approved_after_appeal_rate": 1.0,  # IMG-3 overturned: 1/1
        # standard: sorted [1, 3, 10], median 3, p90 rank ceil(2.7) = 3: 10
        "decision_hours": {"expedited": hours(80, 80, 1), "standard": hours(3, 10, 3)},
        "past_deadline": 1,  # IMG-3
    },
    "Durable Medical Equipment": SIMPLE["DME"],
    "Outpatient Surgery": SIMPLE["SURG"],
    "Physical Therapy": SIMPLE["PT"],
}
BY_PROCEDURE = {
    "64721": SIMPLE["SURG"],
    "72148": {
        "requests": 3,  # IMG-1, IMG-2 (both codes), OLD-1
        "approval_rate": 1.0,
        "partial_rate": 0.0,
        "denial_rate": 0.0,
        "pend_rate": 0.3333,  # IMG-2: 1/3
        "approved_after_appeal_rate": None,
        "decision_hours": {"expedited": NONE, "standard": hours(3, 10, 3)},  # [1, 3, 10]
        "past_deadline": 0,
    },
    "73221": {
        "requests": 2,  # IMG-2 (both codes), IMG-3
        "approval_rate": 0.5,
        "partial_rate": 0.0,
        "denial_rate": 0.5,
        "pend_rate": 1.0,  # both pended at Submit
        "approved_after_appeal_rate": 1.0,
        "decision_hours": {"expedited": hours(80, 80, 1), "standard": hours(10, 10, 1)},
        "past_deadline": 1,
    },
    "97110": SIMPLE["PT"],
    "E0720": SIMPLE["DME"],
}


def appeals(ids: dict[str, int]) -> dict[int, str]:
    return {ids["IMG-3"]: "overturned", ids["DME-1"]: "upheld", ids["PT-1"]: "filed"}


def test_the_figures_of_a_night_match_the_table_worked_by_hand(
    queue: Queue, night: dict[str, int]
) -> None:
    figures = compute(queue.items(), appeals(night), NOW)

    assert {k: v for k, v in figures.items() if k in OVERALL} == OVERALL
    assert figures["by_category"] == BY_CATEGORY
    assert figures["by_procedure"] == BY_PROCEDURE
    assert figures["since"] is None
    assert list(figures) == [
        *OVERALL,
        "by_category",
        "by_procedure",
        "since",
    ], "the issue's keys, in its order"


def test_since_counts_only_the_requests_submitted_from_that_day(
    queue: Queue, night: dict[str, int]
) -> None:
    figures = compute(queue.items(), appeals(night), NOW, since=date(2026, 12, 1))

    # OLD-1 (20 November) is left out: 7 requests
    assert figures["requests"] == 7
    assert figures["approval_rate"] == 0.2857  # IMG-1, IMG-2: 2/7 = 0.28571...
    assert figures["partial_rate"] == 0.1429  # 1/7 = 0.142857...
    assert figures["denial_rate"] == 0.2857  # 2/7
    assert figures["pend_rate"] == 0.4286  # 3/7 = 0.428571...
    # standard [1, 2, 4, 10]: median (2 + 4) / 2 = 3, p90 rank ceil(3.6) = 4: 10
    assert figures["decision_hours"]["standard"] == hours(3, 10, 4)
    assert figures["past_deadline"] == 2
    assert figures["by_category"]["Advanced Imaging"]["requests"] == 3
    assert figures["since"] == "2026-12-01"
    assert compute(queue.items(), {}, NOW, since=date(2026, 12, 11))["requests"] == 0


def test_the_90th_percentile_is_the_nearest_rank_not_the_largest(
    queue: Queue, clock: Clock
) -> None:
    for n, after in enumerate([100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]):
        submitted(
            queue,
            clock,
            request("clinical", f"P-{n}", n),
            at=T0,
            status="approved",
            decided_after=after,
        )

    figures = compute(queue.items(), {}, NOW)

    # sorted [1..10, 100]: the median is the 6th, 6; p90's rank ceil(0.9 * 11) = 10: 10, not 100
    assert figures["decision_hours"]["standard"] == hours(6, 10, 11)
    assert nearest_rank([15, 20, 35, 40, 50], 0.9) == 50  # ceil(4.5) = 5th
    assert nearest_rank([1.5], 0.9) == 1.5


def test_no_request_gives_no_rate() -> None:
    figures = compute([], {}, NOW)

    assert figures["requests"] == 0
    assert figures["approval_rate"] is None and figures["pend_rate"] is None
    assert figures["approved_after_appeal_rate"] is None
    assert figures["decision_hours"] == {"expedited": NONE, "standard": NONE}
    assert figures["by_category"] == {} and figures["by_procedure"] == {}


def test_hours_are_rounded_to_two_places(queue: Queue, clock: Clock) -> None:
    submitted(
        queue, clock, request("clinical", "R-1", 0), at=T0, status="approved", decided_after=1 / 3
    )

    assert compute(queue.items(), {}, NOW)["decision_hours"]["standard"] == hours(0.33, 0.33, 1)


@pytest.mark.parametrize("text", ["2026-13-01", "01/12/2026", "20261201", "yesterday", ""])
def test_a_day_that_is_not_yyyy_mm_dd_is_refused_with_the_format(text: str) -> None:
    with pytest.raises(ValueError, match="give the day as YYYY-MM-DD"):
        parse_day(text)
    assert parse_day("2026-12-01") == date(2026, 12, 1)
