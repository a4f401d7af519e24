"""``pa-bot enqueue``, ``pa-bot run`` and ``pa-bot status`` as the overnight job runs them:
subprocesses with their own Chromium, against the mock portal, checked against its oracle."""

from __future__ import annotations

import csv
import io
import json
import re
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import FINAL_STATES, Item, State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env, run_and_act_after_first_item
from tests.support.requests import varied_requests

pytestmark = pytest.mark.e2e


def write_jsonl(path: Path, count: int, *, prefix: str, invalid_lines: int = 0) -> Path:
    lines = [r.model_dump_json(exclude_none=True) for r in varied_requests(count, prefix=prefix)]
    for n in range(invalid_lines):
        bad = json.loads(lines[0])
        bad["id"] = f"{prefix}-BAD-{n}"
        bad["provider_npi"] = "1234567890"
        lines.append(json.dumps(bad))
    path.write_text("\n".join(lines) + "\n")
    return path


def queue_items(settings: Settings) -> list[Item]:
    queue = open_queue(settings.queue_url)
    try:
        return queue.items()
    finally:
        queue.close()


def latest_report(settings: Settings) -> dict[str, Any]:
    reports = sorted((settings.artifacts_dir / "reports").glob("run-*.json"))
    assert reports, "run wrote no JSON report"
    document: dict[str, Any] = json.loads(reports[-1].read_text())
    return document


def assert_submitted_exactly_once(items: list[Item], portal: PortalAdmin) -> None:
    """The portal's oracle holds one authorization per submitted item, with its reference id."""
    recorded = portal.authorizations()
    by_content = Counter(
        (a["member_id"], tuple(sorted(a["procedure_codes"])), a["start_date"]) for a in recorded
    )
    assert [k for k, n in by_content.items() if n > 1] == [], "a request was submitted twice"
    submitted = [item for item in items if item.state == State.SUBMITTED]
    assert sorted(i.reference_id or "" for i in submitted) == sorted(
        a["reference_id"] for a in recorded
    )


@pytest.mark.slow
def test_two_workers_drain_a_day_with_portal_errors_exactly_once(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 20, prefix="RUN", invalid_lines=2)
    enqueued = pa_bot(settings, "enqueue", str(path))
    assert enqueued.returncode == ExitCode.USAGE, "invalid lines make enqueue exit 2"
    assert "20 queued, 0 duplicates, 2 invalid" in enqueued.stdout
    portal.configure(error_rate=0.1, seed=4)

    done = pa_bot(settings, "run", "--workers", "2", timeout=600)

    items = queue_items(settings)
    assert len(items) == 22
    assert [i.key for i in items if i.state not in FINAL_STATES] == []
    failed = [i for i in items if i.state == State.FAILED]
    assert done.returncode == (ExitCode.FAILED if failed else ExitCode.OK), done.stdout[-2000:]
    assert portal.stats()["faults_injected"] > 0
    assert_submitted_exactly_once(items, portal)
    states = Counter(i.state for i in items)
    assert states[State.SUBMITTED] >= 14 and states[State.NOT_REQUIRED] >= 2
    assert all(i.attempts == 1 for i in items if i.state == State.REJECTED) or not any(
        i.state == State.REJECTED for i in items
    )
    report = latest_report(settings)
    assert sorted(row["key"] for row in report["items"]) == sorted(i.key for i in items)
    html = sorted((settings.artifacts_dir / "reports").glob("run-*.html"))[-1].read_text()
    assert all(i.key in html for i in items)
    assert "RUN-0000" in done.stdout, "the report table is printed at the end"


def test_enqueue_refuses_what_the_portal_would_and_conflicting_ids_with_exit_2(
    settings: Settings, tmp_path: Path
) -> None:
    good, other, unborn, heavy = (
        json.loads(r.model_dump_json(exclude_none=True))
        for r in varied_requests(4, prefix="INTAKE")
    )
    conflict = {**other, "id": good["id"]}
    unborn["member"] = {"first_name": "Ada", "last_name": "Lovelace", "dob": "2031-05-01"}
    with (tmp_path / "scan.pdf").open("wb") as file:
        file.write(b"%PDF-1.7 ")
        file.truncate(11 * 1024 * 1024)
    heavy["attachments"] = ["scan.pdf"]
    day = tmp_path / "day.jsonl"
    day.write_text("".join(json.dumps(r) + "\n" for r in (good, good, conflict, unborn, heavy)))

    done = pa_bot(settings, "enqueue", str(day))

    assert done.returncode == ExitCode.USAGE, done.stdout + done.stderr
    assert "1 queued, 1 duplicates, 3 invalid" in done.stdout
    assert f"id: already used in this file for another request ({day}:line 1)" in done.stdout
    assert "member.dob: a date of birth cannot be in the future" in done.stdout
    assert "scan.pdf: larger than the portal's 10 MB for one file" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    states = Counter(i.state for i in queue_items(settings))
    assert states == {State.PENDING: 1, State.INVALID: 3}


