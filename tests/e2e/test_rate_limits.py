"""The portal's rate limit (``RATE_LIMIT_PER_MINUTE``), met by ``pa-bot run`` as a practice
runs it: a 429 is waited out as its ``Retry-After`` says and never fails an item, and
``PA_BOT_MAX_REQUESTS_PER_MINUTE`` keeps the whole machine, every worker together, under a rate
of the practice's own, so the portal never has to refuse it.

Each test takes about a minute: the portal's window is a real minute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from tests.e2e.test_run_cli import latest_report, queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot

pytestmark = pytest.mark.e2e


def test_a_429_on_submit_or_a_screen_is_waited_out_and_submits_once(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(
        step_faults=[
            {"step": "member_search", "fault": "429", "times": 2},
            {"step": "submit", "fault": "429", "times": 1},
        ]
    )
    path = write_jsonl(tmp_path / "day.jsonl", 1, prefix="SUBMIT429")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run")

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    [item] = queue_items(settings)
    assert item.state == "submitted" and item.attempts == 1
    assert len(portal.authorizations()) == 1, "a 429 on Submit took nothing: submitted once"
    assert portal.stats()["rate_limited"] == 3
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [e["retry_after"] for e in events if e.get("event") == "rate_limited"] == [1, 1, 1]
    assert not [e for e in events if e.get("event") == "retrying"], "no attempt was spent on it"


def test_a_portal_that_keeps_limiting_leaves_the_item_waiting_not_failed(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(step_faults=[{"step": "member_search", "fault": "429", "times": 1000}])
    path = write_jsonl(tmp_path / "day.jsonl", 1, prefix="KEEPS429")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", "--max-items", "1")

    [item] = queue_items(settings)
    assert item.state == "pending", (item.state, item.error)
    assert (item.error or "").startswith("rate_limited"), item.error
    assert portal.stats()["rate_limited"] == 5, "RATE_LIMIT_HOLDS waits, then back to the queue"
    assert "item_error" in done.stderr and "failed" not in {i.state for i in queue_items(settings)}


@pytest.mark.slow
def test_a_429_is_waited_out_as_retry_after_says_and_fails_no_item(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(rate_limit_per_minute=60)
    path = write_jsonl(tmp_path / "day.jsonl", 6, prefix="RATE")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", "--workers", "4", timeout=300)

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    items = queue_items(settings)
    assert all(item.state in ("submitted", "not_required") for item in items), [
        (item.key, item.state, item.error) for item in items
    ]
    stats = portal.stats()
    assert stats["rate_limited"] > 0, "the run must have met the limit"
    references = [a["reference_id"] for a in portal.authorizations()]
    assert len(references) == len(set(references)) == sum(i.state == "submitted" for i in items)
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    waits = [e["retry_after"] for e in events if e.get("event") == "rate_limited"]
    assert waits and all(0 < w <= 60 for w in waits)
    warnings = latest_report(settings)["warnings"]
    assert any("limited the rate" in w for w in warnings), warnings


@pytest.mark.slow
def test_the_machine_stays_under_its_own_limit_and_is_never_refused(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(rate_limit_per_minute=60)
    path = write_jsonl(tmp_path / "day.jsonl", 3, prefix="POLITE")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(
        settings,
        "run",
        "--workers",
        "4",
        timeout=300,
        extra_env={"PA_BOT_MAX_REQUESTS_PER_MINUTE": "40"},
    )

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    assert all(item.state in ("submitted", "not_required") for item in queue_items(settings))
    stats = portal.stats()
    assert stats["requests"] > 40, "more requests than the limit allows in one minute"
    assert stats["rate_limited"] == 0
    assert stats["requests_peak_per_minute"] <= 40
    assert latest_report(settings)["warnings"] == []
