"""The login gate's operations and the queue operations added with it, on both backends."""

from __future__ import annotations

from collections.abc import Callable

from bot.queue import Queue, State
from tests.unit.queue.conftest import FakeClock
from tests.unit.queue.helpers import put

ACCOUNT, GOOD, BAD = "acct", "digest-good", "digest-bad"


def test_one_attempt_in_flight_per_account(queue: Queue, clock: FakeClock) -> None:
    assert queue.login_enter(ACCOUNT, GOOD, "a", 60).granted

    busy = queue.login_enter(ACCOUNT, GOOD, "b", 60)

    assert not busy.granted
    assert busy.record is not None and busy.record.attempt_holder == "a"
    assert queue.login_enter(ACCOUNT, GOOD, "a", 60).granted  # its own holder may re-enter
    clock.advance(61)  # the holder died mid-attempt: its short lease decides
    assert queue.login_enter(ACCOUNT, GOOD, "b", 60).granted


def test_a_rejection_stands_for_the_same_secrets_only(queue: Queue) -> None:
    assert queue.login_enter(ACCOUNT, BAD, "a", 60).granted
    queue.login_leave(ACCOUNT, BAD, "a", "rejected", "bad credentials")

    refused = queue.login_enter(ACCOUNT, BAD, "b", 60)

    assert not refused.granted
    record = refused.record
    assert record is not None
    assert (record.rejected_digest, record.rejected_reason) == (BAD, "bad credentials")
    assert record.rejected_at is not None and record.attempt_holder is None
    assert queue.login_enter(ACCOUNT, GOOD, "b", 60).granted  # changed credentials: tried
    queue.login_leave(ACCOUNT, GOOD, "b", "succeeded")
    again = queue.login_record(ACCOUNT)
    assert again is not None and again.rejected_digest == BAD  # B's success does not clear A's
    assert again.succeeded_at is not None


def test_force_passes_a_rejection_and_a_success_clears_it(queue: Queue) -> None:
    queue.login_enter(ACCOUNT, BAD, "a", 60)
    queue.login_leave(ACCOUNT, BAD, "a", "rejected", "locked")

    assert queue.login_enter(ACCOUNT, BAD, "person", 60, force=True).granted
    queue.login_leave(ACCOUNT, BAD, "person", "succeeded")

    record = queue.login_record(ACCOUNT)
    assert record is not None
    assert (record.rejected_digest, record.rejected_at, record.rejected_reason) == (None,) * 3
    assert queue.login_enter(ACCOUNT, BAD, "a", 60).granted


def test_a_holder_whose_attempt_was_taken_over_changes_nothing(
    queue: Queue, clock: FakeClock
) -> None:
    queue.login_enter(ACCOUNT, BAD, "a", 60)
    clock.advance(61)
    queue.login_enter(ACCOUNT, BAD, "b", 60)

    queue.login_leave(ACCOUNT, BAD, "a", "rejected", "bad credentials")

    record = queue.login_record(ACCOUNT)
    assert record is not None
    assert record.rejected_digest is None and record.attempt_holder == "b"


def test_the_gate_is_shared_by_every_connection(
    connect: Callable[[str], Queue], queue_url: str
) -> None:
    one, two = connect(queue_url), connect(queue_url)
    assert one.login_enter(ACCOUNT, GOOD, "a", 60).granted

    assert not two.login_enter(ACCOUNT, GOOD, "b", 60).granted
    one.login_leave(ACCOUNT, GOOD, "a", "unsettled")
    assert two.login_enter(ACCOUNT, GOOD, "b", 60).granted


def test_a_totp_step_is_taken_once(queue: Queue) -> None:
    assert queue.login_take_totp_step(ACCOUNT, 100)
    assert not queue.login_take_totp_step(ACCOUNT, 100)
    assert not queue.login_take_totp_step(ACCOUNT, 99)
    assert queue.login_take_totp_step(ACCOUNT, 101)


