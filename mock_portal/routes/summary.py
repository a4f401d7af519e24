"""Screens 6 and 7: the Authorization Request summary with its disclaimers, Document Clinical,
and Submit Request, which records the authorization."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from mock_portal.catalog import Procedure
from mock_portal.models import Authorization, AuthorizationLine, ClinicalRecord, Draft
from mock_portal.routes.common import draft_member, draft_url, load_draft
from mock_portal.rules import (
    PLACES_OF_SERVICE,
    aggregate,
    criteria_met,
    decide_line,
    disclaimer,
    exceeds_limit,
)
from mock_portal.store import SessionRow
from mock_portal.validation import whole_number
from mock_portal.web import Portal, portal_of, redirect, require_post, require_session, text

router = APIRouter()

FIRST_REFERENCE_ID = 6_567_083
MAX_NOTES = 2000


@dataclass(frozen=True)
class SummaryItem:
    code: str
    description: str
    units: int
    text: str
    needs_clinical: bool
    clinical_url: str


def _procedures(portal: Portal, draft: Draft) -> list[tuple[Procedure, int]]:
    found = []
    for line in draft.procedures:
        procedure = portal.catalog.procedure(line.code)
        if procedure is not None:
            found.append((procedure, line.units))
    return found


def _met(draft: Draft, code: str) -> bool | None:
    record = draft.clinical.get(code)
    return None if record is None else record.met


def _items(portal: Portal, draft: Draft) -> list[SummaryItem]:
    items = []
    for procedure, units in _procedures(portal, draft):
        said = disclaimer(procedure, units, _met(draft, procedure.code))
        items.append(
            SummaryItem(
                code=procedure.code,
                description=procedure.description,
                units=units,
                text=said.text,
                needs_clinical=said.needs_clinical,
                clinical_url=draft_url(draft, f"clinical/{procedure.code}"),
            )
        )
    return items


def _type(portal: Portal, draft: Draft) -> str:
    beyond = any(exceeds_limit(p, units) for p, units in _procedures(portal, draft))
    return "Beyond Benefit Limits" if beyond else "Standard"


def _summary_page(portal: Portal, session: SessionRow, draft: Draft, errors: list[str]) -> Response:
    items = _items(portal, draft)
    provider = portal.catalog.provider(draft.provider_npi)
    place = PLACES_OF_SERVICE.get(draft.place_of_service, "")
    return portal.render(
        "summary.html",
        session=session,
        title="Authorization Request",
        member=draft_member(portal, draft),
        draft=draft,
        items=items,
        needs_clinical=any(item.needs_clinical for item in items),
        auth_type=_type(portal, draft),
        provider_label=provider.label if provider else draft.provider_npi,
        place_label=f"{draft.place_of_service} - {place}",
        errors=errors,
        submit_url=draft_url(draft, "submit"),
        cancel_url=draft_url(draft, "cancel"),
        back_url=draft_url(draft, "details"),
    )


def _ready(request: Request, draft_id: str) -> tuple[Portal, SessionRow, Draft] | Response:
    session = require_session(request)
    if isinstance(session, Response):
        return session
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    return portal, session, draft


@router.get("/prior-auth/requests/{draft_id}/summary")
def summary(request: Request, draft_id: str) -> Response:
    ready = _ready(request, draft_id)
    if isinstance(ready, Response):
        return ready
    portal, session, draft = ready
    if not draft.details_done:
        return redirect(draft_url(draft, "details"))
    return _summary_page(portal, session, draft, [])


@router.post("/prior-auth/requests/{draft_id}/cancel")
async def cancel(request: Request, draft_id: str) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, _ = guarded
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    portal.store.delete_draft(draft.id)
    return redirect("/prior-auth?cancelled=1")


@router.get("/prior-auth/requests/{draft_id}/cancel")
@router.get("/prior-auth/requests/{draft_id}/submit")
def back_to_summary(request: Request, draft_id: str) -> Response:
    ready = _ready(request, draft_id)
    if isinstance(ready, Response):
        return ready
    return redirect(draft_url(ready[2], "summary"))


def _record(portal: Portal, session: SessionRow, draft: Draft) -> Authorization:
    assert draft.start_date is not None and draft.end_date is not None
    lines = []
    for number, (procedure, units) in enumerate(_procedures(portal, draft), start=1):
        decision = decide_line(procedure, units, _met(draft, procedure.code))
        lines.append(
            AuthorizationLine(
                line_number=number,
                procedure=procedure.code,
                from_date=draft.start_date,
                to_date=draft.end_date,
                requested_units=units,
                authorized_units=decision.authorized_units,
                status=decision.status,
                reason_code=decision.reason,
            )
        )
    reference = portal.store.next_value("reference", FIRST_REFERENCE_ID)
    auth = Authorization(
        reference_id=f"{reference:09d}",
        authorization_number=draft.authorization_number,
        member_id=draft.member_id,
        provider_npi=draft.provider_npi,
        procedure_codes=[line.procedure for line in lines],
        diagnosis_codes=list(draft.diagnosis_codes),
        units=[line.requested_units for line in lines],
        start_date=draft.start_date,
        end_date=draft.end_date,
        status=aggregate([line.status for line in lines]),
        lines=lines,
        submitted_at=portal.now(),
        ui_variant=portal.faults.config.ui_variant,
        username=session.username,
        care_setting=draft.care_setting,
        category=draft.category,
        treatment_type=draft.treatment_type,
        place_of_service=draft.place_of_service,
        contact=draft.contact,
        clinical=dict(draft.clinical),
        type=_type(portal, draft),
    )
    auth.explain(portal.catalog.reason_texts)
    portal.store.save_authorization(auth)
    portal.store.incr("submissions")
    return auth


@router.post("/prior-auth/requests/{draft_id}/submit")
async def submit(request: Request, draft_id: str) -> Response:
    """Record the authorization. Submitting the same draft again records another one, as a
    double click on the real portal would: the mock counts duplicates, it does not hide them.

    With ``submit_delay_ms`` the answer waits that long and the authorization is recorded only
    at the end, as a slow portal would: a client that gave up in between still finds it
    recorded, once. The wait is an ``asyncio.sleep``, so other requests are served meanwhile.
    """
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, _ = guarded
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    if not draft.details_done:
        return redirect(draft_url(draft, "details"))
    pending = [item.code for item in _items(portal, draft) if item.needs_clinical]
    if pending:
        errors = [f"Complete Document Clinical for {code} before submitting." for code in pending]
        return _summary_page(portal, session, draft, errors)
    delay_ms = portal.faults.config.submit_delay_ms
    if delay_ms:
        await asyncio.sleep(delay_ms / 1000)
    auth = _record(portal, session, draft)
    draft.submissions.append(auth.reference_id)
    portal.store.save_draft(draft)
    return redirect(f"/prior-auth/results/{auth.reference_id}")


def _clinical_target(
    portal: Portal, session: SessionRow, draft: Draft, code: str
) -> Procedure | Response:
    procedure = portal.catalog.procedure(code)
    codes = [line.code for line in draft.procedures]
    if procedure is None or procedure.code not in codes or procedure.rule.kind != "clinical":
        return portal.not_found(session, "clinical questionnaire")
    return procedure


def _clinical_page(
    portal: Portal,
    session: SessionRow,
    draft: Draft,
    procedure: Procedure,
    values: dict[str, str],
    field_errors: dict[str, str],
    errors: list[str],
) -> Response:
    return portal.render(
        "clinical.html",
        session=session,
        title="Document Clinical",
        procedure=procedure,
        questions=portal.catalog.questionnaires.get(procedure.category, []),
        values=values,
        field_errors=field_errors,
        errors=errors,
        action=draft_url(draft, f"clinical/{procedure.code}"),
        summary_url=draft_url(draft, "summary"),
    )


@router.get("/prior-auth/requests/{draft_id}/clinical/{code}")
def clinical_form(request: Request, draft_id: str, code: str) -> Response:
    ready = _ready(request, draft_id)
    if isinstance(ready, Response):
        return ready
    portal, session, draft = ready
    procedure = _clinical_target(portal, session, draft, code)
    if isinstance(procedure, Response):
        return procedure
    record = draft.clinical.get(procedure.code)
    values = {f"q_{k}": v for k, v in record.answers.items()} if record else {}
    if record:
        values["notes"] = record.notes
    return _clinical_page(portal, session, draft, procedure, values, {}, [])


@router.post("/prior-auth/requests/{draft_id}/clinical/{code}")
async def clinical(request: Request, draft_id: str, code: str) -> Response:
    guarded = await require_post(request)
    if isinstance(guarded, Response):
        return guarded
    session, form = guarded
    portal = portal_of(request)
    draft = load_draft(portal, session, draft_id)
    if isinstance(draft, Response):
        return draft
    procedure = _clinical_target(portal, session, draft, code)
    if isinstance(procedure, Response):
        return procedure
    questions = portal.catalog.questionnaires.get(procedure.category, [])
    values = {f"q_{q.key}": text(form, f"q_{q.key}") for q in questions}
    values["notes"] = text(form, "notes")[:MAX_NOTES]
    field_errors: dict[str, str] = {}
    answers: dict[str, str] = {}
    for question in questions:
        key = f"q_{question.key}"
        answer = values[key]
        if not answer:
            field_errors[key] = "This question is required."
        elif question.type == "yes_no" and answer not in ("Yes", "No"):
            field_errors[key] = "Select Yes or No."
        elif question.type == "number" and whole_number(answer, 0, 999) is None:
            field_errors[key] = "Enter a whole number from 0 to 999."
        else:
            answers[question.key] = answer
    if field_errors:
        missing = any(m == "This question is required." for m in field_errors.values())
        errors = (
            ["Answer every question."] if missing else list(dict.fromkeys(field_errors.values()))
        )
        return _clinical_page(portal, session, draft, procedure, values, field_errors, errors)
    draft.clinical[procedure.code] = ClinicalRecord(
        answers=answers, notes=values["notes"], met=criteria_met(questions, answers)
    )
    portal.store.save_draft(draft)
    return redirect(draft_url(draft, "summary"))
