"""A PAS request Bundle mapped to the portal's request (``AuthRequest``), field by field as
docs/FHIR.md tables it, with every element it cannot use named in a problem.

Nothing is queued unless nothing is wrong: ``map_claim`` answers the request, or the problems.
What ``Claim.supportingInfo`` carries (answers, notes, attachments) is ``bot.pas_supporting``'s.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from bot import pas_codes as codes
from bot.config import Settings
from bot.intake import Accepted, Entry, Rejected
from bot.models import (
    PLACES_OF_SERVICE,
    AuthRequest,
    billable_icd10,
    dotted_icd10,
    npi_is_valid,
)
from bot.pas_bundle import NotPasRequest, PasBundle, Problem, read_bundle
from bot.pas_supporting import supporting

KEY_PREFIX = "pas-"


@dataclass
class Mapped:
    """What a Bundle maps to: the request (None when a problem is an error) and the problems."""

    request: AuthRequest | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def claim_key(read: PasBundle) -> str | None:
    """The queue's key of the Claim: a digest of its first identifier (system and value), so
    that the same Claim sent twice is one request; None (and a problem) without one."""
    for identifier in read.claim.identifier or []:
        if identifier.value:
            raw = f"{identifier.system or ''}|{identifier.value}"
            return KEY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()[:20]
    read.problems.append(
        Problem(
            "Claim.identifier",
            "a Claim identifier is required: it is how a Claim sent twice is known",
        )
    )
    return None


def map_claim(read: PasBundle, settings: Settings) -> Mapped:
    """The request a PAS Bundle asks for, or every problem with it."""
    key = claim_key(read)
    fields: dict[str, Any] = {"id": key}
    fields["member"] = _member(read)
    fields["provider_npi"], contact = _provider(read, settings)
    fields["contact"] = contact
    fields["diagnosis_codes"] = _diagnoses(read)
    lines, dates, kinds, places = _items(read)
    fields["procedures"] = lines
    if dates:
        fields["start_date"] = min(start for start, _ in dates)
        fields["end_date"] = max(end for _, end in dates)
    if kinds:
        fields["category"], fields["treatment_type"] = kinds[0]
    if places:
        fields["place_of_service"] = places[0]
    fields["urgency"] = _urgency(read)
    answers, notes, attachments = supporting(read, settings.artifacts_dir / "fhir")
    fields["clinical"] = {"answers": answers, "notes": notes}
    fields["attachments"] = [path.name for path in attachments]
    if any(p.severity == "error" for p in read.problems):
        return Mapped(None, read.problems)
    folder = attachments[0].parent if attachments else settings.artifacts_dir / "no-server-files"
    try:
        request = AuthRequest.model_validate(fields, context={"uploaded": str(folder)})
    except ValidationError as exc:
        for error in exc.errors():
            where = str(error["loc"][0]) if error["loc"] else "Claim"
            read.problems.append(Problem(_ELEMENT.get(where, "Claim"), str(error["msg"])))
        return Mapped(None, read.problems)
    return Mapped(request, read.problems)


_ELEMENT = {
    "member": "Patient",
    "provider_npi": "Claim.provider",
    "contact": "Claim.provider.telecom",
    "diagnosis_codes": "Claim.diagnosis",
    "procedures": "Claim.item",
    "start_date": "Claim.item.serviced[x]",
    "end_date": "Claim.item.serviced[x]",
    "place_of_service": "Claim.item.locationCodeableConcept",
    "clinical": "Claim.supportingInfo",
    "attachments": "Claim.supportingInfo",
}
"""Where a field of the request comes from, for a problem only the request's model finds."""


def _codes(concept: CodeableConcept | None, systems: tuple[str, ...] | str) -> list[str]:
    wanted = (systems,) if isinstance(systems, str) else systems
    return [
        str(coding.code)
        for coding in (concept.coding or [] if concept else [])
        if coding.code and coding.system in wanted
    ]


