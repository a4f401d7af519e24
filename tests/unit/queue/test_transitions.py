"""Only the transitions of the table are possible: every other one raises, and changes nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bot.queue import (
    LEASED_STATES,
    TRANSITIONS,
    IllegalTransition,
    Item,
    ItemNotFound,
    LeaseLost,
    Queue,
    QueueError,
    State,
    open_queue,
)
from tests.unit.queue.conftest import FakeClock
from tests.unit.queue.helpers import FINAL_BY_WORKER, LEGAL, put

LEASE_60 = timedelta(seconds=60)
OPERATIONS = (
    "mark_submitting",
    "release",
    "update_decision",
    "cancel",
    *(f"finish:{s}" for s in State),
)


def _target(operation: str, current: State) -> State:
    if operation.startswith("finish:"):
        return State(operation.removeprefix("finish:"))
    if operation == "release":
        return State.PENDING if current == State.IN_PROGRESS else current
    if operation == "cancel":
        return State.CANCELLED
    return State.SUBMITTING if operation == "mark_submitting" else State.SUBMITTED


def _apply(queue: Queue, operation: str, item_id: int, worker: str) -> Item:
    if operation.startswith("finish:"):
        return queue.finish(item_id, worker, _target(operation, State.PENDING), error="x")
    if operation == "mark_submitting":
        return queue.mark_submitting(item_id, worker)
    if operation == "release":
        return queue.release(item_id, worker)
    if operation == "cancel":
        return queue.cancel(item_id, "console:ana")
    return queue.update_decision(item_id, "approved")


def test_the_table_is_the_designs() -> None:
    assert {(f, t, str(a)) for (f, t), actions in TRANSITIONS.items() for a in actions} == LEGAL


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("state", list(State))
def test_each_operation_from_each_state(queue: Queue, state: State, operation: str) -> None:
    item = put(queue, state, worker="w1")
    target = _target(operation, state)
    name = operation.split(":")[0]

    if (state, target, name) in LEGAL:
        assert _apply(queue, operation, item.id, "w1").state == target
    else:
        with pytest.raises(IllegalTransition):
            _apply(queue, operation, item.id, "w1")
        assert queue.get(item.id) == item


WORKERS = ("w1", "w2")
UNKNOWN_ID = 999
# An item is chosen by a number: 0 an unknown id, odd an item in progress (if any), even any
# item; a worker by name, or "holder" for whoever holds the item's lease (else w1).
picks = st.integers(0, 15)
workers = st.sampled_from(["holder", "holder", *WORKERS])
states = st.sampled_from(list(State))


def test_random_operations_move_items_only_along_the_table(new_url: Callable[[], str]) -> None:
    """Hypothesis drives random operations by two workers with a clock that jumps, checking each
    outcome against the table: a legal move happens exactly as asked and touches nothing else;
    anything else raises the right error and leaves the queue as it was."""
    seen: Counter[str] = Counter()

    class QueueMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.clock = FakeClock()
            self.queue = open_queue(new_url(), clock=self.clock)

        def teardown(self) -> None:
            self.queue.close()

        def snapshot(self) -> dict[int, Item]:
            return {item.id: item for item in self.queue.items()}

        @initialize()
        def some_requests(self) -> None:
            for key in "abc":
                self.queue.enqueue(key, "{}", "f#1")

        def choose(self, pick: int, who: str) -> tuple[int, str]:
            items = sorted(self.snapshot().values(), key=lambda item: item.id)
            leased = [item for item in items if item.state in LEASED_STATES]
            among = leased if leased and pick % 2 else items  # odd: an item in progress if any
            item_id = UNKNOWN_ID if pick == 0 else among[pick % len(among)].id
            if who != "holder":
                return item_id, who
            item = self.snapshot().get(item_id)
            return item_id, (item.lease_owner if item and item.lease_owner else "w1")

        def expect(self, operation: str, item_id: int, worker: str | None) -> None:
            """Run the operation; check its error, or its move, against the table."""
            before = self.snapshot()
            item = before.get(item_id)
            name = operation.split(":")[0]
            target = _target(operation, item.state if item else State.PENDING)
            error: type[QueueError] | None = None
            if item is None:
                error = ItemNotFound
            elif (item.state, target, name) not in LEGAL:
                error = IllegalTransition
            elif worker is not None and item.lease_owner != worker:
                error = LeaseLost
            seen[f"{name}: {error.__name__ if error else 'moved'}"] += 1
            if error is not None:
                with pytest.raises(error):
                    _apply(self.queue, operation, item_id, worker or "w1")
                assert self.snapshot() == before
                return
            moved = _apply(self.queue, operation, item_id, worker or "w1")
            assert moved.state == target
            assert moved.attempts == before[item_id].attempts
            after = self.snapshot()
            assert after[item_id] == moved
            assert {k: v for k, v in after.items() if k != item_id} == {
                k: v for k, v in before.items() if k != item_id
            }

        @rule(key=st.sampled_from("abcdef"))
        def enqueue(self, key: str) -> None:
            before = self.queue.get_by_key(key)
            queued = self.queue.enqueue(key, "{}", "f#1")
            assert queued.created == (before is None)
            assert queued.item == before if before else queued.item.state == State.PENDING

        @rule(raw=st.sampled_from(["{", "[]"]))
        def add_invalid(self, raw: str) -> None:
            assert self.queue.add_invalid(raw, "bad#1", ["broken"]).state == State.INVALID

        @rule(worker=st.sampled_from(WORKERS))
        def claim(self, worker: str) -> None:
            before = self.snapshot()
            claimable = [
                item.id
                for item in before.values()
                if item.state == State.PENDING
                or (
                    item.state in LEASED_STATES
                    and (item.lease_expires_at is None or item.lease_expires_at <= self.clock.now)
                )
            ]
            taken = self.queue.claim(worker, 60)
            seen[f"claim: {'none' if taken is None else 'taken'}"] += 1
            if not claimable:
                assert taken is None
                return
            assert taken is not None and taken.id == min(claimable)
            was = before[taken.id]
            assert (was.state, taken.state, "claim") in LEGAL
            assert taken.lease_owner == worker and taken.attempts == was.attempts + 1

        @rule(pick=picks, who=workers)
        def mark_submitting(self, pick: int, who: str) -> None:
            self.expect("mark_submitting", *self.choose(pick, who))

        @rule(pick=picks, who=workers, state=st.sampled_from(FINAL_BY_WORKER) | states)
        def finish(self, pick: int, who: str, state: State) -> None:
            self.expect(f"finish:{state}", *self.choose(pick, who))

        @rule(pick=picks, who=workers)
        def release(self, pick: int, who: str) -> None:
            self.expect("release", *self.choose(pick, who))

        @rule(pick=picks)
        def update_decision(self, pick: int) -> None:
            self.expect("update_decision", self.choose(pick, "w1")[0], None)

        @rule(pick=picks)
        def cancel(self, pick: int) -> None:
            self.expect("cancel", self.choose(pick, "w1")[0], None)

        @rule(pick=picks, who=workers)
        def heartbeat(self, pick: int, who: str) -> None:
            item_id, worker = self.choose(pick, who)
            before = self.snapshot()
            item = before.get(item_id)
            error: type[QueueError] | None = None
            if item is None:
                error = ItemNotFound
            elif item.state not in LEASED_STATES:
                error = IllegalTransition
            elif item.lease_owner != worker:
                error = LeaseLost
            if error is not None:
                with pytest.raises(error):
                    self.queue.heartbeat(item_id, worker, 60)
                assert self.snapshot() == before
                return
            self.queue.heartbeat(item_id, worker, 60)
            assert self.queue.get(item_id).lease_expires_at == self.clock.now + LEASE_60

        @rule(seconds=st.sampled_from([1, 59, 61]))
        def tick(self, seconds: int) -> None:
            self.clock.advance(seconds)

        @invariant()
        def leases_belong_to_items_in_progress(self) -> None:
            for item in self.queue.items():
                if item.state not in LEASED_STATES:
                    assert item.lease_owner is None and item.lease_expires_at is None
                assert (item.lease_owner is None) == (item.lease_expires_at is None)

        @invariant()
        def every_recorded_move_is_in_the_table(self) -> None:
            for item in self.queue.items():
                events = self.queue.history(item.id)
                assert events[0].from_state is None
                assert events[-1].to_state == item.state
                for event in events[1:]:
                    assert (event.from_state, event.to_state, event.action) in LEGAL

    run_state_machine_as_test(
        QueueMachine,
        settings=settings(
            max_examples=100,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The run did exercise the queue (the parametrized test above covers every edge for sure).
    assert {"mark_submitting: moved", "release: moved", "finish: moved"} <= set(seen)
    assert sum(count for outcome, count in seen.items() if outcome.endswith("LeaseLost")) > 0
