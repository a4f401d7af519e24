"""UI drift told plainly: when a screen no longer holds a control the page objects rely on, the
bot stops with an error naming the screen and the label (exit 5), keeps a screenshot and the
page's HTML, gives the item back unharmed and says in the report that the portal changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Route

from bot import flow
from bot.config import Settings
from bot.errors import ExitCode, UiDrift
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.e2e.test_run_cli import latest_report, queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e

NAMED = 'Request details screen has no field labelled "Diagnosis Code"'


def test_a_renamed_label_stops_the_run_with_exit_5_naming_screen_and_label(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(ui_drift=True)
    path = write_jsonl(tmp_path / "night.jsonl", 4, prefix="DRIFT")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK

    done = pa_bot(settings, "run", "--workers", "2")

    assert done.returncode == ExitCode.UI_DRIFT, done.stdout[-2000:] + done.stderr[-2000:]
    out = " ".join(done.stdout.split())
    assert NAMED in out and "The portal's screens changed" in out
    assert "not a network problem" in out
    report = latest_report(settings)
    assert any(NAMED in warning for warning in report["warnings"])
    items = queue_items(settings)
    assert {item.state for item in items} == {"pending"}, "given back, none failed"
    tried = [item for item in items if item.attempts]
    assert tried and len(tried) <= 2, "the run stopped: no more than one item per worker met it"
    assert all(item.error and item.error.startswith("ui_drift: ") for item in tried)
    evidence = settings.artifacts_dir / tried[0].key
    assert (evidence / "failure.png").stat().st_size > 0
    assert "ICD-10 Code" in (evidence / "failure.html").read_text()
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    errors = [e for e in events if e.get("event") == "item_error"]
    assert len(errors) == len(tried), "never retried: one error per item"
    assert portal.authorizations() == []

    portal.configure(ui_drift=False)  # the page object is fixed (here: the portal changed back)
    again = pa_bot(settings, "run", "--workers", "2")

    assert again.returncode == ExitCode.OK, again.stdout[-2000:]
    assert {item.state for item in queue_items(settings)} <= {"submitted", "not_required"}
    references = [a["reference_id"] for a in portal.authorizations()]
    assert len(references) == len(set(references))


def test_submit_meets_the_drift_with_exit_5(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    portal.configure(ui_drift=True)
    path = write_jsonl(tmp_path / "one.jsonl", 1, prefix="DRIFTNOW")

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == ExitCode.UI_DRIFT, done.stdout[-2000:] + done.stderr[-2000:]
    assert NAMED in " ".join(done.stdout.split())
    assert portal.authorizations() == []


async def test_a_next_screen_without_its_landmark_is_drift_not_a_timeout(
    session: PortalSession, portal: PortalAdmin
) -> None:
    """The details screen's "Start Date" (what the care setting screen waits for) renamed by
    a rewrite of the portal's own page: the wait ends in ``UiDrift``, never retried."""

    async def rename(route: Route) -> None:
        if route.request.resource_type != "document":
            await route.fallback()
            return
        response = await route.fetch()
        body = re.sub(r">\s*Start Date\s*<", ">Service Start<", await response.text())
        await route.fulfill(response=response, body=body)

    await session.context.route(f"{session.base_url}/prior-auth/requests/**", rename)
    journal = RecordingJournal()

    with pytest.raises(UiDrift) as drift:
        await flow.process(session, make_request("clinical"), journal)

    assert drift.value.looked_for == 'field labelled "Start Date"'
    assert "after Care setting" in drift.value.screen
    assert journal.steps.count("member_search") == 1, "not retried"
    assert portal.authorizations() == []
