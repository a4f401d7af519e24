"""The code systems a PAS request names, and the table that gives a request the portal's
category and treatment type from its procedure codes (docs/FHIR.md shows it).

A Claim has no field for the portal's category: it is the CPT or HCPCS code's section. The
X12 service type of an item (``Claim.item.category``, code set 1365) tells physical from
occupational therapy where the codes are shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Category, TreatmentType

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = (
    "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
)
PROCEDURE_SYSTEMS = (CPT, "urn:oid:2.16.840.1.113883.6.12", *HCPCS)
X12_SERVICE_TYPE = (
    "http://codesystem.x12.org/005010/1365",
    "https://codesystem.x12.org/005010/1365",
)
ICD10CM = ("http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90")
NPI = "http://hl7.org/fhir/sid/us-npi"
PLACE_OF_SERVICE = (
    "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
    "http://terminology.hl7.org/CodeSystem/CMSPlaceofServiceCodes",
    "https://terminology.hl7.org/CodeSystem/CMSPlaceofServiceCodes",
)
LEVEL_OF_SERVICE = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-levelOfServiceCode"
)
EXPEDITED_LEVELS = frozenset({"U", "03", "E"})
"""X12 1338 levels of service that ask for an expedited decision: urgent, emergency."""
OCCUPATIONAL = frozenset({"AD"})
PHYSICAL = frozenset({"PT", "AE"})
"""X12 1365 service types: occupational therapy; physical therapy, physical medicine."""


@dataclass(frozen=True)
class Section:
    first: str
    last: str
    category: Category
    treatment: TreatmentType

    def holds(self, code: str) -> bool:
        return len(code) == len(self.first) and self.first <= code <= self.last


SECTIONS = (
    Section("80305", "80377", "Drug Testing", "Laboratory"),
    Section("G0480", "G0483", "Drug Testing", "Laboratory"),
    Section("97165", "97168", "Occupational Therapy", "Rehabilitative"),
    Section("97530", "97535", "Occupational Therapy", "Rehabilitative"),
    Section("97010", "97799", "Physical Therapy", "Rehabilitative"),
    Section("98940", "98943", "Chiropractic", "Therapeutic"),
    Section("20526", "20611", "Injections", "Therapeutic"),
    Section("62320", "62327", "Injections", "Therapeutic"),
    Section("64400", "64530", "Injections", "Therapeutic"),
    Section("J0000", "J9999", "Injections", "Therapeutic"),
    Section("M0076", "M0076", "Injections", "Therapeutic"),
    Section("70010", "79999", "Advanced Imaging", "Diagnostic"),
    Section("10004", "69990", "Outpatient Surgery", "Surgical"),
    Section("E0100", "E8002", "Durable Medical Equipment", "Durable Medical Equipment"),
    Section("K0001", "K0899", "Durable Medical Equipment", "Durable Medical Equipment"),
    Section("L0112", "L9900", "Durable Medical Equipment", "Durable Medical Equipment"),
)
"""First match wins: the narrow ranges before the sections that hold them."""

THERAPIES: frozenset[Category] = frozenset({"Physical Therapy", "Occupational Therapy"})


def section_of(code: str, service_types: set[str]) -> tuple[Category, TreatmentType] | None:
    """The portal's category and treatment type of a CPT or HCPCS code; an item's X12 service
    type decides between physical and occupational therapy. None for a code of no section."""
    for section in SECTIONS:
        if section.holds(code):
            if section.category in THERAPIES:
                if service_types & OCCUPATIONAL:
                    return "Occupational Therapy", "Rehabilitative"
                if service_types & PHYSICAL:
                    return "Physical Therapy", "Rehabilitative"
            return section.category, section.treatment
    return None
