"""The engine's promises when Chromium misbehaves: a crashed tab, a hung page, a browser that
dies mid-run. Real Chromium, the real mock over HTTP, the real queue; the trouble is real too
(``chrome://crash``, a Submit that takes longer than the deadline, SIGKILL to the browser)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from bot.config import Settings
from bot.engine import Engine
from bot.errors import ExitCode
from bot.queue import State, open_queue
from bot.queued import payload
from tests.e2e.test_run_cli import assert_submitted_exactly_once, queue_items, write_jsonl
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env, run_and_act_after_first_item
from tests.support.requests import varied_requests

pytestmark = pytest.mark.e2e


def enqueue(settings: Settings, count: int, prefix: str) -> None:
    queue = open_queue(settings.queue_url)
    try:
        for request in varied_requests(count, prefix=prefix):
            queue.enqueue(request.key, payload(request), f"{prefix}.json")
    finally:
        queue.close()


async def a_page_waiting_on_submit(browser: Browser, settings: Settings) -> Page:
    """The tab of whichever worker is waiting for the portal's answer to Submit."""
    while True:
        items = queue_items(settings)
        if any(item.state == State.SUBMITTING for item in items):
            for context in browser.contexts:
                for page in context.pages:
                    if page.url.endswith("/summary"):
                        return page
        await asyncio.sleep(0.05)


async def test_a_crashed_tab_costs_only_its_own_attempt_in_a_fresh_context(
    browser: Browser, settings: Settings, portal: PortalAdmin
) -> None:
    enqueue(settings, 4, "CRASH")
    portal.configure(submit_delay_ms=1500)
    # The crash cuts the Submit off; what the portal made of it is found by reconciliation,
    # whose "not found" counts only after the grace: short here, not the 120 s default.
    settings = settings.model_copy(update={"reconcile_grace_s": 5.0})
    engine = Engine(settings, workers=2, browser=browser)
    running = asyncio.create_task(engine.run())

    crashed = await asyncio.wait_for(a_page_waiting_on_submit(browser, settings), 60)
    before = set(browser.contexts)
    with contextlib.suppress(PlaywrightError):
        await crashed.goto("chrome://crash")
    codes = await asyncio.wait_for(running, 180)

    assert codes == [ExitCode.OK, ExitCode.OK]
    items = queue_items(settings)
    assert {item.state for item in items} <= {State.SUBMITTED, State.NOT_REQUIRED}
    assert_submitted_exactly_once(items, portal)
    assert crashed.context not in browser.contexts, "the crashed tab's context was closed"
    assert len(before) == 2


def test_a_page_that_hangs_past_the_deadline_ends_through_the_error_path(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    """Submit takes 20 s, Playwright would wait 60 s, the item's deadline is 8 s (time enough to
    reach Submit on a loaded machine, not to see its answer): the item is given back (Submit was
    clicked) and the next attempt finds it on the Status tab."""
    path = write_jsonl(tmp_path / "day.jsonl", 1, prefix="HUNG")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK
    portal.configure(submit_delay_ms=20000)

    done = pa_bot(
        settings,
        "run",
        timeout=180,
        extra_env={
            "PA_BOT_ITEM_DEADLINE_S": "8",
            "PA_BOT_TIMEOUT_MS": "60000",
            "PA_BOT_RECONCILE_GRACE_S": "30",
        },
    )

    assert done.returncode == ExitCode.OK, done.stdout[-2000:] + done.stderr[-2000:]
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    errors = [e for e in events if e.get("event") == "item_error"]
    assert errors and "item_deadline" in errors[0]["error"], errors
    assert any(e.get("event") == "context_replaced" for e in events)
    (item,) = queue_items(settings)
    assert item.state == State.SUBMITTED and item.outcome and item.outcome["reconciled"]
    assert_submitted_exactly_once([item], portal)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def the_browser_of(pid: int) -> int:
    """Chromium's main process (not a renderer, not a helper) among ``pid``'s descendants."""
    for child in descendants(pid):
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"chrom" in argv[0] and not any(arg.startswith(b"--type=") for arg in argv):
            return child
    raise AssertionError("no Chromium under the run")


@pytest.mark.slow
def test_a_browser_killed_mid_run_is_launched_again_and_nothing_is_lost_or_doubled(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "day.jsonl", 8, prefix="KILL")
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK
    portal.configure(latency_ms=100)
    env = pa_bot_env(settings) | {"PA_BOT_RECONCILE_GRACE_S": "10"}
    code, log = run_and_act_after_first_item(
        env,
        lambda process: os.kill(the_browser_of(process.pid), signal.SIGKILL),
        timeout=240,
        args=("--workers", "2"),
    )

    assert code == ExitCode.OK, log[-3000:]
    assert '"browser_lost"' in log
    items = queue_items(settings)
    assert {item.state for item in items} <= {State.SUBMITTED, State.NOT_REQUIRED}
    assert_submitted_exactly_once(items, portal)
