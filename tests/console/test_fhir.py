"""The FHIR front door end to end, as an EHR uses it: PAS request Bundles posted to ``pa-bot
serve`` (the console's server and its resident worker) with a system account's bearer token,
submitted through the real mock portal in real Chromium, answered with PAS response Bundles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.console.passwords import new_token, token_digest
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.pas_bundles import pas_bundle

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).parents[2] / "fixtures" / "requests"
KIT = Path(__file__).parents[1] / "support" / "pas"
REVIEW = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-reviewAction"


@pytest.fixture
def ehr(served: str, settings: Settings) -> Iterator[httpx.Client]:
    """An EHR's client of the served console, with a system account's token."""
    token = new_token()
    queue = console_queue(open_queue(settings.queue_url))
    try:
        queue.user_add("ehr", "system", None)
        queue.user_set("ehr", token_hash=token_digest(token))
    finally:
        queue.close()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    with httpx.Client(base_url=served, headers=headers, timeout=60) as client:
        yield client


def bundle_of(name: str, claim_id: str) -> dict[str, Any]:
    return pas_bundle(json.loads((SAMPLES / name).read_text()), claim_id)


def review(answer: dict[str, Any], item: int = 0) -> str:
    """The X12 306 review action code of the ClaimResponse's item."""
    response = answer["entry"][0]["resource"]
    (action,) = [
        e for e in response["item"][item]["adjudication"][0]["extension"] if e["url"] == REVIEW
    ]
    (code,) = [e for e in action["extension"] if e["url"].endswith("reviewActionCode")]
    return str(code["valueCodeableConcept"]["coding"][0]["code"])


def test_an_approved_claim_is_answered_with_its_reference_id_and_a1(
    ehr: httpx.Client, portal: PortalAdmin
) -> None:
    sent = bundle_of("approved-imaging-criteria-met.json", "claim-approved")

    answered = ehr.post("/fhir/Claim/$submit", json=sent)

    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"].startswith("application/fhir+json")
    answer = answered.json()
    response = answer["entry"][0]["resource"]
    (recorded,) = portal.authorizations()
    assert response["resourceType"] == "ClaimResponse"
    assert response["preAuthRef"] == recorded["reference_id"]
    assert response["outcome"] == "complete"
    assert response["identifier"] == sent["entry"][0]["resource"]["identifier"]
    assert answer["identifier"] == sent["identifier"]
    assert review(answer) == "A1"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("pended-imaging-criteria-not-met.json", "A4"),
        ("denied-dme-not-covered.json", "A3"),
        ("partially-approved-pt-beyond-limit.json", "A6"),
        ("not-required-pt-evaluation.json", "NA"),
    ],
)
def test_each_decision_is_its_review_action(ehr: httpx.Client, name: str, code: str) -> None:
    answer = ehr.post("/fhir/Claim/$submit", json=bundle_of(name, f"claim-{name}")).json()

    assert review(answer) == code
    response = answer["entry"][0]["resource"]
    if code == "A6":
        item = response["item"][0]
        (detail,) = item["extension"]
        assert detail["extension"][0]["valueQuantity"]["value"] == 20  # of the 24 asked
    reason = {"A3": "NC01: Not a covered benefit", "A6": "BL01: Exceeds benefit limit"}.get(code)
    assert (response.get("disposition") or "").startswith(reason or "") and (
        reason is None or "disposition" in response
    )
    warned = [
        issue["diagnostics"]
        for entry in answer["entry"]
        if entry["resource"]["resourceType"] == "OperationOutcome"
        for issue in entry["resource"]["issue"]
        if issue["expression"] == ["Claim.supportingInfo"]
    ]
    if code == "A4":  # criteria not met: no notes (not in this bundle), no conservative
        assert warned == [  # treatment in the answers, no X-ray
            "likely pended: no clinical notes or attached note in the notes, answers or "
            "attachments",
            "likely pended: no weeks of conservative treatment and its failure, or red-flag "
            "findings in the notes, answers or attachments",
            "likely pended: no prior imaging (X-ray report) in the notes, answers or attachments",
        ]


def test_the_same_claim_sent_twice_is_submitted_once(
    ehr: httpx.Client, portal: PortalAdmin
) -> None:
    sent = bundle_of("approved-imaging-criteria-met.json", "claim-twice")

    first = ehr.post("/fhir/Claim/$submit", json=sent).json()
    again = ehr.post("/fhir/Claim/$submit", json=sent).json()

    assert len(portal.authorizations()) == 1
    assert (
        again["entry"][0]["resource"]["preAuthRef"] == first["entry"][0]["resource"]["preAuthRef"]
    )


def test_inquire_shows_a_decision_that_arrived_later(
    ehr: httpx.Client, portal: PortalAdmin, settings: Settings
) -> None:
    sent = bundle_of("no-decision-yet-carpal-tunnel-surgery.json", "claim-later")
    first = ehr.post("/fhir/Claim/$submit", json=sent).json()
    assert review(first) == "A4"
    portal.decide(first["entry"][0]["resource"]["preAuthRef"], "Approved")
    followed = pa_bot(settings, "follow-up")
    assert followed.returncode == 0, followed.stdout

    asked = ehr.post("/fhir/Claim/$inquire", json=sent)

    assert asked.status_code == 200, asked.text
    assert review(asked.json()) == "A1"


def test_a_token_is_required_and_nothing_unusable_is_queued(
    ehr: httpx.Client, served: str, settings: Settings
) -> None:
    sent = bundle_of("approved-imaging-criteria-met.json", "claim-no-token")
    anonymous = httpx.post(f"{served}/fhir/Claim/$submit", json=sent)
    not_json = ehr.post("/fhir/Claim/$submit", content=b"{not json")
    kit = ehr.post(
        "/fhir/Claim/$submit", content=(KIT / "conformant_pas_bundle_v110.json").read_bytes()
    )
    response = ehr.post(
        "/fhir/Claim/$submit", content=(KIT / "valid_pa_response_bundle.json").read_bytes()
    )
    metadata = httpx.get(f"{served}/fhir/metadata")

    assert anonymous.status_code == 401
    assert not_json.status_code == 400
    assert not_json.json()["resourceType"] == "OperationOutcome"
    assert kit.status_code == 422
    named = {i["expression"][0] for i in kit.json()["issue"]}
    assert {"Patient.identifier", "Claim.item[0].productOrService"} <= named
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource"]
    assert metadata.json()["resourceType"] == "CapabilityStatement"
    queue = open_queue(settings.queue_url)
    try:
        assert queue.items() == []
    finally:
        queue.close()
