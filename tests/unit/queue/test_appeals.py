"""Appeals on each backend: only of a denied or cut request, moving prepared → filed →
overturned or upheld, each change kept in order as the appeal's history; the item's own state
is left alone."""

from __future__ import annotations

import pytest

from bot.queue import IllegalTransition, Item, Queue, State
from bot.queue.appeals import AppealState, appeal_queue
from tests.unit.queue.helpers import put

P, F, OV, U = (AppealState.PREPARED, AppealState.FILED, AppealState.OVERTURNED, AppealState.UPHELD)


def submitted(queue: Queue, status: str) -> Item:
    item = put(queue, State.IN_PROGRESS)
    queue.mark_submitting(item.id, "w1")
    return queue.finish(item.id, "w1", State.SUBMITTED, portal_status=status, reference_id="1")


def test_an_appeal_is_prepared_filed_and_decided_and_its_history_kept(queue: Queue) -> None:
    appeals = appeal_queue(queue)
    denied = submitted(queue, "denied")
    cut = submitted(queue, "partially_approved")

    for state, actor in ((P, "cli"), (P, "cli"), (F, "console:ana"), (OV, "console:bob")):
        appeals.record_appeal(denied.id, state, actor)
    appeals.record_appeal(cut.id, F, "console:ana")

    history = appeals.appeal_history(denied.id)
    assert [(e.state, e.actor) for e in history] == [
        (P, "cli"),
        (P, "cli"),
        (F, "console:ana"),
        (OV, "console:bob"),
    ]
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert appeals.appeal_states() == {denied.id: OV, cut.id: F}
    after = queue.get(denied.id)
    assert (after.state, after.portal_status) == (State.SUBMITTED, "denied")


@pytest.mark.parametrize(
    ("before", "wanted"),
    [
        ((), OV),
        ((), U),
        ((P,), U),
        ((P, F), P),
        ((P, F), F),
        ((F, U), OV),
        ((F, OV), P),
        ((F,), AppealState.DECLINED),
        ((AppealState.DECLINED,), F),
    ],
)
def test_an_appeal_moves_only_forward(
    queue: Queue, before: tuple[AppealState, ...], wanted: AppealState
) -> None:
    appeals = appeal_queue(queue)
    denied = submitted(queue, "denied")
    for state in before:
        appeals.record_appeal(denied.id, state, "cli")

    with pytest.raises(IllegalTransition, match=f"not {wanted}"):
        appeals.record_appeal(denied.id, wanted, "cli")

    assert len(appeals.appeal_history(denied.id)) == len(before)


@pytest.mark.parametrize("status", ["approved", "pended", "no_decision_yet"])
def test_only_a_denied_or_cut_request_is_appealed(queue: Queue, status: str) -> None:
    appeals = appeal_queue(queue)
    item = submitted(queue, status)
    pending = put(queue, State.PENDING)

    for which in (item, pending):
        with pytest.raises(IllegalTransition, match="only a denied or partially approved"):
            appeals.record_appeal(which.id, P, "cli")

    assert appeals.appeal_states() == {}
