"""``pa-bot metrics`` on the queue of a real night: ``pa-bot enqueue`` and ``pa-bot run`` against
the mock portal, a decision made later and picked up by ``pa-bot follow-up``; the figures in JSON
against a table worked out by hand, and as tables with the rates as percentages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.models import AuthRequest
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request, member

pytestmark = pytest.mark.e2e


def night() -> list[AuthRequest]:
    """Six requests, each for a member of its own: the portal's rules decide each one."""
    kinds: list[tuple[str, str, dict[str, Any]]] = [
        ("MET-IMG-1", "clinical", {}),  # 72148, Advanced Imaging: criteria met, approved
        ("MET-IMG-2", "clinical", {"code_index": 1}),  # 73221, Advanced Imaging: approved
        ("MET-IMG-3", "clinical", {"meet": False}),  # 72148: criteria not met, pended
        ("MET-DME-1", "not_covered", {"urgency": "expedited"}),  # E0720, DME: denied
        ("MET-PT-1", "limit", {"units": 30}),  # 97110, Physical Therapy, max 20: partial
        ("MET-SURG-1", "decision_later", {}),  # 64721, Outpatient Surgery: no decision yet
    ]
    return [
        make_request(kind, id=key, who=member(index=n), **options)
        for n, (key, kind, options) in enumerate(kinds)
    ]


def status_of(settings: Settings) -> dict[str, dict[str, Any]]:
    done = pa_bot(settings, "status", "--format", "json")
    assert done.returncode == ExitCode.OK, done.stderr
    return {record["key"]: record for record in json.loads(done.stdout)}


RATE_KEYS = ("requests", "approval_rate", "partial_rate", "denial_rate", "pend_rate")


def rates(requests: int, *shares: float) -> dict[str, Any]:
    """The figures of ``RATE_KEYS``: how many requests, then the four shares in that order."""
    return dict(zip(RATE_KEYS, (requests, *shares), strict=True))


# By hand, after the follow-up (MET-SURG-1 approved later):
#   6 requests; approved IMG-1, IMG-2, SURG-1: 3/6 = 0.5; partial PT-1: 1/6 = 0.1667;
#   denied DME-1: 1/6; pended at Submit IMG-3: 1/6 (SURG-1 was "no decision yet", not pended).
#   Decided: DME-1 (expedited, at Submit); IMG-1, IMG-2, PT-1 (at Submit) and SURG-1 (at the
#   follow-up): 4 standard. IMG-3 waits, well within its 7 days: nothing past the clocks.
EXPECTED = {
    **rates(6, 0.5, 0.1667, 0.1667, 0.1667),
    "approved_after_appeal_rate": None,
    "past_deadline": 0,
    "since": None,
}
BY_CATEGORY = {
    # IMG-1, IMG-2 approved, IMG-3 pended: 2/3, 1/3
    "Advanced Imaging": rates(3, 0.6667, 0.0, 0.0, 0.3333),
    "Durable Medical Equipment": rates(1, 0.0, 0.0, 1.0, 0.0),
    "Outpatient Surgery": rates(1, 1.0, 0.0, 0.0, 0.0),
    "Physical Therapy": rates(1, 0.0, 1.0, 0.0, 0.0),
}
BY_PROCEDURE = {
    "64721": rates(1, 1.0, 0.0, 0.0, 0.0),
    "72148": rates(2, 0.5, 0.0, 0.0, 0.5),  # IMG-1 approved, IMG-3 pended
    "73221": rates(1, 1.0, 0.0, 0.0, 0.0),
    "97110": rates(1, 0.0, 1.0, 0.0, 0.0),
    "E0720": rates(1, 0.0, 0.0, 1.0, 0.0),
}


def small_hours(hours: dict[str, Any], count: int) -> None:
    """Wall-clock decision times: ``count`` of them, each a few minutes at most."""
    assert hours["count"] == count
    for value in (hours["median"], hours["p90"]):
        assert isinstance(value, float) and 0 <= value < 1, hours
    assert hours["median"] <= hours["p90"]


