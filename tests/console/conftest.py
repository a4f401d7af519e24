"""The console's fixtures: one console server per test process on a queue of its own, emptied
before each test; accounts made as ``pa-bot users add`` makes them; and ``served``, a whole
``pa-bot serve`` (console and resident worker) against the mock portal."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, sqlite_path
from bot.console.passwords import hash_password
from bot.console.server import ConsoleServer
from bot.queue import open_queue
from bot.queue.console_store import ConsoleQueue, Role, console_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot_env
from tests.support.served import first_answer, free_port

PASSWORD = "Correct-horse-9"
GOOD = {
    "CareSource member ID": "105634024",
    "Provider NPI (required)": "1234567943",
    "Category": "Advanced Imaging",
    "Treatment type": "Diagnostic",
    "Place of service": "11 office",
    "Start date (required)": "2026-12-01",
    "End date (required)": "2026-12-31",
    "Diagnosis codes (required)": "M54.50 M54.16",
    "Procedure codes (required)": "72148",
    "Contact name (required)": "Pat Frontdesk",
    "Phone (required)": "614-555-0100",
    "Fax (required)": "614-555-0101",
}
"""A request's fields as a person fills the New request form (by label)."""
_TABLES = (
    "appeals",
    "eligibility_checks",
    "follow_ups",
    "item_events",
    "items",
    "console_users",
    "audit_log",
)


@pytest.fixture(scope="session")
def console_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    where = tmp_path_factory.mktemp("console")
    return Settings(
        _env_file=None,
        queue_url=f"sqlite:///{where / 'queue.db'}",
        artifacts_dir=where / "artifacts",
    )


@pytest.fixture(scope="session")
def console_url(console_settings: Settings) -> Iterator[str]:
    with ConsoleServer(console_settings) as server:
        yield server.url


@pytest.fixture
def records(console_settings: Settings, console_url: str) -> Iterator[ConsoleQueue]:
    """The console's queue, emptied (items, accounts, audit log) before the test."""
    path: Path = sqlite_path(console_settings.queue_url)
    with sqlite3.connect(path) as db:
        for table in _TABLES:
            db.execute(f"DELETE FROM {table}")
    db.close()
    queue = console_queue(open_queue(console_settings.queue_url))
    yield queue
    queue.close()


class Accounts:
    def __init__(self, queue: ConsoleQueue) -> None:
        self.queue = queue

    def add(self, name: str, role: Role = "staff") -> str:
        self.queue.user_add(name, role, hash_password(PASSWORD))
        return name


@pytest.fixture
def accounts(records: ConsoleQueue) -> Accounts:
    return Accounts(records)


@pytest.fixture
def served(settings: Settings, portal: PortalAdmin, tmp_path: Path) -> Iterator[str]:
    """``pa-bot serve`` on a free port, with a staff account "ann"; its URL. What it prints goes
    to ``serve.log`` in ``tmp_path``."""
    queue = console_queue(open_queue(settings.queue_url))
    try:
        queue.user_add("ann", "staff", hash_password(PASSWORD))
    finally:
        queue.close()
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "1"],
            env=pa_bot_env(settings) | {"PA_BOT_LOG_FORMAT": "json"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            first_answer(f"http://127.0.0.1:{port}/healthz", server)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