def _member(read: PasBundle) -> dict[str, Any] | None:
    patient = read.resolve(read.claim.patient.reference, "Claim.patient")
    if patient is None:
        return None
    if not isinstance(patient, Patient):
        read.problems.append(Problem("Claim.patient", "must reference a Patient"))
        return None
    member: dict[str, Any] = {}
    for identifier in patient.identifier or []:
        kinds = _codes(identifier.type, "http://terminology.hl7.org/CodeSystem/v2-0203")
        value = (identifier.value or "").strip()
        if "MB" in kinds and value.isdigit() and len(value) == 9:
            member["caresource_id"] = value
        elif ("MA" in kinds or "medicaid" in (identifier.system or "").lower()) and (
            value.isdigit() and len(value) == 12
        ):
            member["medicaid_id"] = value
    for index, insurance in enumerate(read.claim.insurance or []):
        coverage = read.resolve(insurance.coverage.reference, f"Claim.insurance[{index}].coverage")
        subscriber = coverage.subscriberId if isinstance(coverage, Coverage) else None
        if subscriber and subscriber.isdigit() and len(subscriber) == 9:
            member.setdefault("caresource_id", subscriber)
    if member:
        return member
    name = patient.name[0] if patient.name else None
    given = name.given[0] if name and name.given else None
    if name and name.family and given and patient.birthDate:
        return {"first_name": given, "last_name": name.family, "dob": patient.birthDate}
    read.problems.append(
        Problem(
            "Patient.identifier",
            "no usable member identifier: a CareSource member ID (an identifier of type MB, or "
            "Coverage.subscriberId, 9 digits), a Medicaid ID (12 digits), or name and birthDate",
        )
    )
    return None


def _provider(read: PasBundle, settings: Settings) -> tuple[str | None, dict[str, Any] | None]:
    """The requesting provider's NPI (check digit checked) and the contact: the provider's
    telecom, else the practice's ``PA_BOT_CONTACT_*`` settings."""
    provider = read.resolve(read.claim.provider.reference, "Claim.provider")
    if provider is None:
        return None, None
    kind = provider.get_resource_type()
    holders: list[Resource] = [provider]
    if isinstance(provider, PractitionerRole):
        for part, ref in (
            ("practitioner", provider.practitioner),
            ("organization", provider.organization),
        ):
            if ref is not None:
                found = read.resolve(ref.reference, f"PractitionerRole.{part}")
                if found is not None:
                    holders.append(found)
    npis = [
        str(identifier.value)
        for holder in holders
        if isinstance(holder, (Organization, Practitioner, PractitionerRole))
        for identifier in holder.identifier or []
        if identifier.system == codes.NPI and identifier.value
    ]
    npi = npis[0] if npis else None
    if npi is None:
        read.problems.append(
            Problem(f"{kind}.identifier", "no NPI (system http://hl7.org/fhir/sid/us-npi)")
        )
    elif not npi_is_valid(npi):
        read.problems.append(
            Problem(f"{kind}.identifier", f"NPI {npi} is not 10 digits with a valid check digit")
        )
    return npi, _contact(holders, settings, kind, read)


def _contact(
    holders: list[Resource], settings: Settings, kind: str, read: PasBundle
) -> dict[str, Any] | None:
    telecom: dict[str, str] = {}
    name = None
    for holder in holders:
        for point in getattr(holder, "telecom", None) or []:
            if point.system in ("phone", "fax", "email") and point.value:
                telecom.setdefault(str(point.system), str(point.value))
        if name is None and isinstance(holder, Organization):
            name = holder.name
        if name is None and isinstance(holder, Practitioner) and holder.name:
            first = holder.name[0]
            parts = [str(part) for part in [*(first.given or []), first.family] if part]
            name = " ".join(parts) or None
    contact = {
        "name": settings.contact_name or name,
        "phone": telecom.get("phone") or settings.contact_phone,
        "fax": telecom.get("fax") or settings.contact_fax,
    }
    if "email" in telecom:
        contact["email"] = telecom["email"]
    missing = [part for part in ("name", "phone", "fax") if not contact[part]]
    if missing:
        read.problems.append(
            Problem(
                f"{kind}.telecom",
                f"no contact {', '.join(missing)} for the portal: give them in the requester's "
                "telecom, or set PA_BOT_CONTACT_NAME, PA_BOT_CONTACT_PHONE and PA_BOT_CONTACT_FAX",
            )
        )
        return None
    return contact


def _diagnoses(read: PasBundle) -> list[str]:
    found: list[str] = []
    for index, diagnosis in enumerate(read.claim.diagnosis or []):
        where = f"Claim.diagnosis[{index}]"
        concept = diagnosis.diagnosisCodeableConcept
        if diagnosis.diagnosisReference is not None:
            condition = read.resolve(
                diagnosis.diagnosisReference.reference, f"{where}.diagnosisReference"
            )
            concept = condition.code if isinstance(condition, Condition) else None
            where += ".diagnosisReference"
        else:
            where += ".diagnosisCodeableConcept"
        icd = _codes(concept, codes.ICD10CM)
        if not icd:
            read.problems.append(
                Problem(where, "no ICD-10-CM code (system http://hl7.org/fhir/sid/icd-10-cm)")
            )
            continue
        code = dotted_icd10(icd[0])
        if not billable_icd10(code):
            read.problems.append(Problem(where, f"{code} is not a billable ICD-10-CM code"))
            continue
        found.append(code)
    if not read.claim.diagnosis:
        read.problems.append(Problem("Claim.diagnosis", "at least one diagnosis is required"))
    return found


