"""PAS request Bundles of our own, built from the sample requests: each maps back to the request
it was built from, field by field (docs/FHIR.md's tables); the same Claim is the same key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.pas_bundle import read_bundle
from bot.pas_request import map_claim
from tests.support.pas_bundles import pas_bundle

SAMPLES = Path(__file__).parents[2] / "fixtures" / "requests"
NAMES = [
    "approved-imaging-criteria-met.json",
    "pended-imaging-criteria-not-met.json",
    "denied-dme-not-covered.json",
    "partially-approved-pt-beyond-limit.json",
    "not-required-pt-evaluation.json",
    "no-decision-yet-carpal-tunnel-surgery.json",
    "approved-injection-by-medicaid-id.json",
]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, artifacts_dir=tmp_path / "artifacts")


def mapped(bundle: dict[str, object], settings: Settings):  # type: ignore[no-untyped-def]
    return map_claim(read_bundle(json.dumps(bundle).encode()), settings)


@pytest.mark.parametrize("name", NAMES)
def test_a_bundle_maps_back_to_the_request_it_was_built_from(name: str, settings: Settings) -> None:
    sample = json.loads((SAMPLES / name).read_text())

    result = mapped(pas_bundle(sample, f"claim-{name}"), settings)

    assert result.problems == []
    request = result.request
    assert request is not None
    expected = {k: sample[k] for k in ("category", "treatment_type", "place_of_service")}
    assert {k: getattr(request, k) for k in expected} == expected
    assert request.provider_npi == sample["provider_npi"]
    assert request.member.model_dump(exclude_none=True, mode="json") == sample["member"]
    assert request.diagnosis_codes == sample["diagnosis_codes"]
    assert [line.model_dump() for line in request.procedures] == [
        {"code": p["code"], "units": p.get("units", 1)} for p in sample["procedures"]
    ]
    assert (str(request.start_date), str(request.end_date)) == (
        sample["start_date"],
        sample["end_date"],
    )
    assert request.clinical.answers == sample.get("clinical", {}).get("answers", {})
    assert request.contact.phone == "".join(c for c in sample["contact"]["phone"] if c.isdigit())


def test_the_same_claim_is_the_same_key_and_another_claim_another(settings: Settings) -> None:
    sample = json.loads((SAMPLES / NAMES[0]).read_text())

    one = mapped(pas_bundle(sample, "claim-1"), settings).request
    again = mapped(pas_bundle(sample, "claim-1"), settings).request
    other = mapped(pas_bundle(sample, "claim-2"), settings).request

    assert one is not None and again is not None and other is not None
    assert one.key == again.key != other.key
    assert one.key.startswith("pas-") and "claim" not in one.key


def test_urgent_asks_for_an_expedited_decision(settings: Settings) -> None:
    sample = json.loads((SAMPLES / NAMES[0]).read_text())

    request = mapped(pas_bundle(sample, "claim-u", urgent=True), settings).request

    assert request is not None and request.urgency == "expedited"


def test_an_attachment_in_the_bundle_is_written_privately_and_checked(
    settings: Settings,
) -> None:
    sample = json.loads((SAMPLES / NAMES[1]).read_text())
    pdf = (SAMPLES.parent / "attachments" / "clinical-notes.pdf").read_bytes()

    good = mapped(pas_bundle(sample, "c-1", attachments={"notes.pdf": pdf}), settings)
    bad = mapped(pas_bundle(sample, "c-2", attachments={"notes.pdf": b"not a pdf"}), settings)

    assert good.request is not None
    (path,) = good.request.attachments
    assert path.name == "notes.pdf" and path.read_bytes() == pdf
    assert path.is_relative_to(settings.artifacts_dir / "fhir")
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert bad.request is None
    assert [p.expression for p in bad.problems] == ["Claim.supportingInfo[1]"]


def test_every_unusable_element_is_named_at_once(settings: Settings) -> None:
    sample = json.loads((SAMPLES / NAMES[0]).read_text())
    bundle = pas_bundle(
        {
            **sample,
            "provider_npi": "1234567890",
            "diagnosis_codes": ["M54.5"],
            "place_of_service": "23",
        },
        "claim-bad",
    )

    result = mapped(bundle, settings)

    assert result.request is None
    assert {p.expression: p.text for p in result.problems} == {
        "Organization.identifier": "NPI 1234567890 is not 10 digits with a valid check digit",
        "Claim.diagnosis[0].diagnosisCodeableConcept": "M54.5 is not a billable ICD-10-CM code",
        "Claim.item[0].locationCodeableConcept": (
            "place of service 23 is not one the portal takes (11, 12, 19, 22, 24, 49, 81)"
        ),
    }


def test_a_period_of_date_times_gives_its_days(settings: Settings) -> None:
    sample = json.loads((SAMPLES / NAMES[0]).read_text())
    bundle = pas_bundle(sample, "claim-times")
    period = {"start": "2026-12-01T08:00:00-05:00", "end": "2026-12-31T17:00:00-05:00"}
    bundle["entry"][0]["resource"]["item"][0]["servicedPeriod"] = period

    request = mapped(bundle, settings).request

    assert request is not None
    assert (str(request.start_date), str(request.end_date)) == ("2026-12-01", "2026-12-31")
