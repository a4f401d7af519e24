"""Following an item from the queue: steps passed between two reads are still shown."""

from __future__ import annotations

from bot.steps import Step, passed_between


def test_a_step_passed_between_two_reads_is_filled_in() -> None:
    assert passed_between(Step.DETAILS, Step.RESULTS) == [Step.SUBMIT]
    assert passed_between(Step.MEMBER_SEARCH, Step.UPLOAD) == [
        Step.CARE_SETTING,
        Step.DETAILS,
        Step.SUBMIT,
        Step.RESULTS,
    ]


def test_only_steps_every_submission_takes_are_filled_in() -> None:
    assert passed_between(Step.DETAILS, Step.SUBMIT) == [], "Document Clinical is not always"
    assert passed_between(Step.CARE_SETTING, Step.DETAILS) == []


def test_nothing_is_made_up_off_one_submission() -> None:
    assert passed_between(None, Step.RESULTS) == [], "nothing read yet: no guess"
    assert passed_between(Step.RECONCILE, Step.UPLOAD) == [], "a reconciled upload never submits"
    assert passed_between(Step.SUBMIT, Step.MEMBER_SEARCH) == [], "a retry starts over"
