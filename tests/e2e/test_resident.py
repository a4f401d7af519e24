"""``pa-bot worker``, the resident worker, as a deployment runs it: a process of its own beside
the real mock, taking requests as they are queued (urgent first), stopped by SIGTERM, and
``pa-bot submit`` handing it a request to follow from the queue."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.flow import EVIDENCE_S
from bot.holder import this_process
from bot.models import AuthRequest
from bot.queue import FINAL_STATES, Action, Item, Priority, State, open_queue
from bot.queued import payload
from bot.steps import LABELS, Step
from bot.worker import STOPPED
from tests.e2e.test_run_cli import assert_submitted_exactly_once, queue_items
from tests.e2e.test_submit_cli import write_request
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.requests import varied_requests

pytestmark = pytest.mark.e2e


@contextmanager
def resident(
    settings: Settings, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[str]]:
    """``pa-bot worker ARGS`` in the background, once it says in the queue that it is alive."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker", *args],
        env=pa_bot_env(settings) | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        until(lambda: bool(residents(settings)) or process.poll() is not None, 30)
        assert process.poll() is None, process.communicate()
        yield process
    finally:
        process.kill()
        process.communicate()


def residents(settings: Settings) -> list[str]:
    queue = open_queue(settings.queue_url)
    try:
        return [r.name for r in queue.residents(fresh_seconds=15)]
    finally:
        queue.close()


def until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def enqueue(settings: Settings, requests: list[AuthRequest], priority: int = 0) -> list[Item]:
    queue = open_queue(settings.queue_url)
    try:
        return [
            queue.enqueue(r.key, payload(r), "day.json", priority=priority).item for r in requests
        ]
    finally:
        queue.close()


def claim_order(settings: Settings) -> list[str]:
    queue = open_queue(settings.queue_url)
    try:
        claims = [
            (event.at, item.key)
            for item in queue.items()
            for event in queue.history(item.id)
            if event.action == Action.CLAIM
        ]
    finally:
        queue.close()
    return [key for _, key in sorted(claims)]


def stop(process: subprocess.Popen[str], timeout: float) -> tuple[int, str, float]:
    """SIGTERM; the exit code, the log, and how long the process took to end."""
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, log = process.communicate(timeout=timeout)
    return process.returncode, log, time.monotonic() - sent


def test_a_resident_worker_takes_requests_as_they_come_urgent_first_until_sigterm(
    settings: Settings, portal: PortalAdmin
) -> None:
    portal.configure(submit_delay_ms=1500)
    day = varied_requests(4, prefix="DAY")
    with resident(settings, "--workers", "1") as worker:
        (first,) = enqueue(settings, day[:1])
        until(lambda: queue_items(settings)[0].state != State.PENDING, 10)
        enqueue(settings, day[1:3])
        (urgent,) = enqueue(settings, day[3:], priority=Priority.URGENT)
        until(lambda: len(claim_order(settings)) >= 3, 90)
        code, log, _ = stop(worker, timeout=60)

    assert code == ExitCode.OK, log[-3000:]
    order = claim_order(settings)
    assert order[:2] == [first.key, urgent.key], order
    items = {item.key: item for item in queue_items(settings)}
    taken = [items[key] for key in order]
    assert all(item.state in {State.SUBMITTED, State.NOT_REQUIRED} for item in taken), taken
    assert all(item.state == State.PENDING for key, item in items.items() if key not in order)
    assert len(order) < len(items), "the worker stopped before taking everything"
    assert_submitted_exactly_once(taken, portal)
    assert residents(settings) == [], "a stopped resident worker says so"


