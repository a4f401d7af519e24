"""The queue's contract, against a real database: keys, claims, leases, results, counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.queue import (
    IllegalTransition,
    ItemNotFound,
    LeaseLost,
    Queue,
    State,
)
from tests.unit.queue.conftest import FakeClock
from tests.unit.queue.helpers import put

LEASE = 60


def test_enqueue_creates_a_pending_item(queue: Queue) -> None:
    queued = queue.enqueue("req-1", '{"a": 1}', "day.json#1")

    assert queued.created
    item = queued.item
    assert (item.key, item.state, item.payload, item.source) == (
        "req-1",
        State.PENDING,
        '{"a": 1}',
        "day.json#1",
    )
    assert item.attempts == 0
    assert item.lease_owner is None and item.lease_expires_at is None
    assert item.created_at == item.updated_at
    assert queue.get(item.id) == item == queue.get_by_key("req-1")


def test_a_duplicate_key_is_not_queued_twice_and_changes_nothing(queue: Queue) -> None:
    first = queue.enqueue("req-1", '{"a": 1}', "day.json#1").item

    again = queue.enqueue("req-1", '{"a": 2}', "other.json#7")

    assert not again.created
    assert again.item == first
    assert len(queue.items()) == 1


def test_a_duplicate_of_a_finished_item_leaves_it_finished(queue: Queue) -> None:
    done = put(queue, State.SUBMITTED)

    again = queue.enqueue(done.key, "{}", "again.json#1")

    assert not again.created
    assert again.item == done
    assert queue.claim("w2", LEASE) is None


def test_invalid_items_keep_their_raw_text_and_errors_and_are_final(queue: Queue) -> None:
    item = queue.add_invalid("{not json", "bad.json#2", ["member: required", "npi: bad check"])

    assert item.state == State.INVALID
    assert item.payload == "{not json"
    assert item.source == "bad.json#2"
    assert item.error is not None
    assert "member: required" in item.error and "npi: bad check" in item.error
    assert item.key.startswith("invalid-")
    assert queue.claim("w1", LEASE) is None
    with pytest.raises(IllegalTransition):
        queue.mark_submitting(item.id, "w1")


def test_the_same_invalid_text_from_the_same_place_is_stored_once(queue: Queue) -> None:
    first = queue.add_invalid("{not json", "bad.json#2", ["broken"])

    assert queue.add_invalid("{not json", "bad.json#2", ["broken"]) == first
    assert queue.add_invalid("{not json", "bad.json#3", ["broken"]).id != first.id
    assert queue.counts()[State.INVALID] == 2


def test_claim_takes_the_oldest_pending_item_and_leases_it(queue: Queue, clock: FakeClock) -> None:
    first = queue.enqueue("a", "{}", "f#1").item
    queue.enqueue("b", "{}", "f#2")

    item = queue.claim("w1", LEASE)

    assert item is not None
    assert item.id == first.id
    assert item.state == State.IN_PROGRESS
    assert item.lease_owner == "w1"
    assert item.lease_expires_at == clock.now + timedelta(seconds=LEASE)
    assert item.attempts == 1
    assert queue.get(first.id) == item


def test_claim_returns_none_when_nothing_is_claimable(queue: Queue) -> None:
    assert queue.claim("w1", LEASE) is None
    for state in State:
        put(queue, state, worker="w1")

    taken = queue.claim("w2", LEASE)

    assert taken is not None and taken.state == State.IN_PROGRESS  # the pending one
    assert queue.claim("w2", LEASE) is None


def test_claim_of_a_given_item(queue: Queue) -> None:
    queue.enqueue("a", "{}", "f#1")
    second = queue.enqueue("b", "{}", "f#2").item

    item = queue.claim("w1", LEASE, item_id=second.id)

    assert item is not None and item.id == second.id
    assert queue.claim("w2", LEASE, item_id=second.id) is None
    assert queue.claim("w2", LEASE, item_id=999) is None


def test_a_live_lease_keeps_the_item_from_other_workers(queue: Queue, clock: FakeClock) -> None:
    put(queue, State.IN_PROGRESS, worker="w1")

    clock.advance(LEASE - 1)

    assert queue.claim("w2", LEASE) is None


def test_an_expired_lease_is_claimed_again_and_the_old_worker_loses_it(
    queue: Queue, clock: FakeClock
) -> None:
    item = put(queue, State.IN_PROGRESS, worker="w1")
    clock.advance(LEASE + 1)

    taken = queue.claim("w2", LEASE)

    assert taken is not None and taken.id == item.id
    assert taken.state == State.IN_PROGRESS
    assert taken.lease_owner == "w2"
    assert taken.attempts == 2
    for stale in (
        lambda: queue.finish(item.id, "w1", State.SUBMITTED, reference_id="1"),
        lambda: queue.mark_submitting(item.id, "w1"),
        lambda: queue.heartbeat(item.id, "w1", LEASE),
        lambda: queue.release(item.id, "w1"),
    ):
        with pytest.raises(LeaseLost):
            stale()
    assert queue.get(item.id) == taken
    done = queue.finish(item.id, "w2", State.NOT_REQUIRED)
    assert done.state == State.NOT_REQUIRED
    assert "lease of w1 expired" in [event.note for event in queue.history(item.id)]


def test_an_expired_lease_nobody_took_is_still_the_workers(queue: Queue, clock: FakeClock) -> None:
    item = put(queue, State.IN_PROGRESS, worker="w1")
    clock.advance(LEASE * 10)

    done = queue.finish(item.id, "w1", State.SUBMITTED, portal_status="approved")

    assert done.state == State.SUBMITTED


def test_an_expired_submitting_item_is_handed_out_as_submitting(
    queue: Queue, clock: FakeClock
) -> None:
    item = put(queue, State.SUBMITTING, worker="w1")
    clicked = item.submitting_at
    assert clicked == clock.now
    clock.advance(LEASE + 1)

    taken = queue.claim("w2", LEASE)

    assert taken is not None and taken.id == item.id
    assert taken.state == State.SUBMITTING
    assert taken.submitting_at == clicked
    with pytest.raises(LeaseLost):
        queue.finish(item.id, "w1", State.SUBMITTED)
    clock.advance(5)
    again = queue.mark_submitting(item.id, "w2")  # reconciliation found nothing: click again
    assert again.state == State.SUBMITTING
    assert again.submitting_at == clicked  # the first click; later ones are in the history
    clicks = [e for e in queue.history(item.id) if e.action == "mark_submitting"]
    assert [(e.worker, e.at) for e in clicks] == [("w1", clicked), ("w2", clock.now)]


def test_release_gives_an_item_in_progress_back(queue: Queue) -> None:
    item = put(queue, State.IN_PROGRESS, worker="w1")

    back = queue.release(item.id, "w1", error="portal down")

    assert back.state == State.PENDING
    assert back.error == "portal down"
    assert back.lease_owner is None and back.lease_expires_at is None
    again = queue.claim("w2", LEASE)
    assert again is not None and again.id == item.id and again.attempts == 2


def test_release_keeps_a_submitting_item_submitting_for_the_next_claimer(queue: Queue) -> None:
    item = put(queue, State.SUBMITTING, worker="w1")

    back = queue.release(item.id, "w1", error="result page unclear")

    assert back.state == State.SUBMITTING
    assert back.lease_owner is None and back.lease_expires_at is None
    taken = queue.claim("w2", LEASE)
    assert taken is not None and taken.id == item.id and taken.state == State.SUBMITTING


def test_heartbeat_extends_the_lease(queue: Queue, clock: FakeClock) -> None:
    item = put(queue, State.IN_PROGRESS, worker="w1")
    clock.advance(LEASE - 10)

    queue.heartbeat(item.id, "w1", LEASE)

    assert queue.get(item.id).lease_expires_at == clock.now + timedelta(seconds=LEASE)
    clock.advance(LEASE - 10)
    assert queue.claim("w2", LEASE) is None
    clock.advance(11)
    assert queue.claim("w2", LEASE) is not None


def test_heartbeat_needs_the_lease(queue: Queue) -> None:
    leased = put(queue, State.IN_PROGRESS, worker="w1")
    waiting = put(queue, State.PENDING)

    with pytest.raises(LeaseLost):
        queue.heartbeat(leased.id, "w2", LEASE)
    with pytest.raises(IllegalTransition):
        queue.heartbeat(waiting.id, "w1", LEASE)


def test_finish_records_what_the_portal_said(queue: Queue) -> None:
    item = put(queue, State.SUBMITTING, worker="w1")
    outcome = {"state": "submitted", "reference_id": "123456789", "lines": [], "reconciled": True}

    done = queue.finish(
        item.id,
        "w1",
        State.SUBMITTED,
        portal_status="pended",
        reference_id="123456789",
        outcome=outcome,
    )

    assert done.state == State.SUBMITTED
    assert (done.portal_status, done.reference_id, done.outcome) == ("pended", "123456789", outcome)
    assert done.error is None
    assert done.lease_owner is None and done.lease_expires_at is None
    assert queue.get(item.id) == done


def test_update_decision_changes_a_submitted_items_status(queue: Queue) -> None:
    item = put(queue, State.SUBMITTED)

    decided = queue.update_decision(item.id, "denied")

    assert decided.state == State.SUBMITTED
    assert decided.portal_status == "denied"
    assert decided.outcome == item.outcome
    later = queue.update_decision(item.id, "approved", {"state": "submitted", "lines": []})
    assert later.outcome == {"state": "submitted", "lines": []}


def test_unknown_items(queue: Queue) -> None:
    with pytest.raises(ItemNotFound):
        queue.get(42)
    with pytest.raises(ItemNotFound):
        queue.finish(42, "w1", State.FAILED)
    with pytest.raises(ItemNotFound):
        queue.history(42)
    assert queue.get_by_key("nope") is None


def test_items_and_counts(queue: Queue) -> None:
    made = {state: put(queue, state) for state in State}
    put(queue, State.PENDING)

    counts = queue.counts()

    assert counts == {state: 2 if state == State.PENDING else 1 for state in State}
    assert [item.id for item in queue.items()] == sorted(item.id for item in queue.items())
    assert len(queue.items()) == len(State) + 1
    assert queue.items(State.REJECTED) == [made[State.REJECTED]]


def test_history_tells_who_moved_the_item(queue: Queue) -> None:
    item = put(queue, State.SUBMITTED, worker="w1")

    moves = [(e.action, e.from_state, e.to_state, e.worker) for e in queue.history(item.id)]

    assert moves == [
        ("enqueue", None, State.PENDING, None),
        ("claim", State.PENDING, State.IN_PROGRESS, "w1"),
        ("mark_submitting", State.IN_PROGRESS, State.SUBMITTING, "w1"),
        ("finish", State.SUBMITTING, State.SUBMITTED, "w1"),
    ]


def test_every_change_is_visible_to_another_connection_at_once(
    queue: Queue, queue_url: str, connect: Callable[[str], Queue]
) -> None:
    other = connect(queue_url)
    item = put(queue, State.IN_PROGRESS, worker="w1")

    queue.mark_submitting(item.id, "w1")

    assert other.get(item.id).state == State.SUBMITTING


def test_reopening_keeps_everything(
    queue: Queue, queue_url: str, connect: Callable[[str], Queue]
) -> None:
    for state in State:
        put(queue, state)
    before = queue.items()
    history = [queue.history(item.id) for item in before]
    queue.close()

    reopened = connect(queue_url)

    assert reopened.items() == before
    assert [reopened.history(item.id) for item in before] == history
