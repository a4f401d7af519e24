"""Follow-ups asked for from the console, on each backend: asked only of a request still waiting
for the payer's decision (an attachment only of a pended one), taken by one worker at a time
under a lease, ended once."""

from __future__ import annotations

import pytest

from bot.queue import IllegalTransition, Item, Queue, State
from bot.queue.follow_ups import follow_up_queue
from tests.unit.queue.conftest import FakeClock
from tests.unit.queue.helpers import put

LEASE = 60


def submitted(queue: Queue, status: str) -> Item:
    item = put(queue, State.IN_PROGRESS)
    queue.mark_submitting(item.id, "w1")
    return queue.finish(item.id, "w1", State.SUBMITTED, portal_status=status, reference_id="1")


def test_a_plain_ask_is_made_once_while_it_is_open(queue: Queue) -> None:
    asks = follow_up_queue(queue)
    waiting = submitted(queue, "no_decision_yet")

    first = asks.ask_follow_up(waiting.id, "ann")
    again = asks.ask_follow_up(waiting.id, "bob")

    assert again == first
    assert (first.item_id, first.asked_by, first.attachment, first.done_at) == (
        waiting.id,
        "ann",
        None,
        None,
    )
    assert asks.open_follow_ups() == 1
    assert asks.follow_ups(waiting.id) == [first]


@pytest.mark.parametrize(
    ("state", "status", "attachment"),
    [
        (State.SUBMITTED, "approved", None),
        (State.SUBMITTED, "denied", None),
        (State.SUBMITTED, "no_decision_yet", "notes.pdf"),
        (State.PENDING, None, None),
        (State.FAILED, None, None),
    ],
)
def test_only_an_undecided_request_is_followed_up_and_only_a_pended_one_gets_files(
    queue: Queue, state: State, status: str | None, attachment: str | None
) -> None:
    asks = follow_up_queue(queue)
    item = submitted(queue, status) if status else put(queue, state)

    with pytest.raises(IllegalTransition):
        asks.ask_follow_up(item.id, "ann", attachment)

    assert asks.follow_ups(item.id) == []


def test_a_pended_request_gets_each_attachment_as_an_ask_of_its_own(queue: Queue) -> None:
    asks = follow_up_queue(queue)
    pended = submitted(queue, "pended")

    one = asks.ask_follow_up(pended.id, "ann", "/artifacts/uploads/a/notes.pdf")
    two = asks.ask_follow_up(pended.id, "ann", "/artifacts/uploads/b/xray.pdf")

    assert one.id != two.id
    assert [a.attachment for a in asks.follow_ups(pended.id)] == [one.attachment, two.attachment]


def test_one_worker_at_a_time_takes_an_ask_and_its_lease_passes_it_on(
    queue: Queue, clock: FakeClock
) -> None:
    asks = follow_up_queue(queue)
    first = asks.ask_follow_up(submitted(queue, "pended").id, "ann")
    second = asks.ask_follow_up(submitted(queue, "no_decision_yet").id, "ann")

    taken = asks.take_follow_up("w1", LEASE)
    other = asks.take_follow_up("w2", LEASE)
    assert taken is not None and taken.id == first.id and taken.taken_by == "w1"
    assert other is not None and other.id == second.id
    assert asks.take_follow_up("w3", LEASE) is None
    assert asks.open_follow_ups() == 0

    clock.advance(LEASE + 1)  # w1 died: its ask goes to the next worker
    again = asks.take_follow_up("w3", LEASE)
    assert again is not None and again.id == first.id and again.taken_by == "w3"

    with pytest.raises(IllegalTransition):
        asks.end_follow_up(first.id, "w1", None)
    done = asks.end_follow_up(first.id, "w3", None)
    failed = asks.end_follow_up(second.id, "w2", "PortalUnavailable: 503")
    assert done.done_at is not None and done.error is None
    assert failed.error == "PortalUnavailable: 503"
    with pytest.raises(IllegalTransition):
        asks.end_follow_up(first.id, "w3", None)
    assert asks.take_follow_up("w4", LEASE) is None