def test_sigterm_past_the_stop_grace_gives_the_item_back_and_a_run_reconciles_it(
    settings: Settings, portal: PortalAdmin
) -> None:
    portal.configure(submit_delay_ms=5000)
    env = {"PA_BOT_STOP_GRACE_S": "1", "PA_BOT_RECONCILE_GRACE_S": "15"}
    with resident(settings, env=env) as worker:
        enqueue(settings, varied_requests(1, prefix="GRACE"))
        until(lambda: queue_items(settings)[0].state == State.SUBMITTING, 30)
        code, log, took = stop(worker, timeout=30)

    assert code == ExitCode.OK, log[-3000:]
    bound = 1 + EVIDENCE_S + 5  # the grace, the failure evidence, closing the browser
    assert took < bound, f"the stop took {took:.1f} s for a grace of 1 s"
    (item,) = queue_items(settings)
    assert (item.state, item.lease_owner, item.error) == (State.SUBMITTING, None, STOPPED)
    done = pa_bot(settings, "run", extra_env={"PA_BOT_RECONCILE_GRACE_S": "15"}, timeout=120)
    assert done.returncode == ExitCode.OK, done.stdout[-2000:]
    (item,) = queue_items(settings)
    assert item.state == State.SUBMITTED
    assert_submitted_exactly_once([item], portal)


def test_submit_hands_its_request_to_a_resident_worker_and_shows_its_steps(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    path = write_request(tmp_path, kind="clinical", id="REQ-HANDED-1")
    with resident(settings, "--workers", "2"):
        (name,) = residents(settings)
        done = pa_bot(settings, "submit", str(path))

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr[-2000:]
    assert "Handed to the resident worker" in done.stdout
    for step in (Step.MEMBER_SEARCH, Step.SUBMIT):
        assert LABELS[step] in done.stdout
    (recorded,) = portal.authorizations()
    assert recorded["reference_id"] in done.stdout
    (item,) = queue_items(settings)
    assert item.priority == Priority.URGENT and item.state == State.SUBMITTED
    assert [(worker or "").rsplit("-w", 1)[0] for worker in claimants(settings, item)] == [name]
    assert portal.stats()["logins_ok"] == 1, "submit opened no browser and made no login"


def claimants(settings: Settings, item: Item) -> list[str | None]:
    queue = open_queue(settings.queue_url)
    try:
        return [e.worker for e in queue.history(item.id) if e.action == Action.CLAIM]
    finally:
        queue.close()


def test_submit_runs_the_request_itself_when_no_resident_worker_takes_it(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    """A resident worker on another machine says it is alive but never claims (it is stuck):
    after the pickup wait, submit takes the request back and submits it itself."""
    queue = open_queue(settings.queue_url)
    stuck = this_process().text().replace(this_process().host, "elsewhere", 1)
    queue.announce("elsewhere:1", stuck, 1)
    queue.close()
    path = write_request(tmp_path, kind="clinical", id="REQ-FALLBACK-1")

    done = pa_bot(settings, "submit", str(path))

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr[-2000:]
    assert "did not take it in time; submitting it here" in done.stdout
    (recorded,) = portal.authorizations()
    assert recorded["reference_id"] in done.stdout


def test_outside_its_hours_a_resident_worker_takes_urgent_requests_only(
    settings: Settings, portal: PortalAdmin
) -> None:
    """``PA_BOT_RESIDENT_HOURS`` closed now (two hours from now, for an hour): the day's
    standard request waits for the hours; an urgent one ("Submit now") goes at once."""
    opens = datetime.now() + timedelta(hours=2)
    closed = f"{opens:%H:%M}-{opens + timedelta(hours=1):%H:%M}"
    with resident(settings, env={"PA_BOT_RESIDENT_HOURS": closed}) as worker:
        (standard,) = enqueue(settings, varied_requests(1, prefix="LATER"))
        (urgent,) = enqueue(settings, varied_requests(1, prefix="NOW"), priority=Priority.URGENT)
        until(lambda: queue_item(settings, urgent.id).state in FINAL_STATES, 60)
        waited = queue_item(settings, standard.id)
        worker.send_signal(signal.SIGTERM)
        out, log = worker.communicate(timeout=30)

    assert worker.returncode == ExitCode.OK, log[-3000:]
    assert f"Queued requests are taken {closed}" in " ".join(out.split())
    assert queue_item(settings, urgent.id).state in {State.SUBMITTED, State.NOT_REQUIRED}
    assert (waited.state, waited.attempts) == (State.PENDING, 0)


def queue_item(settings: Settings, item_id: int) -> Item:
    queue = open_queue(settings.queue_url)
    try:
        return queue.get(item_id)
    finally:
        queue.close()
