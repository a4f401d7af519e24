"""The portal's session-timeout warning ("Your session will expire in 60 seconds", a modal that
takes every click): the bot presses "Stay signed in" wherever it shows and goes on in the same
session; when that was too late, it logs in again through the gate and still submits once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from tests.e2e.test_run_cli import assert_submitted_exactly_once, queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot

pytestmark = pytest.mark.e2e

# The warning shows 60 s before the idle timeout: a second after each page loads, so that a
# slow portal (every request 700 ms) puts it in the bot's way on the screens with lookups.
WARN_SOON = {"session_timeout_s": 61, "latency_ms": 700}


def logged(stderr: str, event: str) -> int:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return sum(line.get("event") == event for line in lines)


def test_stay_signed_in_keeps_the_session_through_slow_screens(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(**WARN_SOON)
    path = write_jsonl(tmp_path / "day.jsonl", 2, prefix="STAY")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", timeout=300)

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    items = queue_items(settings)
    assert all(i.state in ("submitted", "not_required") for i in items)
    assert all(i.attempts == 1 for i in items), "the dialog cost no attempt"
    assert_submitted_exactly_once(items, portal)
    stats = portal.stats()
    assert stats["sessions_kept_alive"] >= 1, "the dialog showed and was answered"
    assert stats["sessions_kept_alive"] == logged(done.stderr, "session_kept_alive")
    assert stats["logins_ok"] == 1 and stats["sessions_expired"] == 0


def test_too_late_the_bot_logs_in_again_and_submits_once(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    fault = {"step": "keepalive", "fault": "expire_session", "times": 1}
    portal.configure(**WARN_SOON, step_faults=[fault])
    path = write_jsonl(tmp_path / "day.jsonl", 1, prefix="LATE")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", timeout=300)

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    [item] = queue_items(settings)
    assert item.state in ("submitted", "not_required"), (item.state, item.error)
    assert_submitted_exactly_once([item], portal)
    stats = portal.stats()
    assert stats["sessions_expired"] == 1, "the keep-alive came too late"
    assert stats["logins_ok"] == 2, "one login again, through the gate"
