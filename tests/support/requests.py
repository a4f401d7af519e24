"""Requests for tests, built from the portal's fixtures so that each rule is reached on purpose."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from bot.models import AuthRequest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SERVICE_DAY = date(2026, 12, 1)


@cache
def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _covered(member: dict[str, Any], day: date) -> bool:
    for span in member["eligibility"]:
        start = date.fromisoformat(span["start"])
        end = date.fromisoformat(span["end"]) if span.get("end") else date.max
        if start <= day <= end:
            return True
    return False


def member(*, eligible: bool = True, day: date = SERVICE_DAY, index: int = 0) -> dict[str, Any]:
    """A fixture member who is (or is not) covered on ``day``."""
    found = [m for m in _load("members.json") if _covered(m, day) == eligible]
    return dict(found[index])


def provider(*, in_network: bool = True) -> dict[str, Any]:
    return dict(next(p for p in _load("providers.json") if p["in_network"] == in_network))


def procedure(kind: str, *, index: int = 0) -> dict[str, Any]:
    """A fixture procedure code whose rule is ``kind`` (clinical, review, not_required, …)."""
    found = [p for p in _load("codes/procedures.json") if p["rule"]["kind"] == kind]
    return dict(found[index])


def diagnosis(index: int = 0) -> str:
    code: str = _load("codes/icd10.json")[index]["code"]
    return code


def answers(category: str, *, meet: bool) -> dict[str, str | int]:
    """Answers to the category's questionnaire that meet (or miss) its criteria."""
    questions = _load("questionnaires.json")[category]
    result: dict[str, str | int] = {}
    for question in questions:
        criterion = question.get("criterion", {})
        if question["type"] == "number":
            minimum = int(criterion.get("min", 1))
            result[question["text"]] = minimum if meet else max(minimum - 1, 0)
        else:
            wanted = criterion.get("equals", "Yes")
            other = "No" if wanted == "Yes" else "Yes"
            result[question["text"]] = wanted if meet else other
    return result


def attachment(name: str = "clinical-notes.pdf") -> Path:
    return FIXTURES / "attachments" / name


def make_request(
    kind: str = "clinical",
    *,
    meet: bool = True,
    units: int = 1,
    code_index: int = 0,
    who: dict[str, Any] | None = None,
    npi: str | None = None,
    **overrides: Any,
) -> AuthRequest:
    """A valid request for a procedure with the given rule; keyword overrides replace fields."""
    code = procedure(kind, index=code_index)
    person = who or member()
    data: dict[str, Any] = {
        "member": {"caresource_id": person["caresource_id"]},
        "provider_npi": npi or provider()["npi"],
        "care_setting": "Outpatient",
        "category": code["category"],
        "start_date": SERVICE_DAY.isoformat(),
        "end_date": SERVICE_DAY.isoformat(),
        "treatment_type": "Diagnostic",
        "place_of_service": "11",
        "diagnosis_codes": [diagnosis()],
        "procedures": [{"code": code["code"], "units": units}],
        "clinical": {"answers": answers(code["category"], meet=meet), "notes": "Test notes."},
        "contact": {"name": "Pat Front-Desk", "phone": "6145550100", "fax": "6145550101"},
    }
    data.update(overrides)
    return AuthRequest.model_validate(data)


_BATCH_KINDS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("clinical", {}),
    ("clinical", {"meet": False}),
    ("review", {}),
    ("limit", {"units": 30}),
    ("limit", {"units": 4}),
    ("not_covered", {}),
    ("decision_later", {}),
    ("not_required", {}),
    ("clinical", {"attachments": [str(attachment())]}),
)


def varied_requests(count: int, *, prefix: str = "BATCH") -> list[AuthRequest]:
    """``count`` distinct valid requests that reach every outcome of the portal in turn.

    Each goes to its own (member, date of service) pair, so no two can be mistaken for each
    other when the bot reconciles against the Status tab.
    """
    last_day = SERVICE_DAY + timedelta(days=count)
    members = [
        m for m in _load("members.json") if _covered(m, SERVICE_DAY) and _covered(m, last_day)
    ]
    requests = []
    for n in range(count):
        kind, options = _BATCH_KINDS[n % len(_BATCH_KINDS)]
        day = SERVICE_DAY + timedelta(days=n // len(members))
        requests.append(
            make_request(
                kind,
                who=members[n % len(members)],
                id=f"{prefix}-{n:04d}",
                start_date=day.isoformat(),
                end_date=day.isoformat(),
                **options,
            )
        )
    return requests
