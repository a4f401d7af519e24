"""Every bundle of the Da Vinci PAS test kit (``tests/support/pas/``, copied from
../shared/pas-examples with its license) read as an EHR would send it: the request bundles
answered with every element the portal cannot use named, the response bundles refused as
requests; nothing is a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.pas_bundle import NotPasRequest, read_bundle
from bot.pas_request import map_claim

KIT = Path(__file__).parents[1] / "support" / "pas"


def problems_of(name: str, settings: Settings) -> dict[str, str]:
    read = read_bundle((KIT / name).read_bytes())
    mapped = map_claim(read, settings)
    assert mapped.request is None
    return {problem.expression: problem.text for problem in mapped.problems}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, artifacts_dir=tmp_path / "artifacts")


@pytest.mark.parametrize(
    "name",
    [
        "conformant_pas_bundle_v110.json",
        "conformant_pas_bundle_v110_multiple_items.json",
        "conformant_pas_inquire_bundle_v110.json",
    ],
)
def test_the_kits_requests_name_each_element_the_portal_cannot_take(
    name: str, settings: Settings
) -> None:
    found = problems_of(name, settings)

    assert "X12 service type code (3)" in found["Claim.item[0].productOrService"]
    assert "no usable member identifier" in found["Patient.identifier"]
    assert "Claim.item[0].serviced[x]" in found
    assert "no contact phone, fax" in found["Organization.telecom"]
    if "multiple" in name:
        assert "Claim.item[1].productOrService" in found


def test_a_request_whose_claim_references_a_missing_resource_says_which(
    settings: Settings,
) -> None:
    found = problems_of("missing_referenced_resource_request_bundle.json", settings)

    assert found["Claim.careTeam[0].provider"] == (
        "Practitioner/ReferralPractitionerExample is not in the Bundle"
    )


@pytest.mark.parametrize(
    "name",
    [
        "valid_pa_response_bundle.json",
        "valid_pa_response_bundle_denial.json",
        "valid_pa_inquire_response_bundle.json",
        "nonconformant_pas_bundle_v110.json",
    ],
)
def test_bundles_that_are_not_requests_are_refused_as_such(name: str) -> None:
    with pytest.raises(NotPasRequest) as refused:
        read_bundle((KIT / name).read_bytes())

    (problem,) = refused.value.problems
    assert problem.expression == "Bundle.entry[0].resource"
    assert "begins with a Claim of use preauthorization" in problem.text
