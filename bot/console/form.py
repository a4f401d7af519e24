"""The New request form, a field per request field: what each field is called and says (from
docs/REQUESTS.md), how the form's values become the cells intake reads (the same names and
formats as a CSV row, so the same code validates them), and each error put beside its field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.codes import describe_diagnosis, describe_procedure, split_codes
from bot.models import CATEGORIES, PLACES_OF_SERVICE, TREATMENT_TYPES
from bot.queue import Item, State

EDITABLE = frozenset({State.REJECTED, State.INVALID})
"""The states of a request a person may edit and send again, as a new request."""
EDIT_SOURCE = "console: edit of request "
"""The source of a request sent as another's edit, followed by the other's queue id."""


def edit_of(item: Item) -> int | None:
    """The queue id of the request this one was edited from."""
    rest = item.source.removeprefix(EDIT_SOURCE)
    return int(rest) if rest != item.source and rest.isdigit() else None


PLACE_NAMES = {
    "11": "office",
    "12": "home",
    "19": "off-campus outpatient hospital",
    "22": "on-campus outpatient hospital",
    "24": "ambulatory surgical center",
    "49": "independent clinic",
    "81": "independent laboratory",
}


@dataclass(frozen=True)
class Field:
    name: str
    """The cell's name, as a CSV column names it."""
    label: str
    help: str = ""
    kind: str = "text"
    """An input type, ``select`` or ``textarea``."""
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Group:
    legend: str
    fields: tuple[Field, ...]
    help: str = ""
    name: str = ""
    """The error path that belongs to the group as a whole (``member``, ``request``)."""


def _choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


MEMBER_WAYS = (
    ("caresource_id", "By CareSource member ID"),
    ("medicaid_id", "By Medicaid ID"),
    ("name_dob", "By name and date of birth"),
)
_WAY_FIELDS = {
    "caresource_id": ("caresource_id",),
    "medicaid_id": ("medicaid_id",),
    "name_dob": ("first_name", "last_name", "dob"),
}

GROUPS = (
    Group(
        "Member",
        (
            Field("caresource_id", "CareSource member ID", "9 digits"),
            Field("medicaid_id", "Medicaid ID", "12 digits"),
            Field("first_name", "First name"),
            Field("last_name", "Last name"),
            Field("dob", "Date of birth", "Not in the future, not before 1900", kind="date"),
        ),
        help="Find the member one of three ways; only the way chosen is sent.",
        name="member",
    ),
    Group(
        "Provider and service",
        (
            Field(
                "provider_npi",
                "Provider NPI",
                "The ordering provider's 10-digit NPI (its last digit is a check digit)",
                required=True,
            ),
            Field(
                "care_setting",
                "Care setting",
                kind="select",
                choices=_choices(("Outpatient", "Inpatient")),
            ),
            Field("category", "Category", kind="select", choices=_choices(CATEGORIES)),
            Field(
                "treatment_type", "Treatment type", kind="select", choices=_choices(TREATMENT_TYPES)
            ),
            Field(
                "place_of_service",
                "Place of service",
                kind="select",
                choices=tuple((code, f"{code} {PLACE_NAMES[code]}") for code in PLACES_OF_SERVICE),
            ),
            Field(
                "start_date",
                "Start date",
                "Eligibility is checked on this date",
                kind="date",
                required=True,
            ),
            Field("end_date", "End date", "May equal the start date", kind="date", required=True),
        ),
    ),
    Group(
        "Codes",
        (
            Field(
                "diagnosis_codes",
                "Diagnosis codes",
                "1 to 12 billable ICD-10-CM codes, with or without the dot (M54.50 M54.16)",
                required=True,
            ),
            Field(
                "procedures",
                "Procedure codes",
                "1 to 10 CPT or HCPCS codes; units after an x (97110x12), one unit without",
                required=True,
            ),
        ),
    ),
    Group(
        "Clinical",
        (
            Field(
                "clinical_answers",
                "Document Clinical answers",
                "One per line, question=answer, the question exactly as the portal asks it; "
                "Yes, No or a number",
                kind="textarea",
            ),
            Field(
                "clinical_notes",
                "Clinical notes",
                "History, exam findings, failed conservative treatment, plan (up to 4000 "
                "characters)",
                kind="textarea",
            ),
        ),
    ),
    Group(
        "Contact at the practice",
        (
            Field("contact_name", "Contact name", "Whom the plan should call", required=True),
            Field("contact_phone", "Phone", "10 digits", kind="tel", required=True),
            Field("contact_extension", "Extension", "1 to 6 digits"),
            Field("contact_fax", "Fax", "10 digits", kind="tel", required=True),
            Field("contact_email", "Email", kind="email"),
        ),
    ),
    Group(
        "Request",
        (
            Field(
                "id",
                "Request ID",
                "Your own id (letters, digits and _ . : -); the same id is never queued twice",
            ),
            Field(
                "urgency",
                "Urgency",
                "Expedited requests are taken first",
                kind="select",
                choices=_choices(("standard", "expedited")),
            ),
        ),
        name="request",
    ),
)
FIELD_NAMES = frozenset(f.name for group in GROUPS for f in group.fields)
_PATH = re.compile(r"^([a-z_]+)")
_LINE = re.compile(r"\[(\d+)\]")