def _items(
    read: PasBundle,
) -> tuple[list[dict[str, Any]], list[tuple[date, date]], list[tuple[str, str]], list[str]]:
    lines: list[dict[str, Any]] = []
    dates: list[tuple[date, date]] = []
    kinds: list[tuple[str, str]] = []
    places: list[str] = []
    for index, item in enumerate(read.claim.item or []):
        where = f"Claim.item[{index}]"
        procedure = _codes(item.productOrService, codes.PROCEDURE_SYSTEMS)
        if not procedure:
            service = _codes(item.productOrService, codes.X12_SERVICE_TYPE)
            said = (
                f"an X12 service type code ({service[0]}), not a CPT or HCPCS code"
                if service
                else "no CPT or HCPCS code"
            )
            read.problems.append(
                Problem(
                    f"{where}.productOrService",
                    f"{said}: the portal takes CPT or HCPCS codes",
                    code="not-supported",
                )
            )
        else:
            code = procedure[0].upper()
            units = int(item.quantity.value) if item.quantity and item.quantity.value else 1
            lines.append({"code": code, "units": units})
            kind = codes.section_of(code, set(_codes(item.category, codes.X12_SERVICE_TYPE)))
            if kind is None:
                read.problems.append(
                    Problem(
                        f"{where}.productOrService",
                        f"{code} is in none of the portal's categories (docs/FHIR.md)",
                        code="not-supported",
                    )
                )
            elif kinds and kind[0] != kinds[0][0]:
                read.problems.append(
                    Problem(
                        f"{where}.productOrService",
                        f"{code} is {kind[0]}, the Claim's first item {kinds[0][0]}: the portal "
                        "takes one category per request (send a Claim for each)",
                        code="not-supported",
                    )
                )
            else:
                kinds.append(kind)
        if item.servicedDate is not None:
            dates.append((item.servicedDate, item.servicedDate))
        elif item.servicedPeriod is not None and item.servicedPeriod.start is not None:
            start = item.servicedPeriod.start
            dates.append((_day(start), _day(item.servicedPeriod.end or start)))
        else:
            read.problems.append(
                Problem(f"{where}.serviced[x]", "a servicedDate or servicedPeriod is required")
            )
        place = _codes(item.locationCodeableConcept, codes.PLACE_OF_SERVICE)
        if not place:
            read.problems.append(
                Problem(
                    f"{where}.locationCodeableConcept", "a CMS place of service code is required"
                )
            )
        elif place[0] not in PLACES_OF_SERVICE:
            read.problems.append(
                Problem(
                    f"{where}.locationCodeableConcept",
                    f"place of service {place[0]} is not one the portal takes "
                    f"({', '.join(PLACES_OF_SERVICE)})",
                    code="not-supported",
                )
            )
        else:
            places.append(place[0])
    if not read.claim.item:
        read.problems.append(Problem("Claim.item", "at least one item is required"))
    return lines, dates, kinds, places


def _day(moment: date) -> date:
    """The day of a FHIR date or dateTime."""
    return moment.date() if isinstance(moment, datetime) else moment


def _urgency(read: PasBundle) -> str:
    for extension in read.claim.extension or []:
        if extension.url == codes.LEVEL_OF_SERVICE:
            levels = (
                {str(c.code) for c in (extension.valueCodeableConcept.coding or [])}
                if extension.valueCodeableConcept
                else set()
            )
            if levels & codes.EXPEDITED_LEVELS:
                return "expedited"
    priority = _codes(read.claim.priority, "http://terminology.hl7.org/CodeSystem/processpriority")
    return "expedited" if "stat" in priority else "standard"


def read_pas_file(path: Path, settings: Settings) -> Entry | None:
    """A request file that holds a PAS request Bundle, as intake's entry (its problems as
    ``element: what is wrong``); None when the file holds no FHIR Bundle (intake reads it)."""
    try:
        data = path.read_bytes()
        head = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(head, dict) or head.get("resourceType") != "Bundle":
        return None
    source = str(path)
    try:
        found = map_claim(read_bundle(data), settings)
    except NotPasRequest as exc:
        return Rejected(source, "", [f"{p.expression}: {p.text}" for p in exc.problems])
    if found.request is None:
        return Rejected(source, "", [f"{p.expression}: {p.text}" for p in found.errors])
    return Accepted(found.request, source, "")
