"""What a request leaves behind: nothing but its proof when it goes through; a trace, a
screenshot and the page's HTML when it fails, with DOM snapshots only when asked for, and the
credentials in none of them (tracing starts after the login)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from bot import flow
from bot.config import Settings
from bot.errors import MemberNotEligible
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import make_request, member

pytestmark = pytest.mark.e2e


def trace_actions(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as trace:
        events = [json.loads(line) for line in trace.read("trace.trace").splitlines()]
    return [str(event.get("method")) for event in events if event["type"] == "before"]


def trace_text(path: Path) -> str:
    with zipfile.ZipFile(path) as trace:
        return "\n".join(
            trace.read(name).decode("utf-8", errors="replace") for name in trace.namelist()
        )


def test_a_request_that_goes_through_keeps_its_proof_and_no_trace(
    session: PortalSession, settings: Settings, portal: PortalAdmin
) -> None:
    request = make_request("clinical")

    outcome = flow.process(session, request, RecordingJournal())

    folder = settings.artifacts_dir / request.key
    assert sorted(Path(p).name for p in outcome.artifacts) == ["proof.pdf", "proof.png"]
    assert not (folder / "trace.zip").exists()
    assert not (folder / "failure.png").exists()


@pytest.mark.parametrize("snapshots", [False, True], ids=["default", "snapshots"])
def test_a_failed_request_keeps_a_trace_screenshot_and_html(
    browser: Browser, settings: Settings, portal: PortalAdmin, snapshots: bool
) -> None:
    traced = settings.model_copy(update={"trace_snapshots": snapshots})
    request = make_request(who=member(eligible=False))
    live = PortalSession(browser, traced)
    try:
        with pytest.raises(MemberNotEligible):
            flow.process(live, request, RecordingJournal())
    finally:
        live.close()

    folder = settings.artifacts_dir / request.key
    assert (folder / "failure.png").stat().st_size > 0
    assert "Member Search" in (folder / "failure.html").read_text()
    assert {"goto", "fill", "click"} <= set(trace_actions(folder / "trace.zip"))
    text = trace_text(folder / "trace.zip")
    assert ('"frame-snapshot"' in text) is snapshots
    assert settings.password.get_secret_value() not in text