def test_metrics_of_a_real_night_match_the_table_worked_by_hand(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    day = tmp_path / "day.jsonl"
    day.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in night()))
    assert pa_bot(settings, "enqueue", str(day)).returncode == ExitCode.OK
    done = pa_bot(settings, "run", timeout=300)
    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    # The documentation check, by hand: IMG-1 and IMG-2 lack prior imaging (warned, approved:
    # wrong), IMG-3 lacks it and its indication (warned, pended: right); DME-1 and PT-1 carry
    # what their categories need (not warned, yet denied and cut: missed); SURG-1 carries it.
    (report,) = (settings.artifacts_dir / "reports").glob("run-*.json")
    assert json.loads(report.read_text())["documentation_check"] == {
        "warned": 3,
        "right": 1,
        "missed": 2,
    }
    assert "3 answered requests were warned, 1 of them (33%) were then pended, denied or cut" in (
        " ".join(done.stdout.split())
    )
    before = status_of(settings)
    assert {key: row["portal_status"] for key, row in before.items()} == {
        "MET-IMG-1": "approved",
        "MET-IMG-2": "approved",
        "MET-IMG-3": "pended",
        "MET-DME-1": "denied",
        "MET-PT-1": "partially_approved",
        "MET-SURG-1": "no_decision_yet",
    }
    portal.decide(before["MET-SURG-1"]["reference_id"], "Approved")
    followed = pa_bot(settings, "follow-up")
    assert followed.returncode == ExitCode.OK, followed.stdout + followed.stderr

    shown = pa_bot(settings, "metrics", "--format", "json")

    assert shown.returncode == ExitCode.OK, shown.stderr
    figures = json.loads(shown.stdout)
    assert {key: figures[key] for key in EXPECTED} == EXPECTED
    assert {name: _rates(group) for name, group in figures["by_category"].items()} == BY_CATEGORY
    assert {code: _rates(group) for code, group in figures["by_procedure"].items()} == BY_PROCEDURE
    small_hours(figures["decision_hours"]["expedited"], 1)  # DME-1
    small_hours(figures["decision_hours"]["standard"], 4)  # IMG-1, IMG-2, PT-1, SURG-1
    assert figures["by_category"]["Advanced Imaging"]["decision_hours"]["standard"]["count"] == 2

    table = pa_bot(settings, "metrics")

    assert table.returncode == ExitCode.OK, table.stderr
    assert "Outcome figures: 6 requests." in table.stdout
    for line, value in (
        ("Approved ", "50.0%"),
        ("Partially approved", "16.7%"),
        ("Denied", "16.7%"),
        ("Pended at submit", "16.7%"),
        ("Approved after appeal", "n/a"),
    ):
        assert any(line in row and row.rstrip(" │").endswith(value) for row in _rows(table.stdout))
    assert "Advanced Imaging" in table.stdout and "66.7%" in table.stdout
    assert "E0720" in table.stdout


def test_metrics_refuses_a_day_that_is_not_one_and_a_format_it_has_not(
    settings: Settings,
) -> None:
    bad_day = pa_bot(settings, "metrics", "--since", "2026-31-12")
    bad_format = pa_bot(settings, "metrics", "--format", "csv")
    empty = pa_bot(settings, "metrics", "--since", "2026-12-01", "--format", "json")

    assert bad_day.returncode == ExitCode.USAGE
    assert "--since: not a date: '2026-31-12'; give the day as YYYY-MM-DD" in bad_day.stderr
    assert bad_format.returncode == ExitCode.USAGE
    assert "--format must be table or json" in bad_format.stderr
    assert empty.returncode == ExitCode.OK, empty.stderr
    figures = json.loads(empty.stdout)
    assert figures["requests"] == 0 and figures["approval_rate"] is None
    assert figures["since"] == "2026-12-01"


def _rates(group: dict[str, Any]) -> dict[str, Any]:
    return {key: group[key] for key in RATE_KEYS}


def _rows(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]
