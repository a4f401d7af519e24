"""Typed results that page objects read off the portal's screens."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Disclaimer:
    """One procedure code's disclaimer on the Authorization Request summary."""

    code: str
    text: str

    @property
    def needs_clinical(self) -> bool:
        return "REVIEW REQUIRED" in self.text

    @property
    def not_required(self) -> bool:
        return "Authorization not required" in self.text


@dataclass(frozen=True)
class ResultLine:
    """A row of the results screen's line table."""

    procedure: str
    from_date: str
    to_date: str
    requested_units: int
    authorized_units: int | None
    status: str
    reason_code: str | None = None
    reason: str | None = None
    """Why a line was denied or cut, as the portal words it."""


@dataclass(frozen=True)
class Results:
    """What the results (or status detail) screen says about one authorization."""

    reference_id: str
    status: str
    authorization_number: str | None
    lines: list[ResultLine] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    reason_code: str | None = None
    reason: str | None = None
    """The authorization's reason for a denial or a cut (CMS-0057-F)."""


@dataclass(frozen=True)
class StatusRow:
    """A row of the Status tab's search results."""

    reference_id: str
    authorization_number: str
    procedure_codes: tuple[str, ...]
    provider_npi: str
    start_date: str
    end_date: str
    status: str
    submitted: str


@dataclass(frozen=True)
class Eligibility:
    """What the Member Eligibility screen says of a member on a date of service."""

    eligible: bool
    plan: str | None
    coverage_start: str | None
    """As the portal shows it (MM/DD/YYYY); None when it shows no coverage at all."""
    coverage_end: str | None
    """None for an open-ended span (the portal's "Open") or no coverage."""
    other_payer: str | None
    """The primary payer when CareSource is not (coordination of benefits)."""
