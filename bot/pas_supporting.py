"""What a PAS Claim carries in ``supportingInfo``: the Document Clinical answers (a DTR
QuestionnaireResponse, matched to the portal's questions by their text), free-text notes, and
attachments (DocumentReference, Binary or an Attachment, base64 in the Bundle).

Attachments are written to a private folder under ``ARTIFACTS_DIR/fhir/`` and checked as any
attachment is (type by extension and content, the portal's size limit); one given only by a
URL is a warning, and the request goes on without it: the gateway fetches nothing.
"""

from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fhir.resources.R4B.attachment import Attachment
from fhir.resources.R4B.binary import Binary
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.models import attachment_file
from bot.pas_bundle import PasBundle, Problem

URL_ONLY = "an attachment given only by a URL is not fetched: the request goes on without it"


@dataclass(frozen=True)
class _Carried:
    """A file the Bundle carries (its bytes decoded by the models), or names by URL only."""

    title: str | None
    content_type: str | None
    data: bytes | None


def supporting(read: PasBundle, parent: Path) -> tuple[dict[str, str | int], str, list[Path]]:
    """The answers by question text, the notes, and the attachments written under ``parent``."""
    answers: dict[str, str | int] = {}
    notes: list[str] = []
    files: list[Path] = []
    folder: Path | None = None
    for index, info in enumerate(read.claim.supportingInfo or []):
        where = f"Claim.supportingInfo[{index}]"
        if info.valueString:
            notes.append(str(info.valueString))
        found: object = info.valueAttachment
        if info.valueReference is not None:
            found = read.resolve(info.valueReference.reference, f"{where}.valueReference")
        if isinstance(found, QuestionnaireResponse):
            answers.update(_answers(found.item or []))
            continue
        for carried in _carried(found):
            if carried.data is None:
                read.problems.append(Problem(where, URL_ONLY, "warning", "not-supported"))
                continue
            folder = folder or _private(parent)
            saved = _write(carried, folder, len(files) + 1, where, read)
            if saved is not None:
                files.append(saved)
    return answers, "\n\n".join(notes)[:4000], files


def _carried(found: object) -> list[_Carried]:
    if isinstance(found, Attachment):
        return [_Carried(found.title, found.contentType, found.data)]
    if isinstance(found, DocumentReference):
        return [
            _Carried(c.attachment.title, c.attachment.contentType, c.attachment.data)
            for c in found.content or []
            if c.attachment is not None
        ]
    if isinstance(found, Binary):
        return [_Carried(None, found.contentType, found.data)]
    return []


def _answers(items: list[Any]) -> dict[str, str | int]:
    """The answers of a QuestionnaireResponse's items, nested ones too, by the item's text."""
    found: dict[str, str | int] = {}
    for item in items:
        for answer in item.answer or []:
            value = _answer_value(answer)
            if item.text and value is not None:
                found[str(item.text)] = value
            found.update(_answers(answer.item or []))
        found.update(_answers(item.item or []))
    return found


def _answer_value(answer: Any) -> str | int | None:
    if answer.valueBoolean is not None:
        return "Yes" if answer.valueBoolean else "No"
    if answer.valueInteger is not None:
        return int(answer.valueInteger)
    if answer.valueString is not None:
        return str(answer.valueString)
    if answer.valueCoding is not None:
        return str(answer.valueCoding.display or answer.valueCoding.code)
    return None


def _write(
    carried: _Carried, folder: Path, number: int, where: str, read: PasBundle
) -> Path | None:
    suffix = mimetypes.guess_extension(carried.content_type or "") or ""
    path = folder / Path(carried.title or f"attachment-{number}{suffix}").name
    path.write_bytes(carried.data or b"")
    path.chmod(0o600)
    try:
        return attachment_file(path, folder, [])
    except ValueError as exc:
        read.problems.append(Problem(where, str(exc)))
        return None


def _private(parent: Path) -> Path:
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = parent / secrets.token_hex(8)
    folder.mkdir(mode=0o700)
    return folder
