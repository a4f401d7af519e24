"""The portal's notices after login, met by ``pa-bot run`` as a practice runs it: a password
that expires soon is passed with Continue and warned of in the morning report, an announcement
is acknowledged, an expired password stops the run like a refused login (exit 4) and is never
tried again."""

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


def test_notices_after_login_are_answered_and_the_report_warns_of_the_password(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(password_expires_in_days=5, announcement="Portal upgrade on Sunday 02:00.")
    path = write_jsonl(tmp_path / "day.jsonl", 2, prefix="NOTICE")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run")

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    assert all(item.reference_id or item.state == "not_required" for item in queue_items(settings))
    assert "Warning:" in done.stdout and "expires in 5 days" in done.stdout
    warnings = latest_report(settings)["warnings"]
    assert any("expires in 5 days" in w for w in warnings)
    assert any("Portal upgrade on Sunday 02:00." in w for w in warnings)
    html = sorted((settings.artifacts_dir / "reports").glob("run-*.html"))[-1].read_text()
    assert "expires in 5 days" in html
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [e["days"] for e in events if e.get("event") == "password_expires_soon"] == [5]


def test_an_expired_password_stops_like_a_refused_login_and_is_not_tried_again(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(password_expires_in_days=0)
    path = write_jsonl(tmp_path / "day.jsonl", 2, prefix="EXPIRED")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    first = pa_bot(settings, "run", "--workers", "2")
    again = pa_bot(settings, "run")

    assert first.returncode == again.returncode == ExitCode.LOGIN_REJECTED, first.stdout
    assert "password has expired" in first.stdout
    assert "password has expired" in again.stdout, "the recorded refusal says why"
    assert portal.stats()["logins_password_expired"] == 1, "exactly one attempt"
    assert portal.authorizations() == []
    assert {item.state for item in queue_items(settings)} == {"pending"}
