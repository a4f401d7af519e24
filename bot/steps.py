"""The steps of one request, in the order the flow takes them, and what a person reads for each."""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """A step of the flow: the journal records it as it starts (progress, the queue's item)."""

    LOGIN = "login"
    MEMBER_SEARCH = "member_search"
    CARE_SETTING = "care_setting"
    DETAILS = "details"
    DOCUMENT_CLINICAL = "document_clinical"
    SUBMIT = "submit"
    RESULTS = "results"
    UPLOAD = "upload"
    RECONCILE = "reconcile"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Step.LOGIN: "Logging in",
    Step.MEMBER_SEARCH: "Finding the member",
    Step.CARE_SETTING: "Care setting, category and provider",
    Step.DETAILS: "Dates, codes and contact",
    Step.DOCUMENT_CLINICAL: "Document Clinical",
    Step.SUBMIT: "Submitting",
    Step.RESULTS: "Reading the results, saving proof",
    Step.UPLOAD: "Uploading attachments",
    Step.RECONCILE: "Checking the Status tab for an earlier submission",
}


SUBMIT_PATH = (
    Step.MEMBER_SEARCH,
    Step.CARE_SETTING,
    Step.DETAILS,
    Step.DOCUMENT_CLINICAL,
    Step.SUBMIT,
    Step.RESULTS,
    Step.UPLOAD,
)
"""The steps of a submission, in order; Document Clinical and the upload only when needed."""

OPTIONAL = frozenset({Step.DOCUMENT_CLINICAL, Step.UPLOAD})


def passed_between(shown: Step | None, seen: Step) -> list[Step]:
    """The steps a submission must have passed after ``shown`` to reach ``seen``.

    Someone who follows an item from the queue reads its current step now and then; a fast step
    (Submit takes a fraction of a second) may begin and end between two reads. Only the steps
    every submission takes are filled in, and only along one submission.
    """
    if shown is None or shown not in SUBMIT_PATH or seen not in SUBMIT_PATH:
        return []
    start, end = SUBMIT_PATH.index(shown), SUBMIT_PATH.index(seen)
    return [step for step in SUBMIT_PATH[start + 1 : end] if step not in OPTIONAL]


def step_label(name: str) -> str:
    """What a person reads for a step (its name, for a step this version does not know)."""
    label: str = LABELS.get(name, name)  # type: ignore[call-overload]
    return label
