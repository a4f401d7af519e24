"""``submit_delay_ms``: Submit answers only after the delay, and the authorization is recorded at
its end, so a client that gave up still finds it recorded, once. Over real HTTP, because the
point is what a client sees while the portal waits (other requests are served meanwhile)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_portal.server import PortalServer
from mock_portal.settings import PortalSettings
from tests.portal.client import PortalClient
from tests.portal.conftest import MakeClient

DELAY_MS = 800


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PortalServer]:
    settings = PortalSettings(port=0, db=tmp_path / "portal.db", submit_delay_ms=DELAY_MS)
    with PortalServer(settings) as running:
        yield running


def ready_to_submit(server: PortalServer, timeout: float = 10.0) -> PortalClient:
    """A logged-in ``demo`` on the summary of one request, about to click Submit Request."""
    client = PortalClient(httpx.Client(base_url=server.url, follow_redirects=True, timeout=timeout))
    assert client.login().h1 == "Provider Portal"
    client.prepare("64483")
    client.get(f"{client.draft_base}/summary")
    return client


def authorizations(server: PortalServer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{server.url}/_mock/authorizations").json()
    return found


def test_submit_answers_after_the_delay_and_records_at_its_end(server: PortalServer) -> None:
    client = ready_to_submit(server)
    submit_url = f"{client.draft_base}/submit"
    answered: list[float] = []

    def submit() -> None:
        started = time.monotonic()
        client.post(submit_url, {})
        answered.append(time.monotonic() - started)

    clicking = threading.Thread(target=submit)
    clicking.start()
    time.sleep(DELAY_MS / 4000)
    during = time.monotonic()
    assert authorizations(server) == []  # not yet recorded, and the portal still answers
    assert httpx.get(f"{server.url}/login").status_code == 200
    assert time.monotonic() - during < DELAY_MS / 2000
    clicking.join(timeout=10)

    assert answered and answered[0] >= DELAY_MS / 1000
    assert client.page is not None and client.page.path.startswith("/prior-auth/results/")
    (recorded,) = authorizations(server)
    assert recorded["reference_id"] == client.page.reference_id()


def test_a_client_that_gave_up_still_gets_it_recorded_once(server: PortalServer) -> None:
    client = ready_to_submit(server, timeout=DELAY_MS / 4000)
    with pytest.raises(httpx.ReadTimeout):
        client.post(f"{client.draft_base}/submit", {})
    assert authorizations(server) == []
    deadline = time.monotonic() + 10
    while not authorizations(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(DELAY_MS / 1000)  # nothing more comes later
    assert len(authorizations(server)) == 1


def test_the_knob_from_the_environment_at_run_time_and_after_reset(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCK_PORTAL_SUBMIT_DELAY_MS", "250")
    client = make_client()
    assert client.http.get("/_mock/config").json()["submit_delay_ms"] == 250
    changed = client.http.put("/_mock/config", json={"submit_delay_ms": 0})
    assert changed.status_code == 200 and changed.json()["submit_delay_ms"] == 0
    assert client.http.post("/_mock/reset").json()["config"]["submit_delay_ms"] == 250
    refused = client.http.put("/_mock/config", json={"submit_delay_ms": -1})
    assert refused.status_code == 422
