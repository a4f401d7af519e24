"""How fast a resident worker picks a request up: ``pa-bot worker --workers 1`` already logged
in (a first request done), then one request at a time, each timed from its ``enqueue`` to its
claim by the queue's own history (both times written by the queue, on the machine's clock)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from bench.cli_run import ROOT
from bench.report import median
from bench.workload import Stage, bot_env, enqueue
from bot.models import AuthRequest
from bot.queue import FINAL_STATES, Action, open_queue

WAIT_S = 60.0
"""The longest one request may take before the measurement gives up."""


def run_pickup(stage: Stage, requests: list[AuthRequest]) -> dict[str, object]:
    """The first request warms the worker up; the rest are timed."""
    env = bot_env(stage, ROOT)
    open_queue(stage.queue_url).close()  # the schema exists before the worker polls it
    with (stage.folder / "worker.log").open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "bot", "worker", "--workers", "1"],
            env=env,
            cwd=stage.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            pickups = [_one(stage.queue_url, request) for request in requests]
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=90)
    timed = pickups[1:]
    return {
        "requests": len(timed),
        "pickup_s": [round(s, 3) for s in timed],
        "pickup_s_median": round(median(timed), 3),
        "warm_up_pickup_s": round(pickups[0], 3),
    }


def _one(queue_url: str, request: AuthRequest) -> float:
    """Queue ``request``, wait until it is final; seconds from its enqueue to its claim."""
    enqueue(queue_url, [request])
    queue = open_queue(queue_url)
    try:
        item = queue.get_by_key(request.key)
        assert item is not None
        deadline = time.monotonic() + WAIT_S
        while queue.get(item.id).state not in FINAL_STATES:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the resident worker did not finish {request.key}")
            time.sleep(0.05)
        events = queue.history(item.id)
    finally:
        queue.close()
    queued = next(e.at for e in events if e.action == Action.ENQUEUE)
    claimed = next(e.at for e in events if e.action == Action.CLAIM)
    return (claimed - queued).total_seconds()
