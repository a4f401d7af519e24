"""The resident worker's systemd unit: the file shipped is the one DEPLOYMENT.md shows, it runs
``pa-bot worker``, and systemd waits longer than a stop can take."""

from __future__ import annotations

import configparser
from pathlib import Path

from bot.config import Settings
from bot.flow import EVIDENCE_S

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "deploy" / "systemd" / "pa-bot-worker.service"


def test_the_unit_in_the_docs_is_the_unit_shipped() -> None:
    docs = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")

    assert f"```ini\n{UNIT.read_text(encoding='utf-8')}```" in docs


def test_the_unit_runs_the_resident_worker_and_outwaits_its_stop() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(UNIT)
    service = unit["Service"]

    assert service["ExecStart"].split()[1:3] == ["worker", "--workers"]
    assert service["KillSignal"] == "SIGTERM"
    stop_grace = Settings.model_fields["stop_grace_s"].default
    assert float(service["TimeoutStopSec"]) > stop_grace + EVIDENCE_S + 10
    assert set(service["RestartPreventExitStatus"].split()) == {"2", "4"}
