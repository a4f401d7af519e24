"""PAS request Bundles of our own, in the shape the Da Vinci PAS guide gives them, built from the
sample requests (``fixtures/requests/``) so that they name the mock portal's members, providers
and codes."""

from __future__ import annotations

import base64
from typing import Any

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"


def pas_bundle(
    request: dict[str, Any],
    claim_id: str,
    *,
    attachments: dict[str, bytes] | None = None,
    urgent: bool = False,
) -> dict[str, Any]:
    """A PAS request Bundle asking for what ``request`` (a request file's record) asks."""
    member = request["member"]
    identifiers = []
    if "caresource_id" in member:
        identifiers.append(
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MB"}
                    ]
                },
                "system": "https://caresource.example/member-id",
                "value": member["caresource_id"],
            }
        )
    if "medicaid_id" in member:
        identifiers.append(
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MA"}
                    ]
                },
                "system": "https://medicaid.ohio.example/id",
                "value": member["medicaid_id"],
            }
        )
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "member", "identifier": identifiers}
    if "first_name" in member:
        patient["name"] = [{"family": member["last_name"], "given": [member["first_name"]]}]
        patient["birthDate"] = member["dob"]
    contact = request["contact"]
    provider = {
        "resourceType": "Organization",
        "id": "requester",
        "identifier": [
            {"system": "http://hl7.org/fhir/sid/us-npi", "value": request["provider_npi"]}
        ],
        "name": contact["name"],
        "telecom": [
            {"system": "phone", "value": contact["phone"]},
            {"system": "fax", "value": contact["fax"]},
        ],
    }
    insurer = {"resourceType": "Organization", "id": "caresource", "name": "CareSource"}
    coverage = {
        "resourceType": "Coverage",
        "id": "coverage",
        "status": "active",
        "beneficiary": {"reference": "Patient/member"},
        "payor": [{"reference": "Organization/caresource"}],
    }
    supporting: list[dict[str, Any]] = []
    resources: list[dict[str, Any]] = []
    answers = request.get("clinical", {}).get("answers", {})
    if answers:
        resources.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": "dtr",
                "status": "completed",
                "item": [
                    {"linkId": str(n), "text": text, "answer": [_answer(value)]}
                    for n, (text, value) in enumerate(answers.items(), 1)
                ],
            }
        )
        supporting.append(
            _info(
                len(supporting) + 1, {"valueReference": {"reference": "QuestionnaireResponse/dtr"}}
            )
        )
    for n, (name, content) in enumerate((attachments or {}).items(), 1):
        resources.append(
            {
                "resourceType": "DocumentReference",
                "id": f"doc-{n}",
                "status": "current",
                "content": [
                    {
                        "attachment": {
                            "contentType": "application/pdf",
                            "title": name,
                            "data": base64.b64encode(content).decode(),
                        }
                    }
                ],
            }
        )
        supporting.append(
            _info(
                len(supporting) + 1, {"valueReference": {"reference": f"DocumentReference/doc-{n}"}}
            )
        )
    claim: dict[str, Any] = {
        "resourceType": "Claim",
        "id": "claim",
        "meta": {"profile": [f"{PAS}/profile-claim"]},
        "identifier": [{"system": "https://riverside-occmed.example/claims", "value": claim_id}],
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": {"reference": "Patient/member"},
        "created": "2026-12-01T09:00:00-05:00",
        "insurer": {"reference": "Organization/caresource"},
        "provider": {"reference": "Organization/requester"},
        "priority": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/processpriority",
                    "code": "normal",
                }
            ]
        },
        "diagnosis": [
            {
                "sequence": n,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": code}]
                },
            }
            for n, code in enumerate(request["diagnosis_codes"], 1)
        ],
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": {"reference": "Coverage/coverage"}}
        ],
        "item": [
            {
                "sequence": n,
                "productOrService": {
                    "coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": line["code"]}]
                },
                "quantity": {"value": line.get("units", 1)},
                "servicedPeriod": {"start": request["start_date"], "end": request["end_date"]},
                "locationCodeableConcept": {
                    "coding": [{"system": POS, "code": request["place_of_service"]}]
                },
            }
            for n, line in enumerate(request["procedures"], 1)
        ],
    }
    if supporting:
        claim["supportingInfo"] = supporting
    if urgent:
        claim["extension"] = [
            {
                "url": f"{PAS}/extension-levelOfServiceCode",
                "valueCodeableConcept": {
                    "coding": [{"system": "http://codesystem.x12.org/005010/1338", "code": "U"}]
                },
            }
        ]
    entries = [claim, patient, provider, insurer, coverage, *resources]
    return {
        "resourceType": "Bundle",
        "meta": {"profile": [f"{PAS}/profile-pas-request-bundle"]},
        "identifier": {
            "system": "https://riverside-occmed.example/transactions",
            "value": f"tx-{claim_id}",
        },
        "type": "collection",
        "timestamp": "2026-12-01T09:00:00-05:00",
        "entry": [
            {
                "fullUrl": f"https://riverside-occmed.example/fhir/{r['resourceType']}/{r['id']}",
                "resource": r,
            }
            for r in entries
        ],
    }


def _answer(value: object) -> dict[str, Any]:
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueString": str(value)}


def _info(sequence: int, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "sequence": sequence,
        "category": {
            "coding": [
                {
                    "system": "http://hl7.org/us/davinci-pas/CodeSystem/PASSupportingInfoType",
                    "code": "additionalInformation",
                }
            ]
        },
        **value,
    }
