"""The request a practice files and the outcome the bot brings back.

``AuthRequest`` holds what the portal asks for and what seed 000 lists as the critical
documentation elements. Validation reports every field at once, with a message per field, before
any browser is started.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from stdnum import luhn

CATEGORIES = (
    "Advanced Imaging",
    "Physical Therapy",
    "Occupational Therapy",
    "Chiropractic",
    "Durable Medical Equipment",
    "Injections",
    "Drug Testing",
    "Outpatient Surgery",
)
TREATMENT_TYPES = (
    "Diagnostic",
    "Therapeutic",
    "Surgical",
    "Rehabilitative",
    "Durable Medical Equipment",
    "Laboratory",
)
PLACES_OF_SERVICE = ("11", "12", "19", "22", "24", "49", "81")
ATTACHMENT_TYPES = (".doc", ".docx", ".xls", ".xlsx", ".pdf", ".txt", ".tif", ".tiff")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The portal's limit for one upload ("File is larger than 10 MB.")."""
EARLIEST_BIRTH_YEAR = 1900

Category = Literal[
    "Advanced Imaging",
    "Physical Therapy",
    "Occupational Therapy",
    "Chiropractic",
    "Durable Medical Equipment",
    "Injections",
    "Drug Testing",
    "Outpatient Surgery",
]
TreatmentType = Literal[
    "Diagnostic",
    "Therapeutic",
    "Surgical",
    "Rehabilitative",
    "Durable Medical Equipment",
    "Laboratory",
]
PlaceOfService = Literal["11", "12", "19", "22", "24", "49", "81"]

