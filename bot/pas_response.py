"""The answers of the FHIR front door: a PAS response Bundle (a ClaimResponse first) for a
queued request, and an OperationOutcome for a Bundle that cannot be taken.

The review action of each item is the portal's decision, in X12 306 codes: approved A1, denied
A3, pended or no decision yet A4, partially approved A6 (with the authorized quantity), no
authorization required NA. ``preAuthRef`` is the portal's reference ID. The request's own
identifiers are echoed, so that the EHR can match the answer and ask again with them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from bot.models import Outcome
from bot.pas_bundle import PasBundle, Problem
from bot.queue import Item, State
from bot.queued import outcome_of

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
X12_306 = "https://codesystem.x12.org/005010/306"
REVIEW_ACTIONS = {
    "approved": ("A1", "Certified in total"),
    "denied": ("A3", "Not Certified"),
    "pended": ("A4", "Pended"),
    "no_decision_yet": ("A4", "Pended"),
    "partially_approved": ("A6", "Modified"),
    "not_required": ("NA", "No Action Required"),
}
WAITING = ("A4", "Pended")
"""Not decided yet, or not submitted yet (the portal is slower than the answer): ask again."""


def operation_outcome(problems: list[Problem]) -> dict[str, Any]:
    """Every problem as an issue naming its element in ``expression``."""
    outcome = OperationOutcome.model_validate(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": problem.severity,
                    "code": problem.code,
                    "diagnostics": problem.text,
                    "expression": [problem.expression],
                }
                for problem in problems
            ],
        }
    )
    return _json(outcome)


def response_bundle(read: PasBundle, item: Item, warnings: list[Problem]) -> dict[str, Any]:
    """The PAS response Bundle for the request ``read`` asked for, as the queue knows it now."""
    claim = read.claim
    now = datetime.now(UTC).isoformat(timespec="seconds")
    outcome = outcome_of(item)
    code, display = _review(item)
    response: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": item.key,
        "meta": {"profile": [f"{PAS}/profile-claimresponse"]},
        "identifier": [
            i.model_dump(mode="json", exclude_none=True) for i in claim.identifier or []
        ],
        "status": "active",
        "type": claim.type.model_dump(mode="json", exclude_none=True),
        "use": "preauthorization",
        "patient": {"reference": claim.patient.reference},
        "created": now,
        "insurer": {"reference": claim.insurer.reference}
        if claim.insurer
        else {"display": "CareSource"},
        "requestor": {"reference": claim.provider.reference},
        "outcome": _outcome_code(item),
        "item": [
            _item(index + 1, code, display, item, outcome) for index in range(len(claim.item or []))
        ],
    }
    if item.reference_id:
        response["preAuthRef"] = item.reference_id
    reason = _reason(item, outcome)
    if reason:
        response["disposition"] = reason
    if item.state == State.REJECTED:
        response["error"] = [{"code": {"text": reason or "refused by the portal"}}]
    entries = [{"fullUrl": f"urn:uuid:claimresponse-{item.id}", "resource": response}]
    for entry in read.bundle.entry[1:] if read.bundle.entry else []:
        if entry.resource is not None and entry.resource.get_resource_type() in (
            "Patient",
            "Organization",
            "Practitioner",
            "PractitionerRole",
        ):
            entries.append(entry.model_dump(mode="json", exclude_none=True))
    if warnings:
        entries.append(
            {"fullUrl": f"urn:uuid:outcome-{item.id}", "resource": operation_outcome(warnings)}
        )
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "meta": {"profile": [f"{PAS}/profile-pas-response-bundle"]},
            "identifier": read.bundle.identifier.model_dump(mode="json", exclude_none=True)
            if read.bundle.identifier
            else None,
            "type": "collection",
            "timestamp": now,
            "entry": entries,
        }
    )
    return _json(bundle)


def _review(item: Item) -> tuple[str, str]:
    if item.state == State.NOT_REQUIRED:
        return REVIEW_ACTIONS["not_required"]
    if item.state == State.SUBMITTED and item.portal_status in REVIEW_ACTIONS:
        return REVIEW_ACTIONS[item.portal_status]
    return WAITING


def _outcome_code(item: Item) -> str:
    if item.state in (State.REJECTED, State.FAILED, State.INVALID):
        return "error"
    if item.state in (State.SUBMITTED, State.NOT_REQUIRED) and item.portal_status not in (
        "pended",
        "no_decision_yet",
    ):
        return "complete"
    return "queued"


def _item(
    sequence: int, code: str, display: str, item: Item, outcome: Outcome | None
) -> dict[str, Any]:
    review: list[dict[str, Any]] = [
        {
            "url": f"{PAS}/extension-reviewActionCode",
            "valueCodeableConcept": {
                "coding": [{"system": X12_306, "code": code, "display": display}]
            },
        }
    ]
    if item.reference_id:
        review.insert(0, {"url": "number", "valueString": item.reference_id})
    extensions: list[dict[str, Any]] = []
    line = outcome.lines[sequence - 1] if outcome and len(outcome.lines) >= sequence else None
    if code == "A6" and line is not None and line.authorized_units is not None:
        extensions.append(
            {
                "url": f"{PAS}/extension-itemAuthorizedDetail",
                "extension": [
                    {"url": "quantity", "valueQuantity": {"value": line.authorized_units}}
                ],
            }
        )
    found: dict[str, Any] = {
        "itemSequence": sequence,
        "adjudication": [
            {
                "extension": [{"url": f"{PAS}/extension-reviewAction", "extension": review}],
                "category": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/adjudication",
                            "code": "submitted",
                        }
                    ]
                },
            }
        ],
    }
    if extensions:
        found["extension"] = extensions
    return found


def _reason(item: Item, outcome: Outcome | None) -> str | None:
    if item.state == State.REJECTED:
        return (item.error or "").split(": ", 1)[-1] or None
    if outcome and outcome.denial_reason:  # denied or cut: the payer's reason (CMS-0057-F)
        code = f"{outcome.reason_code}: " if outcome.reason_code else ""
        return f"{code}{outcome.denial_reason}"
    if outcome and outcome.messages and item.portal_status == "denied":
        return "; ".join(outcome.messages)
    return None


def _json(resource: Any) -> dict[str, Any]:
    found: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True)
    return found
