"""A rehearsal for the real portal: ``--dry-run`` walks every screen up to the summary, keeps a
screenshot of each, cancels, and leaves the portal and the queue as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.demo import SAMPLES
from bot.errors import ExitCode
from bot.queue import Item
from tests.e2e.test_run_cli import queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot

pytestmark = pytest.mark.e2e

SCREENS = ["member-search", "care-setting", "request-details", "summary"]


def _as_they_were(items: list[Item]) -> list[tuple[object, ...]]:
    return [
        (i.id, i.state, i.attempts, i.updated_at, i.error, i.lease_owner, i.reference_id)
        for i in items
    ]


def test_a_dry_run_of_every_sample_request_submits_nothing_and_changes_no_item(
    settings: Settings, portal: PortalAdmin
) -> None:
    samples = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".jsonl", ".csv"})
    pa_bot(settings, "enqueue", *map(str, samples))
    before = queue_items(settings)
    pending = [item for item in before if item.state == "pending"]
    assert len(pending) >= 20

    done = pa_bot(settings, "run", "--dry-run", "--workers", "2")

    assert done.returncode == ExitCode.OK, done.stdout[-3000:] + done.stderr[-2000:]
    assert portal.authorizations() == []
    assert _as_they_were(queue_items(settings)) == _as_they_were(before)
    out = " ".join(done.stdout.split())
    assert "Dry run: nothing was submitted" in out
    assert f"{len(pending)} of {len(pending)} requests walked their screens" in out
    assert "ready to submit" in out and "no authorization required" in out
    assert "the portal refused it" in out, "the refused samples say where they stopped"
    (run,) = (settings.artifacts_dir / "dry-run").iterdir()
    assert {folder.name for folder in run.iterdir()} == {item.key for item in pending}
    clinical = sorted(p.name for p in (run / "REQ-2026-1201-01").iterdir())
    assert [name.split("-", 1)[1].removesuffix(".png") for name in clinical[:4]] == SCREENS
    assert any("document-clinical" in name for name in clinical)
    assert clinical[-1].endswith("summary-answered.png")


def test_submit_dry_run_queues_nothing_and_shows_the_screens(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", 1, prefix="REHEARSE")

    done = pa_bot(settings, "submit", "--dry-run", str(path))

    assert done.returncode == ExitCode.OK, done.stdout[-3000:] + done.stderr[-2000:]
    assert queue_items(settings) == []
    assert portal.authorizations() == []
    out = " ".join(done.stdout.split())
    assert "ready to submit" in out and "member-search, care-setting" in out


def test_a_dry_run_meets_ui_drift_with_exit_5(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(ui_drift=True)
    path = write_jsonl(tmp_path / "night.jsonl", 3, prefix="REHEARSEDRIFT")
    pa_bot(settings, "enqueue", str(path))
    before = queue_items(settings)

    done = pa_bot(settings, "run", "--dry-run")

    assert done.returncode == ExitCode.UI_DRIFT, done.stdout[-3000:]
    out = " ".join(done.stdout.split())
    assert 'Request details screen has no field labelled "Diagnosis Code"' in out
    assert "The portal's screens changed" in out
    assert _as_they_were(queue_items(settings)) == _as_they_were(before)
    assert portal.authorizations() == []
