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
