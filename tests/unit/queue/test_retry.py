"""A person retries a failed item (the console's Retry): fresh attempts, and back to submitting
when Submit was ever about to be clicked, so that it is reconciled before anything else."""

from __future__ import annotations

import pytest

from bot.queue import Action, IllegalTransition, Queue, State


def failed(queue: Queue, key: str, *, clicked: bool) -> int:
    item = queue.enqueue(key, "{}", "test").item
    queue.claim("w1", 60, item_id=item.id)
    if clicked:
        queue.mark_submitting(item.id, "w1")
    queue.finish(item.id, "w1", State.FAILED, error="system error: boom")
    return item.id


def test_a_failed_item_never_clicked_is_pending_again_with_fresh_attempts(queue: Queue) -> None:
    item_id = failed(queue, "never-clicked", clicked=False)

    retried = queue.retry(item_id, "console:ann")

    assert (retried.state, retried.attempts, retried.error) == (State.PENDING, 0, None)
    assert retried.lease_owner is None
    last = queue.history(item_id)[-1]
    assert (last.action, last.from_state, last.worker) == (
        Action.RETRY,
        State.FAILED,
        "console:ann",
    )
    assert queue.claim("w2", 60) is not None, "a retried item is claimable at once"


def test_a_failed_item_once_about_to_be_submitted_goes_back_to_submitting(queue: Queue) -> None:
    item_id = failed(queue, "clicked", clicked=True)

    retried = queue.retry(item_id, "console:ann")

    assert retried.state == State.SUBMITTING and retried.attempts == 0
    claimed = queue.claim("w2", 60)
    assert claimed is not None and claimed.state == State.SUBMITTING, "reconciled first"


@pytest.mark.parametrize("state", [State.PENDING, State.SUBMITTED, State.REJECTED])
def test_only_a_failed_item_can_be_retried(queue: Queue, state: State) -> None:
    item = queue.enqueue(f"not-failed-{state}", "{}", "test").item
    if state != State.PENDING:
        queue.claim("w1", 60, item_id=item.id)
        queue.finish(item.id, "w1", state)

    with pytest.raises(IllegalTransition):
        queue.retry(item.id, "console:ann")
    assert queue.get(item.id).state == state
