"""Eligibility checks on each backend: kept as answered, the newest answer found for a member
and a date; asked from the console, taken by one worker at a time under a lease, taken again
once the lease ends, answered once, given back when the worker must stop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.queue import IllegalTransition, Queue
from bot.queue.eligibility import Answered, eligibility_queue
from tests.unit.queue.conftest import FakeClock

DAY = date(2026, 12, 8)


def test_the_newest_answer_for_a_member_and_a_date_is_found(queue: Queue) -> None:
    checks = eligibility_queue(queue)
    checks.record_eligibility("k1", "{}", DAY, Answered(eligible=False))
    checks.record_eligibility("k1", "{}", DAY, Answered(eligible=None, error="member not found"))
    newer = checks.record_eligibility("k1", "{}", DAY, Answered(eligible=True, plan="Medicaid"))
    checks.record_eligibility("k2", "{}", DAY, Answered(eligible=False))

    found = checks.latest_eligibility("k1", DAY)

    assert found == newer and found.eligible is True and found.plan == "Medicaid"
    assert checks.latest_eligibility("k1", DAY + timedelta(days=1)) is None
    assert [c.member_key for c in checks.eligibility_checks(on=DAY)] == ["k1", "k1", "k1", "k2"]


def test_an_asked_check_is_taken_once_answered_once_and_counted(
    queue: Queue, clock: FakeClock
) -> None:
    checks = eligibility_queue(queue)
    first = checks.ask_eligibility("k1", '{"caresource_id": "105634024"}', DAY, "b1")
    checks.ask_eligibility("k2", "{}", DAY, "b1")
    assert checks.open_eligibility() == 2

    taken = checks.take_eligibility("w1", 60)
    other = checks.take_eligibility("w2", 60)

    assert taken is not None and taken.id == first.id and other is not None
    assert other.id != first.id and checks.take_eligibility("w3", 60) is None
    answered = checks.answer_eligibility(first.id, "w1", Answered(eligible=True, plan="Medicaid"))
    assert (answered.eligible, answered.plan) == (True, "Medicaid")
    with pytest.raises(IllegalTransition):
        checks.answer_eligibility(first.id, "w1", Answered(eligible=False))
    assert checks.open_eligibility() == 0
    assert [c.batch for c in checks.eligibility_checks(batch="b1")] == ["b1", "b1"]


def test_a_lease_that_ends_lets_another_worker_take_the_check(
    queue: Queue, clock: FakeClock
) -> None:
    checks = eligibility_queue(queue)
    asked = checks.ask_eligibility("k1", "{}", DAY, "b1")
    assert checks.take_eligibility("w1", 30) is not None

    clock.advance(31)
    again = checks.take_eligibility("w2", 30)

    assert again is not None and again.id == asked.id
    with pytest.raises(IllegalTransition, match="not w1's"):
        checks.answer_eligibility(asked.id, "w1", Answered(eligible=True))
    checks.answer_eligibility(asked.id, "w2", Answered(eligible=True))


def test_a_check_given_back_is_taken_again(queue: Queue) -> None:
    checks = eligibility_queue(queue)
    asked = checks.ask_eligibility("k1", "{}", DAY, "b1")
    assert checks.take_eligibility("w1", 60) is not None

    checks.release_eligibility(asked.id, "w1")

    again = checks.take_eligibility("w2", 60)
    assert again is not None and again.id == asked.id
