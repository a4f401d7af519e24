"""What a request leaves behind: nothing but its proof when it goes through; a screenshot and
the page's HTML when it fails, and a trace of its retries (of every attempt with
``trace="always"``), with DOM snapshots only when asked for, and the credentials in none of them
(tracing stops around the login)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser

from bot import flow
from bot.config import Settings
from bot.errors import MemberNotEligible, PortalUnavailable
from bot.models import AuthRequest
from bot.session import PortalSession
from tests.e2e.conftest import RecordingJournal
from tests.support.admin import PortalAdmin
from tests.support.requests import make_request, member

pytestmark = pytest.mark.e2e

PASSWORD = "Demo!2345"
"""The mock's demo password, which the settings fixture logs in with."""


def trace_events(path: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(path) as trace:
        events = [json.loads(line) for line in trace.read("trace.trace").splitlines()]
    return [event for event in events if event["type"] == "before"]


async def fail(session: PortalSession, request: AuthRequest, error: type[Exception]) -> None:
    """Process ``request`` on ``session``, which must raise ``error``; close the session."""
    try:
        with pytest.raises(error):
            await flow.process(session, request, RecordingJournal())
    finally:
        await session.close()


def trace_actions(path: Path) -> list[str]:
    return [str(event.get("method")) for event in trace_events(path)]


def trace_text(path: Path) -> str:
    with zipfile.ZipFile(path) as trace:
        return "\n".join(
            trace.read(name).decode("utf-8", errors="replace") for name in trace.namelist()
        )


async def test_a_request_that_goes_through_keeps_its_proof_and_no_trace(
    session: PortalSession, settings: Settings, portal: PortalAdmin
) -> None:
    request = make_request("clinical")

    outcome = await flow.process(session, request, RecordingJournal())

    folder = settings.artifacts_dir / request.key
    assert sorted(Path(p).name for p in outcome.artifacts) == ["proof.pdf"]
    assert (folder / "proof.pdf").read_bytes().startswith(b"%PDF-")
    assert not (folder / "trace.zip").exists()
    assert not (folder / "failure.png").exists()


async def test_a_request_refused_at_its_first_attempt_keeps_a_screenshot_and_html_no_trace(
    session: PortalSession, settings: Settings, portal: PortalAdmin
) -> None:
    request = make_request(who=member(eligible=False))

    with pytest.raises(MemberNotEligible):
        await flow.process(session, request, RecordingJournal())

    folder = settings.artifacts_dir / request.key
    assert (folder / "failure.png").stat().st_size > 0
    assert "Member Search" in (folder / "failure.html").read_text()
    assert not (folder / "trace.zip").exists(), "the first attempt is not traced by default"


async def test_retries_are_traced_and_the_trace_kept_when_they_fail_too(
    session: PortalSession, settings: Settings, portal: PortalAdmin
) -> None:
    request = make_request("clinical")
    portal.configure(step_faults=[{"step": "summary", "fault": "503", "times": 50}])

    with pytest.raises(PortalUnavailable):
        await flow.process(session, request, RecordingJournal())

    trace = settings.artifacts_dir / request.key / "trace.zip"
    assert {"goto", "fill", "click"} <= set(trace_actions(trace))
    starts = [
        event
        for event in trace_events(trace)
        if event.get("method") == "goto" and event["params"]["url"].endswith("/prior-auth")
    ]
    assert len(starts) == settings.max_attempts - 1, "every retry is traced, the first try not"
    assert PASSWORD not in trace_text(trace)


@pytest.mark.parametrize("snapshots", [False, True], ids=["default", "snapshots"])
async def test_with_trace_always_a_failed_first_attempt_keeps_a_trace(
    browser: Browser, settings: Settings, portal: PortalAdmin, snapshots: bool
) -> None:
    traced = settings.model_copy(update={"trace": "always", "trace_snapshots": snapshots})
    request = make_request(who=member(eligible=False))
    await fail(await PortalSession.open(browser, traced), request, MemberNotEligible)

    folder = settings.artifacts_dir / request.key
    assert (folder / "failure.png").stat().st_size > 0
    assert "Member Search" in (folder / "failure.html").read_text()
    assert {"goto", "fill", "click"} <= set(trace_actions(folder / "trace.zip"))
    text = trace_text(folder / "trace.zip")
    assert ('"frame-snapshot"' in text) is snapshots
    assert PASSWORD not in text


async def test_a_trace_cut_by_a_login_is_kept_in_parts_without_the_credentials(
    browser: Browser, settings: Settings, portal: PortalAdmin
) -> None:
    request = make_request("clinical")
    live = await PortalSession.open(browser, settings.model_copy(update={"trace": "always"}))
    await live.log_in()
    portal.configure(
        step_faults=[
            {"step": "setting", "fault": "expire_session", "times": 1},
            {"step": "summary", "fault": "503", "times": 50},
        ]
    )
    await fail(live, request, PortalUnavailable)

    folder = settings.artifacts_dir / request.key
    before, after = folder / "trace-1.zip", folder / "trace.zip"
    assert portal.stats()["logins_ok"] == 2, "the first attempt ended in an expired session"
    assert {"goto", "fill", "click"} <= set(trace_actions(before)), "the attempt before the login"
    assert {"goto", "fill", "click"} <= set(trace_actions(after))
    for part in (before, after):
        assert PASSWORD not in trace_text(part)
    assert not list((settings.artifacts_dir / ".state").glob("trace-part-*")), "parts moved"
