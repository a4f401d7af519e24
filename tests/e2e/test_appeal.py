"""``pa-bot appeal``: the packet of a denied request, printed by Chromium, holds the payer's
reason, the response, the documentation lacking, the deadline from the plan's row of
PA_BOT_APPEAL_DAYS and the letterhead from the settings; an approved request is refused; the
appeal's states are recorded in order, each in its history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.config import Settings
from bot.models import AuthRequest
from tests.support.cli import pa_bot
from tests.support.requests import make_request, member

pytestmark = pytest.mark.e2e

LETTERHEAD = {
    "PA_BOT_PRACTICE_NAME": "Riverside Occupational Health",
    "PA_BOT_PRACTICE_ADDRESS": "100 River Rd, Columbus OH 43215",
    "PA_BOT_PRACTICE_PHONE": "614-555-0100",
    "PA_BOT_PRACTICE_FAX": "614-555-0101",
    "PA_BOT_PLAN": "Marketplace",
    "PA_BOT_APPEAL_DAYS": '{"Medicaid": 60, "Marketplace": 45}',
}


def submitted(settings: Settings, folder: Path, request: AuthRequest) -> dict[str, Any]:
    path = folder / f"{request.key}.json"
    path.write_text(request.model_dump_json(exclude_none=True))
    done = pa_bot(settings, "submit", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    records = json.loads(pa_bot(settings, "status", "--format", "json").stdout)
    record: dict[str, Any] = next(r for r in records if r["key"] == request.key)
    return record


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_the_packet_of_a_denial_holds_the_reason_and_the_deadline(
    settings: Settings, tmp_path: Path
) -> None:
    denied = submitted(settings, tmp_path, make_request("not_covered", id="APPEAL-DENIED"))
    out = tmp_path / "appeal.pdf"

    done = pa_bot(
        settings, "appeal", denied["reference_id"], "--out", str(out), extra_env=LETTERHEAD
    )

    assert done.returncode == 0, done.stdout + done.stderr
    seen = datetime.fromisoformat(denied["decided_at"]).astimezone().date()  # the local day
    due = seen + timedelta(days=45)
    assert f"Appeal deadline: {due}" in " ".join(done.stdout.split())
    text = pdf_text(out)
    assert out.read_bytes().startswith(b"%PDF-")
    assert out.stat().st_mode & 0o777 == 0o600
    assert denied["denial_reason"] in text
    assert f"NC01: {denied['denial_reason']}" in text
    assert f"Appeal deadline: {due.isoformat()} (45 calendar days for Marketplace" in text
    assert "Riverside Occupational Health" in text and "614-555-0101" in text
    assert f"reference ID {denied['reference_id']}" in text
    assert "We ask for a review of the coverage determination" in text
    assert "Peer-to-peer review" in text
    assert "Patient demographics and CareSource member ID held" in text
    assert "prepared" in done.stdout


def test_an_approved_request_is_refused_and_nothing_written(
    settings: Settings, tmp_path: Path
) -> None:
    approved = submitted(settings, tmp_path, make_request("clinical", id="APPEAL-APPROVED"))
    out = tmp_path / "appeal.pdf"

    done = pa_bot(settings, "appeal", approved["reference_id"], "--out", str(out))

    assert done.returncode == 2
    said = " ".join(done.stderr.split())
    assert (
        f"reference ID {approved['reference_id']} is approved: only a denied or partially "
        "approved request can be appealed" in said
    )
    assert not out.exists()
    unknown = pa_bot(settings, "appeal", "999999999")
    assert unknown.returncode == 2
    assert "no request in the queue has reference ID 999999999" in unknown.stderr


def test_the_appeal_moves_filed_then_overturned_and_keeps_its_history(
    settings: Settings, tmp_path: Path
) -> None:
    cut = submitted(
        settings,
        tmp_path,
        make_request("limit", units=30, id="APPEAL-CUT", who=member(index=2)),
    )
    reference = cut["reference_id"]

    filed = pa_bot(settings, "appeal", reference, "--mark", "filed")
    overturned = pa_bot(settings, "appeal", reference, "--mark", "overturned")
    late = pa_bot(settings, "appeal", reference, "--mark", "upheld")
    wrong = pa_bot(settings, "appeal", reference, "--mark", "won")

    assert filed.returncode == 0 and overturned.returncode == 0, filed.stdout + overturned.stdout
    said = " ".join(overturned.stdout.split())
    today = datetime.now(UTC).date().isoformat()  # the history is in UTC
    assert f"Appeal of {reference}: filed {today}" in said
    assert said.index("filed") < said.index("overturned")
    assert late.returncode == 2
    assert "is overturned; it can become nothing: it is decided, not upheld" in " ".join(
        late.stderr.split()
    )
    assert wrong.returncode == 2 and "--mark must be one of filed, overturned, upheld" in (
        " ".join(wrong.stderr.split())
    )
    again = pa_bot(settings, "appeal", reference)
    assert again.returncode == 2
    assert "is overturned: its packet is kept as it was sent" in " ".join(again.stderr.split())
