"""What the portal stores: draft requests (one per request being entered) and the
authorizations that submitting a draft records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from pydantic import BaseModel, Field

from mock_portal.rules import Status, authorization_reason


class ProcedureLine(BaseModel):
    code: str
    units: int


class ClinicalRecord(BaseModel):
    """The saved Document Clinical answers for one procedure code."""

    answers: dict[str, str]
    notes: str = ""
    met: bool


class Contact(BaseModel):
    name: str = ""
    phone: str = ""
    extension: str = ""
    fax: str = ""
    email: str = ""


class Draft(BaseModel):
    """A request being entered. It belongs to the user, not to the session, so that a user who
    logs in again after the session expired comes back to it."""

    id: str
    username: str
    authorization_number: str
    request_type: str = "medical"
    member_id: str
    date_of_service: date
    care_setting: str = ""
    category: str = ""
    provider_npi: str = ""
    provider_search: str = ""
    start_date: date | None = None
    end_date: date | None = None
    treatment_type: str = ""
    place_of_service: str = ""
    diagnosis_codes: list[str] = Field(default_factory=list)
    procedures: list[ProcedureLine] = Field(default_factory=list)
    contact: Contact = Field(default_factory=Contact)
    clinical: dict[str, ClinicalRecord] = Field(default_factory=dict)
    details_done: bool = False
    submissions: list[str] = Field(default_factory=list)


class AuthorizationLine(BaseModel):
    line_number: int
    procedure: str
    from_date: date
    to_date: date
    requested_units: int
    authorized_units: int | None
    status: Status
    reason_code: str | None = None
    reason: str | None = None
    """The reason text of a denied or partially approved line (``decision_reasons.json``)."""


class Authorization(BaseModel):
    """One submission, as ``GET /_mock/authorizations`` lists it (plus attachments)."""

    reference_id: str
    authorization_number: str
    member_id: str
    provider_npi: str
    procedure_codes: list[str]
    diagnosis_codes: list[str]
    units: list[int]
    start_date: date
    end_date: date
    status: Status
    lines: list[AuthorizationLine]
    submitted_at: datetime
    ui_variant: int
    username: str
    care_setting: str
    category: str
    treatment_type: str
    place_of_service: str
    contact: Contact
    clinical: dict[str, ClinicalRecord] = Field(default_factory=dict)
    decision_note: str | None = None
    type: str = "Standard"
    reason_code: str | None = None
    reason: str | None = None
    """The authorization's reason: its first denied line's, else its first cut line's."""

    def explain(self, reasons: Mapping[str, str]) -> None:
        """Each line's reason text from its code, and the authorization's reason from them."""
        for line in self.lines:
            line.reason = reasons.get(line.reason_code) if line.reason_code else None
        self.reason_code = authorization_reason([(ln.status, ln.reason_code) for ln in self.lines])
        self.reason = reasons.get(self.reason_code) if self.reason_code else None
