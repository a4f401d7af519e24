"""Screen 5: dates, treatment type, place of service, diagnosis and procedure codes, contact.

Codes are normally added by the page's script (which asks ``/api/icd10`` and
``/api/procedures``); without a script the Add and Remove buttons post the form and the server
does the same, so the screen also works, and is tested, without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.models import Contact, Draft, ProcedureLine
from mock_portal.routes.common import draft_member, draft_url, load_draft
from mock_portal.rules import GUARANTEE, PLACES_OF_SERVICE, TREATMENT_CODES, code_for
from mock_portal.store import SessionRow
from mock_portal.validation import (
    BAD_DATE,
    email_ok,
    parse_us,
    phone_digits,
    us,
    whole_number,
)
from mock_portal.web import Portal, portal_of, redirect, require_post, require_session, text, texts

router = APIRouter()

MAX_UNITS = 9999
MAX_CODES = 12
BAD_UNITS = "Units must be a whole number of at least 1."
FIELDS = (
    "start_date",
    "end_date",
    "treatment_type",
    "place_of_service",
    "dx_entry",
    "proc_entry",
    "proc_units",
    "contact_name",
    "contact_phone",
    "contact_ext",
    "contact_fax",
    "contact_email",
)


@dataclass(frozen=True)
class Item:
    code: str
    description: str
    units: int = 0


def _values_from_draft(draft: Draft) -> dict[str, str]:
    return {
        "start_date": us(draft.start_date),
        "end_date": us(draft.end_date),
        "treatment_type": code_for(TREATMENT_CODES, draft.treatment_type),
        "place_of_service": draft.place_of_service,
        "dx_entry": "",
        "proc_entry": "",
        "proc_units": "",
        "contact_name": draft.contact.name,
        "contact_phone": draft.contact.phone,
        "contact_ext": draft.contact.extension,
        "contact_fax": draft.contact.fax,
        "contact_email": draft.contact.email,
    }


def _page(
    portal: Portal,
    session: SessionRow,
    draft: Draft,
    values: dict[str, str],
    errors: dict[str, str],
) -> Response:
    catalog = portal.catalog
    dx_items = [
        Item(code, d.description)
        for code in draft.diagnosis_codes
        if (d := catalog.diagnosis(code)) is not None
    ]
    proc_items = [
        Item(line.code, p.description, line.units)
        for line in draft.procedures
        if (p := catalog.procedure(line.code)) is not None
    ]
    return portal.render(
        "details.html",
        session=session,
        title="Authorization Request",
        member=draft_member(portal, draft),
        action=draft_url(draft, "details"),
        values=values,
        errors=errors,
        dx_items=dx_items,
        proc_items=proc_items,
        treatment_types=list(TREATMENT_CODES.items()),
        places=[(code, f"{code} - {name}") for code, name in PLACES_OF_SERVICE.items()],
        guarantee_text=GUARANTEE,
    )


@router.get("/prior-auth/requests/{draft_id}/details")
def details_form(request: Request, draft_id: str) -> Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    if not draft.provider_npi:
        return redirect(draft_url(draft, "setting"))
    return _page(portal, session, draft, _values_from_draft(draft), {})


def _posted_codes(portal: Portal, form: FormData) -> tuple[list[str], list[ProcedureLine]]:
    """The codes listed on the page (hidden inputs), known ones only, without repeats."""
    diagnoses: list[str] = []
    for code in texts(form, "dx"):
        found = portal.catalog.diagnosis(code)
        if found and found.code not in diagnoses:
            diagnoses.append(found.code)
    lines: dict[str, ProcedureLine] = {}
    for value in texts(form, "proc"):
        code, _, units_text = value.partition(":")
        procedure = portal.catalog.procedure(code)
        units = whole_number(units_text, 1, MAX_UNITS)
        if procedure and units:
            lines[procedure.code] = ProcedureLine(code=procedure.code, units=units)
    return diagnoses[:MAX_CODES], list(lines.values())[:MAX_CODES]


def _action(form: FormData) -> tuple[str, str]:
    """Which button posted the form: add/remove a code, or Continue (the default)."""
    for key in form:
        if key in ("add_dx", "add_proc"):
            return key, ""
        for prefix in ("remove_dx:", "remove_proc:"):
            if key.startswith(prefix):
                return prefix.rstrip(":"), key[len(prefix) :]
    return "continue", ""


def _add_or_remove(
    portal: Portal, draft: Draft, action: str, target: str, values: dict[str, str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if action == "add_dx":
        typed = values["dx_entry"]
        found = portal.catalog.diagnosis(typed) if typed else None
        if not typed:
            errors["dx_entry"] = "Enter a diagnosis code."
        elif found is None:
            errors["dx_entry"] = f"Unknown diagnosis code {typed}."
        elif found.code not in draft.diagnosis_codes and len(draft.diagnosis_codes) < MAX_CODES:
            draft.diagnosis_codes.append(found.code)
        if not errors:
            values["dx_entry"] = ""
    elif action == "add_proc":
        typed = values["proc_entry"]
        procedure = portal.catalog.procedure(typed) if typed else None
        units = whole_number(values["proc_units"], 1, MAX_UNITS)
        if not typed:
            errors["proc_entry"] = "Enter a procedure code."
        elif units is None:
            errors["proc_units"] = BAD_UNITS
        elif procedure is None:
            errors["proc_entry"] = f"Unknown procedure code {typed}."
        else:
            line = ProcedureLine(code=procedure.code, units=units)
            codes = [p.code for p in draft.procedures]
            if procedure.code in codes:
                draft.procedures[codes.index(procedure.code)] = line
            elif len(codes) < MAX_CODES:
                draft.procedures.append(line)
            values["proc_entry"] = values["proc_units"] = ""
    elif action == "remove_dx":
        draft.diagnosis_codes = [c for c in draft.diagnosis_codes if c != target]
    elif action == "remove_proc":
        draft.procedures = [p for p in draft.procedures if p.code != target]
    return errors


def _validate(portal: Portal, draft: Draft, values: dict[str, str]) -> dict[str, str]:
    """Every check of Continue; fills the draft with what is valid."""
    errors: dict[str, str] = {}
    start = parse_us(values["start_date"]) if values["start_date"] else None
    end = parse_us(values["end_date"]) if values["end_date"] else None
    for key, label, parsed in (("start_date", "Start Date", start), ("end_date", "End Date", end)):
        if not values[key]:
            errors[key] = f"{label} is required."
        elif parsed is None:
            errors[key] = BAD_DATE
    if start and end and end < start:
        errors["end_date"] = "End Date cannot be before Start Date."
    if start and not draft_member(portal, draft).eligible_on(start):
        errors["start_date"] = "Member is not eligible on the date of service."
    draft.start_date, draft.end_date = start, end
    if values["treatment_type"] not in TREATMENT_CODES:
        errors["treatment_type"] = "Select a treatment type."
    draft.treatment_type = TREATMENT_CODES.get(values["treatment_type"], "")
    if values["place_of_service"] not in PLACES_OF_SERVICE:
        errors["place_of_service"] = "Select a place of service."
    draft.place_of_service = values["place_of_service"] if "place_of_service" not in errors else ""
    if not draft.diagnosis_codes:
        errors["dx_entry"] = "Add at least one diagnosis code."
    if not draft.procedures:
        errors["proc_entry"] = "Add at least one procedure code."
    for line in draft.procedures:
        procedure = portal.catalog.procedure(line.code)
        if procedure is not None and procedure.category != draft.category:
            errors.setdefault(
                "proc_entry",
                f"Procedure code {line.code} is not valid for category {draft.category}.",
            )
    phone = phone_digits(values["contact_phone"])
    fax = phone_digits(values["contact_fax"])
    if not values["contact_name"]:
        errors["contact_name"] = "Contact name is required."
    if phone is None:
        errors["contact_phone"] = "Enter a 10-digit phone number."
    if values["contact_ext"] and whole_number(values["contact_ext"], 0, 999_999) is None:
        errors["contact_ext"] = "Enter an extension of up to 6 digits."
    if fax is None:
        errors["contact_fax"] = "Enter a 10-digit fax number."
    if values["contact_email"] and not email_ok(values["contact_email"]):
        errors["contact_email"] = "Enter a valid email address."
    draft.contact = Contact(
        name=values["contact_name"][:100],
        phone=phone or values["contact_phone"][:40],
        extension=values["contact_ext"][:10],
        fax=fax or values["contact_fax"][:40],
        email=values["contact_email"][:254],
    )
    return errors


@router.post("/prior-auth/requests/{draft_id}/details")
async def details(request: Request, draft_id: str) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    if not draft.provider_npi:
        return redirect(draft_url(draft, "setting"))
    values = {key: text(form, key) for key in FIELDS}
    draft.diagnosis_codes, draft.procedures = _posted_codes(portal, form)
    action, target = _action(form)
    if action != "continue":
        errors = _add_or_remove(portal, draft, action, target, values)
        portal.store.save_draft(draft)
        return _page(portal, session, draft, values, errors)
    errors = _validate(portal, draft, values)
    codes = {line.code for line in draft.procedures}
    draft.clinical = {code: record for code, record in draft.clinical.items() if code in codes}
    draft.details_done = not errors
    portal.store.save_draft(draft)
    if errors:
        return _page(portal, session, draft, values, errors)
    return redirect(draft_url(draft, "summary"))
