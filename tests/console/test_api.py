"""The JSON API as an EHR calls it: a system account's bearer token, a request as in a request
file, 201 with the key and state (never queued twice), 422 with every field error, the item as
``pa-bot status --format json`` shows it; each call in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from bot.console.passwords import new_token, token_digest
from bot.queue.console_store import ConsoleQueue
from tests.console.conftest import PASSWORD, Accounts
from tests.support.cli import pa_bot

REQUEST = json.loads(
    (Path(__file__).parents[2] / "fixtures/requests/denied-dme-not-covered.json").read_text()
)


@pytest.fixture
def token(accounts: Accounts, records: ConsoleQueue) -> str:
    accounts.add("ehr", role="system")
    issued = new_token()
    records.user_set("ehr", token_hash=token_digest(issued))
    return issued


def call(console_url: str, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=console_url, headers=headers, timeout=30)


def test_a_request_is_queued_once_and_read_back_as_status_shows_it(
    console_url: str, console_settings: Settings, token: str, records: ConsoleQueue
) -> None:
    with call(console_url, token) as api:
        first = api.post("/api/requests", json=REQUEST)
        again = api.post("/api/requests", json=REQUEST)
        read = api.get(f"/api/requests/{REQUEST['id']}")
        missing = api.get("/api/requests/no-such-request")

    assert first.status_code == 201, first.text
    assert first.json()["key"] == REQUEST["id"] and first.json()["state"] == "pending"
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert len(records.items()) == 1
    status = pa_bot(console_settings, "status", "--format", "json")
    assert read.status_code == 200 and [read.json()] == json.loads(status.stdout)
    assert missing.status_code == 404
    item_id = first.json()["id"]
    assert [(e.actor, e.action, e.item_id) for e in reversed(records.audit_entries())] == [
        ("ehr", "queued", item_id),
        ("ehr", "queued_again", item_id),
        ("ehr", "viewed", item_id),
    ]


def test_an_invalid_request_gets_every_field_error_and_is_not_queued(
    console_url: str, token: str, records: ConsoleQueue
) -> None:
    broken = {**REQUEST, "provider_npi": "1234567890", "start_date": "someday"}
    del broken["category"]

    with call(console_url, token) as api:
        answer = api.post("/api/requests", json=broken)
        attaching = api.post("/api/requests", json={**REQUEST, "attachments": ["/etc/passwd"]})

    assert answer.status_code == 422
    fields = sorted(error.split(":")[0] for error in answer.json()["errors"])
    assert fields == ["category", "provider_npi", "start_date"]
    assert attaching.status_code == 422 and "never reads" in attaching.json()["errors"][0]
    assert records.items() == []


def test_the_api_wants_an_active_system_token(
    console_url: str, token: str, accounts: Accounts, records: ConsoleQueue
) -> None:
    accounts.add("ann")
    with call(console_url) as anonymous:
        none = anonymous.post("/api/requests", json=REQUEST)
    with call(console_url, "pab_guessed") as guessing:
        wrong = guessing.get(f"/api/requests/{REQUEST['id']}")
    with call(console_url, PASSWORD) as staff:
        password = staff.get(f"/api/requests/{REQUEST['id']}")
    records.user_set("ehr", disabled=True)
    with call(console_url, token) as api:
        disabled = api.post("/api/requests", json=REQUEST)

    assert {none.status_code, wrong.status_code, password.status_code, disabled.status_code} == {
        401
    }
    assert none.headers["www-authenticate"] == "Bearer"
    assert records.items() == []