def test_the_morning_report_covers_the_whole_night_grouped_by_what_to_do(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    evening, late = varied_requests(2, prefix="NIGHT")  # approved, then pended without documents
    for name, request in (("evening", evening), ("late", late)):
        path = tmp_path / f"{name}.json"
        path.write_text(request.model_dump_json(exclude_none=True))
        assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK
        done = pa_bot(settings, "run")
        assert done.returncode == ExitCode.OK, done.stdout + done.stderr

    report = latest_report(settings)
    assert [row["key"] for row in report["items"]] == [late.key, evening.key]
    assert report["actions"] == {"Send documents": 1, "Nothing to do": 1}
    assert "pa-bot run report: 2 items: send documents 1, nothing to do 1." in done.stdout
    html = sorted((settings.artifacts_dir / "reports").glob("run-*.html"))[-1]
    links = re.findall(r'href="([^"#]+)"', html.read_text())
    assert len(links) == 2 and all((html.parent / link).resolve().is_file() for link in links)


def test_business_errors_are_rejected_at_once(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    (request,) = varied_requests(1, prefix="BIZ")
    bad_npi = request.model_copy(update={"provider_npi": "1987654328"})  # no such provider
    path = tmp_path / "day.json"
    path.write_text(json.dumps([json.loads(bad_npi.model_dump_json(exclude_none=True))]))
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run")

    (item,) = queue_items(settings)
    assert item.state == State.REJECTED and item.attempts == 1
    assert done.returncode == ExitCode.OK
    assert portal.authorizations() == []
    row = latest_report(settings)["items"][0]
    assert row["needs_person"] and "refused" in row["why"]


def test_login_rejected_stops_at_once_with_exit_4(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 3, prefix="LOGIN")
    pa_bot(settings, "enqueue", str(path))

    done = pa_bot(settings, "run", "--workers", "2", password="wrong-password")

    assert done.returncode == ExitCode.LOGIN_REJECTED
    assert portal.stats()["logins_failed"] <= 2, "one attempt per worker, never a retry"
    assert {i.state for i in queue_items(settings)} == {State.PENDING}
    assert "wrong-password" not in done.stdout + done.stderr


def test_portal_down_mid_run_stops_with_exit_3_and_a_later_run_finishes(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 8, prefix="DOWN")
    pa_bot(settings, "enqueue", str(path))
    env = pa_bot_env(settings) | {
        "PA_BOT_MAX_CONSECUTIVE_SYSTEM_ERRORS": "2",
        "PA_BOT_MAX_ATTEMPTS": "2",
    }
    code, _ = run_and_act_after_first_item(env, lambda _process: portal.configure(maintenance=True))

    assert code == ExitCode.PORTAL_UNAVAILABLE
    items = queue_items(settings)
    assert any(i.state in FINAL_STATES for i in items), "the first items were done"
    assert all(i.state in FINAL_STATES or i.state == State.PENDING for i in items)
    assert sum(1 for i in items if i.attempts == 0) >= 3, "untouched items stay untouched"

    portal.configure(maintenance=False)
    again = pa_bot(settings, "run", extra_env=env)

    assert again.returncode == ExitCode.OK, again.stdout[-2000:]
    items = queue_items(settings)
    assert all(i.state in FINAL_STATES for i in items)
    assert_submitted_exactly_once(items, portal)


def test_sigterm_finishes_or_releases_the_current_item(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 8, prefix="TERM")
    pa_bot(settings, "enqueue", str(path))
    portal.configure(latency_ms=150)
    code, _ = run_and_act_after_first_item(
        pa_bot_env(settings), lambda process: process.send_signal(signal.SIGTERM)
    )

    assert code in (ExitCode.OK, ExitCode.FAILED)
    items = queue_items(settings)
    assert all(i.state in FINAL_STATES or i.state == State.PENDING for i in items)
    assert all(i.lease_owner is None for i in items), "no item is left claimed"
    assert any(i.state == State.PENDING for i in items), "the run stopped before the end"
    assert_submitted_exactly_once(items, portal)


def test_status_prints_table_json_and_csv_filtered_by_state(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 3, prefix="STAT", invalid_lines=1)
    pa_bot(settings, "enqueue", str(path))

    table = pa_bot(settings, "status", log_format="console")
    as_json = json.loads(pa_bot(settings, "status", "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(pa_bot(settings, "status", "--format", "csv").stdout)))
    invalid = json.loads(
        pa_bot(settings, "status", "--state", "invalid", "--format", "json").stdout
    )
    unknown = pa_bot(settings, "status", "--state", "nonsense")

    assert all(f"STAT-000{n}" in table.stdout for n in range(3))
    assert len(as_json) == len(rows) == 4
    assert {"id", "key", "state", "portal_status", "reference_id", "attempts"} <= set(as_json[0])
    assert {row["priority"] for row in as_json} == {0}, "standard requests, claimed in order"
    assert [r["state"] for r in rows].count("pending") == 3
    assert [r["state"] for r in invalid] == ["invalid"]
    assert unknown.returncode == ExitCode.USAGE and "pending" in unknown.stdout + unknown.stderr