def test_release_with_retry_in_sets_the_item_aside(queue: Queue, clock: FakeClock) -> None:
    item = put(queue, State.SUBMITTING)

    queue.release(item.id, "w1", error="not indexed yet", retry_in=30)

    assert queue.claim("w2", 60) is None
    assert queue.claim("w2", 60, item_id=item.id) is not None  # named: handed out anyway
    queue.release(item.id, "w2", retry_in=30)
    clock.advance(31)
    claimed = queue.claim("w3", 60)
    assert claimed is not None and claimed.available_at is None


def test_clicked_at_follows_every_click_and_submitting_at_the_first(
    queue: Queue, clock: FakeClock
) -> None:
    first = put(queue, State.SUBMITTING)
    clock.advance(5)

    again = queue.mark_submitting(first.id, "w1")

    assert again.submitting_at == first.submitting_at
    assert again.clicked_at is not None and first.clicked_at is not None
    assert again.clicked_at > first.clicked_at


def test_the_reference_id_is_written_before_the_item_ends(queue: Queue) -> None:
    item = put(queue, State.SUBMITTING)

    recorded = queue.record_reference(item.id, "w1", "006567083")

    assert (recorded.state, recorded.reference_id) == (State.SUBMITTING, "006567083")
    assert queue.history(item.id)[-1].action == "record_reference"


def test_a_gone_holders_lease_ends_at_once(queue: Queue) -> None:
    item = queue.enqueue("k", "{}", "f#1").item
    claimed = queue.claim("w1", 60, holder="host|boot|ns|1|2")
    assert claimed is not None and claimed.holder == "host|boot|ns|1|2"
    assert queue.claim("w2", 60) is None

    assert not queue.expire_lease(item.id, "another|holder")
    assert queue.expire_lease(item.id, "host|boot|ns|1|2")

    taken = queue.claim("w2", 60)
    assert taken is not None and taken.lease_owner == "w2" and taken.holder is None


def test_the_queue_tells_its_time(queue: Queue, clock: FakeClock) -> None:
    assert queue.now() == clock.now


def test_turns_on_an_account_only_once_it_takes_turns(queue: Queue, clock: FakeClock) -> None:
    alive: Callable[[str], bool] = lambda holder: False  # noqa: E731
    assert queue.turn_take(ACCOUNT, "a", 60, gone=alive) is None  # no row: no turns at all
    assert queue.turn_take(ACCOUNT, "b", 60, gone=alive) is None

    queue.login_take_turns(ACCOUNT)
    first = queue.login_record(ACCOUNT)
    assert first is not None and first.turns_since is not None
    clock.advance(5)
    queue.login_take_turns(ACCOUNT)  # kept once set
    assert queue.login_record(ACCOUNT) == first

    assert queue.turn_take(ACCOUNT, "a", 60, gone=alive) is None
    assert queue.turn_take(ACCOUNT, "b", 60, gone=alive) == "a"
    clock.advance(50)
    assert queue.turn_take(ACCOUNT, "a", 60, gone=alive) is None  # renewed
    clock.advance(50)
    assert queue.turn_take(ACCOUNT, "b", 60, gone=alive) == "a"
    assert queue.turn_take(ACCOUNT, "b", 60, gone=lambda holder: holder == "a") is None
    queue.turn_release(ACCOUNT, "a")  # not a's any more: nothing changes
    record = queue.login_record(ACCOUNT)
    assert record is not None and record.turn_holder == "b" and record.turn_until is not None
    queue.turn_release(ACCOUNT, "b")
    assert queue.turn_take(ACCOUNT, "a", 60, gone=alive) is None
    clock.advance(61)  # a's lease ran out
    assert queue.turn_take(ACCOUNT, "b", 60, gone=alive) is None


def test_single_session_on_an_account_with_a_gate_row(queue: Queue) -> None:
    assert queue.login_enter(ACCOUNT, GOOD, "a", 60).granted
    queue.login_leave(ACCOUNT, GOOD, "a", "succeeded")
    queue.login_take_turns(ACCOUNT)
    record = queue.login_record(ACCOUNT)
    assert record is not None and record.turns_since is not None
    assert record.succeeded_at is not None