@dataclass
class Filled:
    """The form as sent: its values (to show again), the cells for intake, the codes described."""

    values: dict[str, str]
    way: str
    cells: dict[str, str] = field(default_factory=dict)
    described: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def filled(form: Mapping[str, str]) -> Filled:
    values = {name: str(form.get(name, "")).strip() for name in FIELD_NAMES}
    way = str(form.get("member_by", "caresource_id"))
    if way not in _WAY_FIELDS:
        way = "caresource_id"
    member_fields = {name for names in _WAY_FIELDS.values() for name in names}
    cells = {
        name: value
        for name, value in values.items()
        if value and (name not in member_fields or name in _WAY_FIELDS[way])
    }
    if "diagnosis_codes" in cells:
        cells["diagnosis_codes"] = ";".join(split_codes(cells["diagnosis_codes"]))
    if "procedures" in cells:
        cells["procedures"] = ";".join(split_codes(cells["procedures"]))
    if "clinical_answers" in cells:
        lines = cells["clinical_answers"].splitlines()
        cells["clinical_answers"] = "|".join(line.strip() for line in lines if line.strip())
    described = {
        "diagnosis_codes": [describe_diagnosis(c) for c in split_codes(values["diagnosis_codes"])],
        "procedures": [describe_procedure(c) for c in split_codes(values["procedures"])],
    }
    return Filled(values, way, cells, described)


def errors_by_field(errors: list[str]) -> dict[str, list[str]]:
    """``"procedures[0].units: …"`` → ``{"procedures": ["…"]}``; a field the form does not
    have (``member``, ``request``, ``attachments``) keeps its own name."""
    found: dict[str, list[str]] = {}
    for error in errors:
        path, _, message = error.partition(": ")
        match = _PATH.match(path)
        name = match.group(1) if match else "request"
        where = _LINE.sub(lambda m: f" line {int(m.group(1)) + 1} ", path.removeprefix(name))
        where = where.replace(".", " ").strip()
        found.setdefault(name, []).append(f"{where}: {message}" if where else message)
    return found


def values_of(payload: str) -> Filled | None:
    """The form filled from a queued request (to edit and resubmit it); None when the request
    is not a JSON object (an invalid CSV row, say). Attachments must be chosen again."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    member, contact, clinical = (
        _object(data.get(name)) for name in ("member", "contact", "clinical")
    )
    values = {name: _text(data.get(name)) for name in FIELD_NAMES}
    values |= {name: _text(member.get(name)) for name in ("caresource_id", "medicaid_id")}
    values |= {name: _text(member.get(name)) for name in ("first_name", "last_name", "dob")}
    values |= {f"contact_{name}": _text(value) for name, value in contact.items()}
    values["diagnosis_codes"] = " ".join(_texts(data.get("diagnosis_codes")))
    values["procedures"] = " ".join(
        f"{line.get('code', '')}x{line.get('units', 1)}"
        for line in data.get("procedures") or []
        if isinstance(line, dict)
    )
    answers = _object(clinical.get("answers"))
    values["clinical_answers"] = "\n".join(f"{q}={a}" for q, a in answers.items())
    values["clinical_notes"] = _text(clinical.get("notes"))
    way = next(
        (way for way, names in _WAY_FIELDS.items() if all(values.get(n) for n in names)),
        "caresource_id",
    )
    return Filled({k: v for k, v in values.items() if k in FIELD_NAMES}, way)


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _texts(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
