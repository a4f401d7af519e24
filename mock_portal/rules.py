"""The portal's business rules: what each procedure code needs, how clinical answers are scored,
and how line decisions add up to the authorization's status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mock_portal.catalog import Procedure, Question

CATEGORIES = (
    "Advanced Imaging",
    "Physical Therapy",
    "Occupational Therapy",
    "Chiropractic",
    "Durable Medical Equipment",
    "Injections",
    "Drug Testing",
    "Outpatient Surgery",
)
TREATMENT_TYPES = (
    "Diagnostic",
    "Therapeutic",
    "Surgical",
    "Rehabilitative",
    "Durable Medical Equipment",
    "Laboratory",
)
PLACES_OF_SERVICE = {
    "11": "Office",
    "12": "Home",
    "19": "Off Campus-Outpatient Hospital",
    "22": "On Campus-Outpatient Hospital",
    "24": "Ambulatory Surgical Center",
    "49": "Independent Clinic",
    "81": "Independent Laboratory",
}
CARE_SETTINGS = ("Inpatient", "Outpatient")

Status = Literal["Approved", "Pended", "Denied", "NoDecisionYet", "Partially Approved"]
STATUSES: tuple[Status, ...] = (
    "Approved",
    "Pended",
    "Denied",
    "NoDecisionYet",
    "Partially Approved",
)

GUARANTEE = (
    "An authorization is not a guarantee of payment, but is based on medical necessity, "
    "appropriate coding and benefits. Benefits may be subject to limitation and/or "
    "qualifications and will be determined when the claim is received for processing."
)
REVIEW_REQUIRED = (
    "REVIEW REQUIRED: This request requires review. "
    "Select the 'Document Clinical' button to continue."
)
CRITERIA_MET = (
    "Criteria met for this request. Please select the 'Submit Request' button to proceed. "
    "You will receive your authorization status and reference ID after submitting this "
    "request. " + GUARANTEE
)
CRITERIA_NOT_MET = (
    "Criteria not met. This request will be reviewed by a medical director. "
    "Please select the 'Submit Request' button to proceed."
)
DIRECTOR_REVIEW = (
    "MEDICAL DIRECTOR REVIEW: This service is always reviewed by a medical director. "
    "Please select the 'Submit Request' button to proceed."
)
NOT_REQUIRED = "Authorization not required: No prior authorization is required for this service."


def beyond_limits(limit: int) -> str:
    return (
        f"BEYOND BENEFIT LIMITS: The requested units exceed the plan's limit of {limit} visits "
        "per year. Units beyond the limit will not be authorized. Please select the 'Submit "
        "Request' button to proceed."
    )


def question_met(question: Question, answer: str) -> bool:
    criterion = question.criterion
    if question.type == "number":
        try:
            value = int(answer)
        except ValueError:
            return False
        return criterion.min is None or value >= criterion.min
    return criterion.equals is None or answer == criterion.equals


def criteria_met(questions: list[Question], answers: dict[str, str]) -> bool:
    """Every question outside an ``any_of`` group is met, and each group has one met."""
    groups: dict[str, bool] = {}
    for question in questions:
        met = question_met(question, answers.get(question.key, ""))
        if question.any_of is None:
            if not met:
                return False
        else:
            groups[question.any_of] = groups.get(question.any_of, False) or met
    return all(groups.values())


def exceeds_limit(procedure: Procedure, units: int) -> bool:
    limit = procedure.rule.max_units
    return procedure.rule.kind == "limit" and limit is not None and units > limit


@dataclass(frozen=True)
class Disclaimer:
    """What the summary says about one procedure code, and whether it still needs clinical."""

    text: str
    needs_clinical: bool = False


def disclaimer(procedure: Procedure, units: int, clinical_met: bool | None) -> Disclaimer:
    """``clinical_met`` is None until Document Clinical was saved for the code."""
    kind = procedure.rule.kind
    if kind == "not_required":
        return Disclaimer(NOT_REQUIRED)
    if kind == "clinical":
        if clinical_met is None:
            return Disclaimer(REVIEW_REQUIRED, needs_clinical=True)
        return Disclaimer(CRITERIA_MET if clinical_met else CRITERIA_NOT_MET)
    if kind in ("review", "decision_later"):
        return Disclaimer(DIRECTOR_REVIEW)
    if kind == "not_covered":
        return Disclaimer(CRITERIA_NOT_MET)
    limit = procedure.rule.max_units or 0
    return Disclaimer(beyond_limits(limit) if exceeds_limit(procedure, units) else CRITERIA_MET)


MEDICALLY_UNNECESSARY = "MN01"
FEWER_UNITS = "MN02"
"""The reasons a later decision (``/_mock/.../decision``) gives when it names none."""


@dataclass(frozen=True)
class LineDecision:
    status: Status
    authorized_units: int | None
    reason: str | None = None
    """The reason code of a denied or partially approved line."""


def decide_line(procedure: Procedure, units: int, clinical_met: bool | None) -> LineDecision:
    """The decision on one line at submit time."""
    kind = procedure.rule.kind
    if kind == "not_required":
        return LineDecision("Approved", units)
    if kind == "clinical":
        return LineDecision("Approved", units) if clinical_met else LineDecision("Pended", None)
    if kind == "review":
        return LineDecision("Pended", None)
    if kind == "not_covered":
        return LineDecision("Denied", 0, procedure.rule.reason)
    if kind == "decision_later":
        return LineDecision("NoDecisionYet", None)
    limit = procedure.rule.max_units or 0
    if units > limit:
        return LineDecision("Partially Approved", limit, procedure.rule.reason)
    return LineDecision("Approved", units)


def aggregate(statuses: list[Status]) -> Status:
    """The authorization's status from its lines' statuses."""
    if not statuses:
        return "NoDecisionYet"
    if "Pended" in statuses:
        return "Pended"
    if "NoDecisionYet" in statuses:
        return "NoDecisionYet"
    if all(s == "Approved" for s in statuses):
        return "Approved"
    if all(s == "Denied" for s in statuses):
        return "Denied"
    return "Partially Approved"


def decided_line(status: Status, requested: int, reason: str | None = None) -> LineDecision:
    """A line as a later decision (``/_mock/.../decision``) leaves it, with the reason given
    (else :data:`MEDICALLY_UNNECESSARY` for a denial, :data:`FEWER_UNITS` for a cut)."""
    if status == "Approved":
        return LineDecision("Approved", requested)
    if status == "Denied":
        return LineDecision("Denied", 0, reason or MEDICALLY_UNNECESSARY)
    if status == "Partially Approved":
        return LineDecision("Partially Approved", max(1, requested // 2), reason or FEWER_UNITS)
    return LineDecision(status, None)


def authorization_reason(lines: list[tuple[Status, str | None]]) -> str | None:
    """The authorization's reason: the first denied line's, else the first cut line's."""
    for wanted in ("Denied", "Partially Approved"):
        found = next((reason for status, reason in lines if status == wanted and reason), None)
        if found:
            return found
    return None


CATEGORY_CODES = {
    "IMG": "Advanced Imaging",
    "PT": "Physical Therapy",
    "OT": "Occupational Therapy",
    "CHIRO": "Chiropractic",
    "DME": "Durable Medical Equipment",
    "INJ": "Injections",
    "DRUG": "Drug Testing",
    "SURG": "Outpatient Surgery",
}
TREATMENT_CODES = {
    "DIAG": "Diagnostic",
    "THER": "Therapeutic",
    "SURG": "Surgical",
    "REHAB": "Rehabilitative",
    "DME": "Durable Medical Equipment",
    "LAB": "Laboratory",
}


def code_for(table: dict[str, str], label: str) -> str:
    """The option value of a label (``Advanced Imaging`` → ``IMG``); empty when unknown."""
    return next((code for code, name in table.items() if name == label), "")
