"""``pa-bot eligibility`` in headless Chromium against the mock's Member Eligibility screen:
eligible, not eligible on the date, a coverage gap, another payer primary, not found, by each of
the three ways, in both UI variants, a 503 on the screen retried; the JSON output's keys; CSV
input; the answers kept; and a request whose member is known not eligible ends rejected
without a portal search."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.eligibility import member_key
from bot.errors import ExitCode
from bot.queue import State, open_queue
from bot.queue.eligibility import Answered, eligibility_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e

KEYS = {
    "member",
    "date_of_service",
    "eligible",
    "plan",
    "coverage_start",
    "coverage_end",
    "other_payer",
    "error",
}
SCHEDULE = [
    ({"caresource_id": "105634024"}, "2026-12-01"),
    ({"medicaid_id": "310012345602"}, "2026-12-01"),
    ({"first_name": "Quincy", "last_name": "Mockwell", "dob": "1990-11-05"}, "2026-12-01"),
    ({"caresource_id": "105634123"}, "2026-07-01"),  # coverage ended 2026-06-30
    ({"caresource_id": "105634147"}, "2026-04-15"),  # the gap of April 2026
    ({"caresource_id": "105634161"}, "2026-12-01"),  # workers' compensation primary
    ({"caresource_id": "999999999"}, "2026-12-01"),  # nobody
]
EXPECTED = [
    # eligible, plan, coverage_start, coverage_end, other_payer, error
    (True, "Medicaid", "2025-01-01", None, None, None),
    (True, "Medicaid", "2025-01-01", None, None, None),
    (True, "Medicaid", "2025-01-01", None, None, None),
    (False, "Medicaid", "2024-01-01", "2026-06-30", None, None),
    (False, "Medicaid", "2025-01-01", "2026-03-31", None, None),
    (True, "Medicaid", "2025-01-01", None, "Ohio Bureau of Workers' Compensation", None),
    (None, None, None, None, None, "member not found"),
]


def schedule_file(folder: Path, rows: list[tuple[dict[str, str], str]]) -> Path:
    path = folder / "tomorrow.jsonl"
    path.write_text(
        "".join(json.dumps({"member": m, "date_of_service": d}) + "\n" for m, d in rows)
    )
    return path


def checked(settings: Settings, path: Path) -> list[dict[str, Any]]:
    done = pa_bot(settings, "eligibility", str(path), "--format", "json")
    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    records: list[dict[str, Any]] = json.loads(done.stdout)
    return records


@pytest.mark.parametrize("variant", [1, 2])
def test_each_answer_of_the_screen_in_json(
    settings: Settings, portal: PortalAdmin, tmp_path: Path, variant: int
) -> None:
    portal.configure(ui_variant=variant)

    records = checked(settings, schedule_file(tmp_path, SCHEDULE))

    assert [set(r) for r in records] == [KEYS] * len(SCHEDULE)
    assert [r["member"] for r in records] == [m for m, _ in SCHEDULE]
    assert [r["date_of_service"] for r in records] == [d for _, d in SCHEDULE]
    found = [
        (
            r["eligible"],
            r["plan"],
            r["coverage_start"],
            r["coverage_end"],
            r["other_payer"],
            r["error"],
        )
        for r in records
    ]
    assert found == EXPECTED


def test_a_503_on_the_screen_is_retried_and_csv_is_read_and_answers_are_kept(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(step_faults=[{"step": "eligibility", "fault": "503", "times": 1}])
    path = tmp_path / "tomorrow.csv"
    path.write_text(
        "caresource_id,medicaid_id,first_name,last_name,dob,date_of_service\n"
        ",,Milo,Dualcover,10/12/1958,12/01/2026\n"
    )

    done = pa_bot(settings, "eligibility", str(path))

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    said = " ".join(done.stdout.split())
    assert "1 checked: 1 eligible, 0 not eligible, 0 errors." in said
    assert "Medicare Advantage" in said and "Employer group health plan (Anthem)" in said
    assert portal.stats()["faults_injected"] >= 1
    queue = open_queue(settings.queue_url)
    try:
        (kept,) = eligibility_queue(queue).eligibility_checks(on=date(2026, 12, 1))
    finally:
        queue.close()
    assert (kept.eligible, kept.plan, kept.date_of_service.isoformat()) == (
        True,
        "Medicare Advantage",
        "2026-12-01",
    )


def test_an_unreadable_line_is_named_and_the_rest_checked(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "tomorrow.jsonl"
    path.write_text(
        '{"member": {"caresource_id": "105634024"}, "date_of_service": "2026-12-01"}\n'
        '{"member": {"first_name": "Dino"}, "date_of_service": "2026-12-01"}\n'
    )

    done = pa_bot(settings, "eligibility", str(path), "--format", "json")

    assert done.returncode == ExitCode.USAGE
    assert len(json.loads(done.stdout)) == 1
    assert "tomorrow.jsonl:line 2" in done.stderr


def test_a_request_for_a_member_known_not_eligible_is_rejected_without_a_search(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    # The portal would take this request (Dino Saur is covered); a check kept as "not
    # eligible" (say, before a retroactive enrolment) stops it before any portal search.
    request = make_request("clinical", id="ELIG-KNOWN-1")
    queue = open_queue(settings.queue_url)
    try:
        eligibility_queue(queue).record_eligibility(
            member_key(request.member),
            request.member.model_dump_json(exclude_none=True),
            request.start_date,
            Answered(eligible=False, plan="Medicaid"),
        )
    finally:
        queue.close()
    path = tmp_path / "request.json"
    path.write_text(request.model_dump_json(exclude_none=True))

    done = pa_bot(settings, "submit", str(path))

    assert "rejected" in done.stdout, done.stdout + done.stderr
    queue = open_queue(settings.queue_url)
    try:
        item = queue.get_by_key("ELIG-KNOWN-1")
    finally:
        queue.close()
    assert item is not None and item.state == State.REJECTED
    assert item.error is not None and item.error.startswith("known_ineligible: ")
    assert "from the eligibility check of" in item.error and "not searched" in item.error
    assert item.step is None, "no step of the flow was begun"
    assert portal.authorizations() == []


def test_the_morning_report_names_the_visits_not_covered_today_and_tomorrow(
    settings: Settings, tmp_path: Path
) -> None:
    today, tomorrow = date.today(), date.today() + timedelta(days=1)
    checked(
        settings,
        schedule_file(
            tmp_path,
            [
                ({"caresource_id": "105634123"}, today.isoformat()),  # ended 2026-06-30
                ({"caresource_id": "105634024"}, tomorrow.isoformat()),  # covered
                ({"caresource_id": "105634123"}, tomorrow.isoformat()),
            ],
        ),
    )

    done = pa_bot(settings, "run")

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    (report,) = (settings.artifacts_dir / "reports").glob("run-*.json")
    warnings = json.loads(report.read_text())["warnings"]
    assert [w for w in warnings if w.startswith("Eligibility:")] == [
        f"Eligibility: 1 visit(s) on {day} are not covered by CareSource on that date (pa-bot "
        "eligibility); see the console's Eligibility page before seeing the patient."
        for day in (today, tomorrow)
    ]
    assert "105634123" not in report.read_text()