_PROCEDURE = re.compile(r"^(\d{5}|[A-Z]\d{4})$")
_PHONE = re.compile(r"^\d{10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Text = Annotated[str, Field(min_length=1, max_length=200)]


def npi_is_valid(npi: str) -> bool:
    """An NPI is 10 digits whose last is the Luhn check digit over ``80840`` + the first nine."""
    return bool(re.fullmatch(r"\d{10}", npi)) and luhn.is_valid("80840" + npi)


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Member(_Strict):
    """Who the request is for: a CareSource ID, a Medicaid ID, or name and date of birth."""

    caresource_id: str | None = Field(default=None, pattern=r"^\d{9}$")
    medicaid_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    first_name: str | None = Field(default=None, min_length=1, max_length=60)
    last_name: str | None = Field(default=None, min_length=1, max_length=60)
    dob: date | None = None

    @field_validator("dob")
    @classmethod
    def _born(cls, dob: date | None) -> date | None:
        if dob is not None and dob > date.today():
            raise ValueError("a date of birth cannot be in the future")
        if dob is not None and dob.year < EARLIEST_BIRTH_YEAR:
            raise ValueError(f"a date of birth cannot be before {EARLIEST_BIRTH_YEAR}")
        return dob

    @model_validator(mode="after")
    def _one_way_to_find(self) -> Self:
        by_info = [self.first_name, self.last_name, self.dob]
        if self.caresource_id or self.medicaid_id:
            return self
        if all(v is not None for v in by_info):
            return self
        raise ValueError(
            "give caresource_id, or medicaid_id, or first_name, last_name and dob together"
        )

    @property
    def search_kind(self) -> Literal["caresource_id", "medicaid_id", "member_info"]:
        if self.caresource_id:
            return "caresource_id"
        if self.medicaid_id:
            return "medicaid_id"
        return "member_info"


class ProcedureLine(_Strict):
    """A CPT (5 digits) or HCPCS (a letter and 4 digits) code and the units requested."""

    code: str
    units: int = Field(default=1, ge=1, le=999)

    @field_validator("code")
    @classmethod
    def _shape(cls, value: str) -> str:
        value = value.upper()
        if not _PROCEDURE.match(value):
            raise ValueError(
                "must be a CPT code (5 digits) or a HCPCS code (a letter and 4 digits)"
            )
        return value


class Clinical(_Strict):
    """Answers to the portal's Document Clinical questions, keyed by the question's text."""

    answers: dict[str, str | int] = Field(default_factory=dict)
    notes: str = Field(default="", max_length=4000)


class Contact(_Strict):
    """The person at the practice who completes the request."""

    name: Text
    phone: str
    extension: str | None = Field(default=None, pattern=r"^\d{1,6}$")
    fax: str
    email: str | None = None

    @field_validator("phone", "fax")
    @classmethod
    def _ten_digits(cls, value: str) -> str:
        digits = _digits(value)
        if not _PHONE.match(digits):
            raise ValueError("must be a 10-digit number")
        return digits

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError("must be an email address")
        return value


class AuthRequest(_Strict):
    """One prior-authorization request, as a practice files it."""

    id: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[\w:-][\w.:-]*$")
    """Also the name of the request's artifacts folder: so never ``.``, ``..`` or hidden."""
    member: Member
    provider_npi: str
    care_setting: Literal["Inpatient", "Outpatient"] = "Outpatient"
    category: Category
    start_date: date
    end_date: date
    treatment_type: TreatmentType
    place_of_service: PlaceOfService
    diagnosis_codes: list[str] = Field(min_length=1, max_length=12)
    procedures: list[ProcedureLine] = Field(min_length=1, max_length=10)
    clinical: Clinical = Field(default_factory=Clinical)
    attachments: list[Path] = Field(default_factory=list, max_length=10)
    contact: Contact
    urgency: Literal["standard", "expedited"] = "standard"

    @field_validator("provider_npi")
    @classmethod
    def _npi(cls, value: str) -> str:
        if not npi_is_valid(value):
            raise ValueError("must be a 10-digit NPI with a valid check digit")
        return value

    @field_validator("diagnosis_codes")
    @classmethod
    def _icd10(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        normal = [dotted_icd10(code) for code in codes]
        if not (info.context or {}).get("queued"):
            bad = [code for code in normal if not billable_icd10(code)]
            if bad:
                raise ValueError(f"not billable ICD-10-CM codes: {', '.join(bad)}")
        if len(set(normal)) != len(normal):
            raise ValueError("a diagnosis code is listed twice")
        return normal

    @field_validator("procedures")
    @classmethod
    def _unique_codes(cls, lines: list[ProcedureLine]) -> list[ProcedureLine]:
        codes = [line.code for line in lines]
        if len(set(codes)) != len(codes):
            raise ValueError("a procedure code is listed twice")
        return lines

    @field_validator("attachments")
    @classmethod
    def _files(cls, paths: list[Path], info: ValidationInfo) -> list[Path]:
        context = info.context or {}
        if context.get("queued"):
            return paths  # checked at intake; a claimed item's files are checked again (queued.py)
        private = [Path(folder).resolve() for folder in context.get("private_dirs", ())]
        uploaded = context.get("uploaded")
        if uploaded is not None:  # the console's upload: files matched by name, no server path
            return [uploaded_file(path, Path(uploaded), private) for path in paths]
        base = Path(context.get("base_dir", "."))
        return [attachment_file(path, base, private) for path in paths]

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError("end_date cannot be before start_date")
        return self

    @property
    def key(self) -> str:
        """The queue's unique key: the request's own id, else a digest of what makes it unique."""
        if self.id:
            return self.id
        member = self.member
        who = member.caresource_id or member.medicaid_id or f"{member.last_name}|{member.dob}"
        codes = ",".join(sorted(line.code for line in self.procedures))
        raw = f"{who}|{self.provider_npi}|{self.start_date.isoformat()}|{codes}"
        return "req-" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def uploaded_file(path: Path, folder: Path, private: list[Path]) -> Path:
    """The file uploaded with the request under ``path``'s name (its folders ignored)."""
    if not (folder / path.name).is_file():
        raise ValueError(f"{path.name}: not uploaded with the request file")
    return attachment_file(Path(path.name), folder, private)


def attachment_file(path: Path, base: Path, private: list[Path]) -> Path:
    """The regular file an attachment names, symlinks followed; its type checked on the target,
    by its extension and its first bytes; never a file of the bot's own private folders."""
    full = (path if path.is_absolute() else base / path).resolve()
    if not full.is_file():
        raise ValueError(f"{path.name}: file not found (or not a regular file)")
    if any(full.is_relative_to(folder) for folder in private):
        raise ValueError(f"{path.name}: a file of pa-bot's own artifacts cannot be attached")
    if full.suffix.lower() not in ATTACHMENT_TYPES:
        raise ValueError(f"{path.name}: type not accepted (Word, Excel, PDF, text, TIFF)")
    if full.stat().st_size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"{path.name}: larger than the portal's 10 MB for one file")
    suffix = full.suffix.lower()
    with full.open("rb") as file:
        content = file.read() if suffix == ".txt" else file.read(8)
    if not _looks_like(suffix, content):
        raise ValueError(f"{path.name}: its content is not a {suffix} file")
    return full


_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
}


