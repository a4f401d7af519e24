"""The requests the benchmark sends and the portal it sends them to.

The requests are the sample requests of ``fixtures/requests`` (every outcome the portal has:
approved, pended, denied, partially approved, no decision yet, not required, rejected, with and
without Document Clinical and attachments), shuffled with a fixed seed and repeated up to N,
each under its own id so that the queue takes every copy.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

from bot.config import MOCK_ACCOUNT
from bot.intake import Accepted, read_requests
from bot.models import AuthRequest
from bot.queue import open_queue
from bot.queued import payload
from mock_portal.server import free_port

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "requests"
SEED = 7


def sample_requests() -> list[AuthRequest]:
    """The valid sample requests, in a fixed shuffled order (any prefix is a mix)."""
    files = sorted(p for p in SAMPLES.glob("*") if p.suffix in {".json", ".jsonl", ".csv"})
    found = [e.request for f in files for e in read_requests(f) if isinstance(e, Accepted)]
    random.Random(SEED).shuffle(found)
    return found


def workload(count: int) -> list[AuthRequest]:
    """``count`` requests cycling through the samples, each with a unique id."""
    samples = sample_requests()
    return [
        samples[i % len(samples)].model_copy(
            update={"id": f"BENCH-{i:03d}-{samples[i % len(samples)].key}"}
        )
        for i in range(count)
    ]


def enqueue(queue_url: str, requests: list[AuthRequest]) -> None:
    queue = open_queue(queue_url)
    try:
        for request in requests:
            queue.enqueue(request.key, payload(request), "bench")
    finally:
        queue.close()


def bot_env(stage: Stage, root: Path) -> dict[str, str]:
    """The environment a bench ``pa-bot`` runs in: the stage's portal (its demo account), queue
    and artifacts; ``root`` on the path, since bench is not an installed package."""
    return {
        **os.environ,
        "PA_BOT_PORTAL_URL": stage.portal_url,
        "PA_BOT_QUEUE_URL": stage.queue_url,
        "PA_BOT_ARTIFACTS_DIR": str(stage.artifacts.resolve()),
        "PA_BOT_USERNAME": str(MOCK_ACCOUNT["username"]),
        "PA_BOT_PASSWORD": _secret(MOCK_ACCOUNT["password"]),
        "PA_BOT_HEADLESS": "true",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }


def _secret(value: object) -> str:
    assert isinstance(value, SecretStr)
    return value.get_secret_value()


@dataclass(frozen=True)
class Stage:
    """A fresh portal and the places a run keeps its state."""

    portal_url: str
    queue_url: str
    artifacts: Path
    folder: Path
    portal_pid: int


@contextmanager
def stage(folder: Path, latency_ms: int) -> Iterator[Stage]:
    """A mock portal in its own process (so that it never shares a GIL with the bot), with its
    own database in ``folder``, at the given latency."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "MOCK_PORTAL_DB": str(folder / "portal.db"),
        "MOCK_PORTAL_LATENCY_MS": str(latency_ms),
        "MOCK_PORTAL_SEED": str(SEED),
    }
    url = f"http://127.0.0.1:{port}"
    with (folder / "portal.log").open("wb") as log:
        portal = subprocess.Popen(
            [sys.executable, "-m", "mock_portal", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url, portal)
            yield Stage(
                portal_url=url,
                queue_url=f"sqlite:///{(folder / 'queue.db').resolve()}",
                artifacts=folder / "artifacts",
                folder=folder,
                portal_pid=portal.pid,
            )
        finally:
            portal.terminate()
            portal.wait(timeout=10)


def _wait_until_up(url: str, portal: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and portal.poll() is None:
        try:
            if httpx.get(f"{url}/_mock/config", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the mock portal did not answer on {url}")


def authorizations(url: str) -> list[dict[str, object]]:
    """The portal's record of every submission (its test-only oracle)."""
    found: list[dict[str, object]] = httpx.get(f"{url}/_mock/authorizations", timeout=10).json()
    return found
