"""The morning report as a front office works it: counts first, then one group per thing to do
(send documents, appeal or accept a denial, fix and resubmit, wait for a decision, nothing to
do), decisions due soonest first in a group, the proof linked from each submitted item."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console

from bot.queue import Item, State
from bot.report import ACTIONS, print_report, rows_for, write_report

NOW = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
BASE = Item(
    id=0,
    key="",
    state=State.SUBMITTED,
    payload=json.dumps({"urgency": "standard"}),
    source="day.jsonl",
    attempts=1,
    error=None,
    portal_status="approved",
    reference_id="100000001",
    outcome=None,
    lease_owner=None,
    lease_expires_at=None,
    created_at=NOW - timedelta(hours=10),
    updated_at=NOW - timedelta(hours=5),
    submitting_at=NOW - timedelta(hours=6),
)


def item(n: int, **changes: object) -> Item:
    return replace(BASE, id=n, key=f"REQ-{n}", **changes)  # type: ignore[arg-type]


NIGHT = [
    item(1),
    item(2, portal_status="pended", outcome={"state": "submitted", "uploaded": []}),
    item(3, portal_status="denied"),
    item(4, state=State.REJECTED, portal_status=None, reference_id=None, error="x: no member"),
    item(5, portal_status="no_decision_yet", submitting_at=NOW - timedelta(days=2)),
    item(6, portal_status="no_decision_yet", submitting_at=NOW - timedelta(days=5)),
    item(7, portal_status="partially_approved"),
    item(8, state=State.INVALID, portal_status=None, reference_id=None, error="dob: future"),
    item(9, state=State.NOT_REQUIRED, portal_status="not_required", reference_id=None),
    item(10, portal_status="pended", outcome={"state": "submitted", "uploaded": ["notes.pdf"]}),
]


def test_items_are_grouped_by_what_to_do_and_due_soonest_first() -> None:
    rows = rows_for(NIGHT, NOW)

    groups = {name: [r.key for r in rows if r.action == name] for name in ACTIONS}
    assert groups == {
        "Send documents": ["REQ-2"],
        "Appeal or accept a denial": ["REQ-3", "REQ-7"],
        "Fix and resubmit": ["REQ-4", "REQ-8"],
        # REQ-6 was submitted three days before REQ-5: its decision is due first; REQ-10 was
        # submitted last, its decision is due last
        "Wait for a decision": ["REQ-6", "REQ-5", "REQ-10"],
        "Nothing to do": ["REQ-1", "REQ-9"],
    }
    assert [r.action for r in rows] == sorted((r.action for r in rows), key=ACTIONS.index)


def test_the_console_report_gives_the_counts_first_then_each_group() -> None:
    out = io.StringIO()

    print_report(Console(file=out, width=100), rows_for(NIGHT, NOW))

    text = out.getvalue()
    first = text.splitlines()[0]
    assert first == (
        "pa-bot run report: 10 items: send documents 1, appeal or accept a denial 2, fix and "
        "resubmit 2, wait for a decision 3, nothing to do 2."
    )
    positions = [text.index(f"{name} (") for name in ACTIONS]
    assert positions == sorted(positions)


def test_the_html_report_links_each_proof_and_the_json_keeps_its_form(tmp_path: Path) -> None:
    proof = tmp_path / "REQ-1" / "2026-12-03T01-00-00" / "proof.pdf"
    night = [item(1, outcome={"state": "submitted", "artifacts": [str(proof)]}), *NIGHT[1:]]

    json_path, html_path = write_report(tmp_path, rows_for(night, NOW), NOW)

    html = html_path.read_text()
    assert 'href="../REQ-1/2026-12-03T01-00-00/proof.pdf"' in html
    assert html.index("Send documents") < html.index("Nothing to do")
    document = json.loads(json_path.read_text())
    assert document["actions"]["Wait for a decision"] == 3
    assert {"key", "state", "why", "needs_person", "action", "due", "proof"} <= set(
        document["items"][0]
    )