def _looks_like(suffix: str, head: bytes) -> bool:
    """By the file's signature; text (the whole file) as UTF-8 without control characters other
    than tab, line and page breaks: the portal's own test."""
    if suffix == ".txt":
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return bool(text) and not any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text)
    return head.startswith(_MAGIC[suffix])


QUEUED = {"queued": True}
"""Validation context for a request read back from the queue: intake checked its diagnosis codes
already, so a worker never loads the ICD-10-CM tree (seconds of start-up and ~170 MB each)."""


def billable_icd10(code: str) -> bool:
    import simple_icd_10_cm as icd  # on first use only: see QUEUED

    return bool(icd.is_valid_item(code) and icd.is_leaf(code))


def dotted_icd10(code: str) -> str:
    code = code.strip().upper().replace(".", "")
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


class PortalStatus(StrEnum):
    """Decision words of the portal, as the queue stores them."""

    APPROVED = "approved"
    PENDED = "pended"
    DENIED = "denied"
    NO_DECISION_YET = "no_decision_yet"
    PARTIALLY_APPROVED = "partially_approved"

    @classmethod
    def from_portal(cls, text: str) -> PortalStatus:
        """``"Partially Approved"`` → ``partially_approved``; ``"NoDecisionYet"`` → ..."""
        word = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text.strip()).lower().replace(" ", "_")
        return cls(word)

    @property
    def decided(self) -> bool:
        """The payer has decided: approved, denied or partially approved."""
        return self in (PortalStatus.APPROVED, PortalStatus.DENIED, PortalStatus.PARTIALLY_APPROVED)


class OutcomeLine(BaseModel):
    """One procedure line of the results table."""

    procedure: str
    from_date: str
    to_date: str
    requested_units: int
    authorized_units: int | None = None
    status: str
    reason_code: str | None = None
    reason: str | None = None
    """Why the line was denied or cut, as the portal words it."""


class Outcome(BaseModel):
    """What the flow brings back for one request."""

    state: Literal["submitted", "not_required", "rejected", "failed"]
    reference_id: str | None = None
    portal_status: PortalStatus | None = None
    authorization_number: str | None = None
    lines: list[OutcomeLine] = Field(default_factory=list)
    messages: list[str] = Field(default_factory=list)
    artifacts: list[str] = Field(default_factory=list)
    uploaded: list[str] = Field(default_factory=list)
    step_seconds: dict[str, float] = Field(default_factory=dict)
    reconciled: bool = False
    reason_code: str | None = None
    denial_reason: str | None = None
    """The authorization's reason for a denial or a cut, as the portal words it."""
    decided_at: datetime | None = None
    """When the bot first saw the payer's decision (at Submit, or at a follow-up)."""
    submitted_status: PortalStatus | None = None
    """The status the portal gave at Submit (``portal_status`` is the latest): a request pended
    then approved counts in the pend rate (``bot.metrics``)."""

    def seen(self, status: PortalStatus | None, at: datetime) -> Self:
        """This outcome with ``decided_at`` set the first time ``status`` is a decision."""
        if self.decided_at is not None or status is None or not status.decided:
            return self
        return self.model_copy(update={"decided_at": at})
