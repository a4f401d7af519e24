"""What the queue tests share: the transitions as the brief states them, and a way to put an
item into any state through the public API."""

from __future__ import annotations

import itertools

from bot.queue import Item, Queue, State

S = State
FINAL_BY_WORKER = (S.SUBMITTED, S.NOT_REQUIRED, S.REJECTED, S.FAILED)

# Written out from the design, independently of bot.queue.base.TRANSITIONS: (from, to, operation).
LEGAL: frozenset[tuple[State, State, str]] = frozenset(
    {
        (S.PENDING, S.IN_PROGRESS, "claim"),
        (S.IN_PROGRESS, S.IN_PROGRESS, "claim"),
        (S.SUBMITTING, S.SUBMITTING, "claim"),
        (S.IN_PROGRESS, S.SUBMITTING, "mark_submitting"),
        (S.SUBMITTING, S.SUBMITTING, "mark_submitting"),
        (S.IN_PROGRESS, S.PENDING, "release"),
        (S.SUBMITTING, S.SUBMITTING, "release"),
        (S.SUBMITTING, S.SUBMITTING, "record_reference"),
        *((S.IN_PROGRESS, final, "finish") for final in FINAL_BY_WORKER),
        (S.SUBMITTING, S.SUBMITTED, "finish"),
        (S.SUBMITTING, S.REJECTED, "finish"),
        (S.SUBMITTING, S.FAILED, "finish"),
        (S.SUBMITTED, S.SUBMITTED, "update_decision"),
        (S.FAILED, S.PENDING, "retry"),
        (S.FAILED, S.SUBMITTING, "retry"),
        (S.PENDING, S.CANCELLED, "cancel"),
        (S.PENDING, S.SUBMITTING, "restored"),
        (S.IN_PROGRESS, S.SUBMITTING, "restored"),
    }
)

_keys = itertools.count()


def put(queue: Queue, state: State, worker: str = "w1") -> Item:
    """A new item in ``state``; leased to ``worker`` when in progress or submitting."""
    if state == S.INVALID:
        return queue.add_invalid(f"not json {next(_keys)}", "bad.json#1", ["member: required"])
    item = queue.enqueue(f"key-{next(_keys)}", "{}", "requests.json#1").item
    if state == S.PENDING:
        return item
    if state == S.CANCELLED:
        return queue.cancel(item.id, "console:ana")
    claimed = queue.claim(worker, 60, item_id=item.id)
    assert claimed is not None
    if state == S.IN_PROGRESS:
        return claimed
    if state in (S.SUBMITTING, S.SUBMITTED):
        claimed = queue.mark_submitting(item.id, worker)
    if state == S.SUBMITTING:
        return claimed
    if state == S.SUBMITTED:
        return queue.finish(item.id, worker, state, portal_status="approved", reference_id="1")
    return queue.finish(item.id, worker, state, error="why")
