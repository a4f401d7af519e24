"""What a PAS Claim carries beside its items: attachments as a Binary, or only by URL (a warning,
and the request goes on without it), and clinical notes."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.pas_bundle import read_bundle
from bot.pas_request import map_claim
from tests.support.pas_bundles import pas_bundle

SAMPLES = Path(__file__).parents[2] / "fixtures" / "requests"
PDF = (SAMPLES.parent / "attachments" / "clinical-notes.pdf").read_bytes()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, artifacts_dir=tmp_path / "artifacts")


def with_support(resource: dict[str, Any] | None, info: dict[str, Any]) -> dict[str, Any]:
    sample = json.loads((SAMPLES / "pended-imaging-criteria-not-met.json").read_text())
    bundle = pas_bundle(sample, "claim-support")
    claim = bundle["entry"][0]["resource"]
    category = {"coding": [{"code": "additionalInformation"}]}
    claim.setdefault("supportingInfo", []).append({"sequence": 9, "category": category, **info})
    if resource is not None:
        bundle["entry"].append({"resource": resource})
    return bundle


def test_a_binary_is_an_attachment(settings: Settings) -> None:
    binary = {
        "resourceType": "Binary",
        "id": "scan",
        "contentType": "application/pdf",
        "data": base64.b64encode(PDF).decode(),
    }
    bundle = with_support(binary, {"valueReference": {"reference": "Binary/scan"}})

    mapped = map_claim(read_bundle(json.dumps(bundle).encode()), settings)

    assert mapped.request is not None, mapped.problems
    (path,) = mapped.request.attachments
    assert path.suffix == ".pdf" and path.read_bytes() == PDF


def test_an_attachment_by_url_only_is_a_warning_and_the_request_goes_on(
    settings: Settings,
) -> None:
    info = {"valueAttachment": {"contentType": "application/pdf", "url": "https://ehr.example/x"}}

    mapped = map_claim(read_bundle(json.dumps(with_support(None, info)).encode()), settings)

    assert mapped.request is not None and mapped.request.attachments == []
    (warning,) = mapped.problems
    assert (warning.severity, warning.expression) == ("warning", "Claim.supportingInfo[1]")
    assert "not fetched" in warning.text


def test_free_text_is_the_clinical_notes(settings: Settings) -> None:
    info = {"valueString": "Eight weeks of physical therapy without relief."}

    mapped = map_claim(read_bundle(json.dumps(with_support(None, info)).encode()), settings)

    assert mapped.request is not None
    assert mapped.request.clinical.notes == "Eight weeks of physical therapy without relief."
