"""Priorities, the step in progress, the cheap poll and the resident workers' presence (schema
version 3), on each backend."""

from __future__ import annotations

from bot.queue import Priority, Queue, State
from tests.unit.queue.conftest import FakeClock
from tests.unit.queue.helpers import put

LEASE = 60


def test_a_higher_priority_is_claimed_first_and_the_oldest_first_within_one(
    queue: Queue,
) -> None:
    standard = queue.enqueue("standard", "{}", "f#1").item
    expedited = queue.enqueue("expedited", "{}", "f#2", priority=Priority.EXPEDITED).item
    urgent = queue.enqueue("urgent", "{}", "f#3", priority=Priority.URGENT).item
    later_urgent = queue.enqueue("urgent-2", "{}", "f#4", priority=Priority.URGENT).item

    order = [queue.claim("w", LEASE) for _ in range(4)]

    assert [item.id for item in order if item] == [
        urgent.id,
        later_urgent.id,
        expedited.id,
        standard.id,
    ]
    assert urgent.priority == Priority.URGENT and standard.priority == Priority.STANDARD


def test_prioritize_raises_a_waiting_item_and_never_lowers_one(queue: Queue) -> None:
    queue.enqueue("first", "{}", "f#1")
    second = queue.enqueue("second", "{}", "f#2").item

    assert queue.prioritize(second.id, Priority.URGENT).priority == Priority.URGENT
    assert queue.prioritize(second.id, Priority.EXPEDITED).priority == Priority.URGENT
    taken = queue.claim("w", LEASE)
    assert taken is not None and taken.id == second.id


def test_prioritize_leaves_a_final_item_alone(queue: Queue) -> None:
    done = put(queue, State.SUBMITTED)

    assert queue.prioritize(done.id, Priority.URGENT) == queue.get(done.id)
    assert queue.get(done.id).priority == Priority.STANDARD


def test_the_step_is_written_by_a_heartbeat_kept_by_one_without_and_cleared_by_a_claim(
    queue: Queue, clock: FakeClock
) -> None:
    item = put(queue, State.IN_PROGRESS, worker="w1")

    queue.heartbeat(item.id, "w1", LEASE, step="member_search")
    queue.heartbeat(item.id, "w1", LEASE)
    assert queue.get(item.id).step == "member_search"

    clock.advance(LEASE + 1)
    taken = queue.claim("w2", LEASE)
    assert taken is not None and taken.id == item.id and taken.step is None


def test_claimable_count_counts_what_a_claim_could_take_now(queue: Queue, clock: FakeClock) -> None:
    assert queue.claimable_count() == 0
    put(queue, State.PENDING)
    held = put(queue, State.IN_PROGRESS, worker="w1")
    put(queue, State.SUBMITTED)
    aside = put(queue, State.IN_PROGRESS, worker="w1")
    queue.release(aside.id, "w1", retry_in=30)

    assert queue.claimable_count() == 1
    clock.advance(LEASE + 1)  # the held lease ran out, the item set aside is due
    assert queue.claimable_count() == 3
    taken = [queue.claim("w2", LEASE) for _ in range(3)]
    assert held.id in [item.id for item in taken if item is not None]
    assert queue.claimable_count() == 0


def test_resident_workers_are_seen_while_they_announce_themselves(
    queue: Queue, clock: FakeClock
) -> None:
    queue.announce("host:1", "holder-1", 4)
    clock.advance(3)
    queue.announce("host:2", "holder-2", 1)
    queue.announce("host:1", "holder-1", 4)  # again: alive, not started anew

    seen = queue.residents(fresh_seconds=10)
    assert [(r.name, r.contexts) for r in seen] == [("host:1", 4), ("host:2", 1)]
    assert seen[0].seen_at == clock.now and seen[0].started_at < clock.now

    clock.advance(8)
    assert [r.name for r in queue.residents(fresh_seconds=10)] == ["host:1", "host:2"]
    clock.advance(5)  # neither has said anything for 10 s
    assert queue.residents(fresh_seconds=10) == []

    queue.announce("host:2", "holder-2", 1)
    queue.withdraw("host:2")
    assert queue.residents(fresh_seconds=10) == []


def test_a_claim_with_a_least_priority_takes_only_items_of_that_priority_or_more(
    queue: Queue,
) -> None:
    """A resident worker outside ``PA_BOT_RESIDENT_HOURS`` takes urgent requests only."""
    standard = queue.enqueue("standard", "{}", "t").item
    urgent = queue.enqueue("urgent", "{}", "t", priority=Priority.URGENT).item

    assert queue.claimable_count(Priority.URGENT) == 1
    taken = queue.claim("w1", LEASE, min_priority=Priority.URGENT)
    assert taken is not None and taken.id == urgent.id
    assert queue.claim("w1", LEASE, min_priority=Priority.URGENT) is None
    assert queue.claimable_count(Priority.URGENT) == 0 and queue.claimable_count() == 1
    later = queue.claim("w1", LEASE)
    assert later is not None and later.id == standard.id
