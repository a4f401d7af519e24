"""``pa-bot enqueue bundle.json``: a file holding a Da Vinci PAS request Bundle is one request,
queued under its Claim's key; one the portal could not take is stored invalid, each unusable
element named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.queue import State, open_queue
from tests.support.cli import pa_bot
from tests.support.pas_bundles import pas_bundle

pytestmark = pytest.mark.e2e

SAMPLES = Path(__file__).parents[2] / "fixtures" / "requests"
KIT = Path(__file__).parents[1] / "support" / "pas"


def test_a_pas_bundle_file_is_queued_and_a_kit_bundle_is_invalid(
    settings: Settings, tmp_path: Path
) -> None:
    sample = json.loads((SAMPLES / "approved-imaging-criteria-met.json").read_text())
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(pas_bundle(sample, "claim-file-1")))
    kit = tmp_path / "kit.json"
    shutil.copy(KIT / "conformant_pas_bundle_v110.json", kit)

    done = pa_bot(settings, "enqueue", str(good), str(kit), str(good))

    assert "1 queued, 1 duplicates, 1 invalid" in done.stdout, done.stdout
    assert "Claim.item[0].productOrService" in done.stdout
    queue = open_queue(settings.queue_url)
    try:
        (queued,) = queue.items(State.PENDING)
        (invalid,) = queue.items(State.INVALID)
    finally:
        queue.close()
    assert (
        queued.key.startswith("pas-")
        and json.loads(queued.payload)["procedures"][0]["code"] == "72148"
    )
    assert invalid.error is not None and "Patient.identifier" in invalid.error
