"""The portal's reference data, loaded from ``fixtures/``: members, providers, code tables and
the clinical questionnaires. Read once at start; lookups are in memory."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

Plan = Literal["Medicaid", "Marketplace", "Medicare Advantage"]
RuleKind = Literal["not_required", "clinical", "review", "not_covered", "limit", "decision_later"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(_Frozen):
    """One span of coverage; ``end`` None means open-ended. Both ends are inclusive."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Member(_Frozen):
    caresource_id: str
    medicaid_id: str
    first_name: str
    last_name: str
    dob: date
    gender: Literal["Male", "Female"]
    plan: Plan = "Medicaid"
    eligibility: tuple[Span, ...]
    other_payer: str | None = None
    """The payer that is primary (coordination of benefits), when CareSource is not."""

    def eligible_on(self, day: date) -> bool:
        return any(span.covers(day) for span in self.eligibility)

    def span_for(self, day: date) -> Span | None:
        """The span covering ``day``; else the last one before it, else the first after it."""
        covering = [s for s in self.eligibility if s.covers(day)]
        before = [s for s in self.eligibility if s.end is not None and s.end < day]
        after = [s for s in self.eligibility if s.start > day]
        if covering:
            return covering[0]
        if before:
            return max(before, key=lambda s: s.start)
        return min(after, key=lambda s: s.start) if after else None

    @property
    def display_name(self) -> str:
        """As the portal's banner writes it: ``Saur, Dino``."""
        return f"{self.last_name}, {self.first_name}"


class Provider(_Frozen):
    npi: str
    provider_number: str
    name: str
    in_network: bool

    @property
    def label(self) -> str:
        """The option's accessible name in the provider dropdown."""
        return f"{self.name} (NPI {self.npi})"


class Diagnosis(_Frozen):
    code: str
    description: str


class Rule(_Frozen):
    kind: RuleKind
    max_units: int | None = None
    reason: str | None = None
    """The reason code (``decision_reasons.json``) of a line this rule denies or cuts."""


class Reason(_Frozen):
    """A decision reason: CMS-0057-F wants a specific one for every denial."""

    code: str
    text: str


class Procedure(_Frozen):
    code: str
    description: str
    category: str
    rule: Rule


class Criterion(_Frozen):
    equals: str | None = None
    min: int | None = None


class Question(_Frozen):
    """One question of a category's questionnaire.

    Questions sharing an ``any_of`` group are alternatives: the group is met when one of them
    is; every question outside a group must be met on its own.
    """

    key: str
    text: str
    type: Literal["yes_no", "number"]
    criterion: Criterion
    any_of: str | None = None


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class Catalog:
    """Everything the portal looks up, indexed for the screens and the JSON helpers."""

    def __init__(self, folder: Path) -> None:
        self.members = TypeAdapter(list[Member]).validate_python(_read(folder / "members.json"))
        self.providers = TypeAdapter(list[Provider]).validate_python(
            _read(folder / "providers.json")
        )
        diagnoses = TypeAdapter(list[Diagnosis]).validate_python(
            _read(folder / "codes" / "icd10.json")
        )
        procedures = TypeAdapter(list[Procedure]).validate_python(
            _read(folder / "codes" / "procedures.json")
        )
        self.questionnaires = TypeAdapter(dict[str, list[Question]]).validate_python(
            _read(folder / "questionnaires.json")
        )
        reasons = TypeAdapter(list[Reason]).validate_python(
            _read(folder / "codes" / "decision_reasons.json")
        )
        self.reason_texts = {r.code: r.text for r in reasons}
        unknown = {p.rule.reason for p in procedures} - {None, *self.reason_texts}
        if unknown:
            raise ValueError(f"procedures.json names unknown reasons: {sorted(map(str, unknown))}")
        self.diagnoses = {d.code: d for d in diagnoses}
        self.procedures = {p.code: p for p in procedures}
        self._by_npi = {p.npi: p for p in self.providers}

    def member_by_caresource_id(self, value: str) -> Member | None:
        return next((m for m in self.members if m.caresource_id == value), None)

    def member_by_medicaid_id(self, value: str) -> Member | None:
        return next((m for m in self.members if m.medicaid_id == value), None)

    def member_by_info(self, first: str, last: str, dob: date) -> Member | None:
        first, last = first.strip().casefold(), last.strip().casefold()
        return next(
            (
                m
                for m in self.members
                if m.first_name.casefold() == first
                and m.last_name.casefold() == last
                and m.dob == dob
            ),
            None,
        )

    def provider(self, npi: str) -> Provider | None:
        return self._by_npi.get(npi)

    def search_providers(self, text: str, limit: int = 10) -> list[Provider]:
        """Providers whose NPI, provider number or name contains ``text`` (3 characters or
        more, as on the real portal); out-of-network ones too: Continue refuses them."""
        needle = text.strip().casefold()
        if len(needle) < 3:
            return []
        found = [
            p
            for p in self.providers
            if needle in p.npi or needle in p.provider_number or needle in p.name.casefold()
        ]
        return found[:limit]

    def diagnosis(self, code: str) -> Diagnosis | None:
        return self.diagnoses.get(code.strip().upper())

    def procedure(self, code: str) -> Procedure | None:
        return self.procedures.get(code.strip().upper())
