"""``pa-bot demo``: the overnight run, end to end, on the bundled mock portal; with ``--serve``,
then the staff console on the demo's queue (and its resident worker on the same mock portal),
with a demo staff account, until Ctrl-C."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from rich.console import Console

from bot.config import MOCK_ACCOUNT, Settings
from bot.console.passwords import hash_password
from bot.enqueue import enqueue_files
from bot.errors import ExitCode
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from bot.runner import run
from bot.serve import serve_console
from mock_portal.server import PortalServer
from mock_portal.settings import FIXTURES_DIR, PortalSettings

SAMPLES = FIXTURES_DIR / "requests"


DEMO_STAFF = "staff"
CONSOLE_PORT = 8700


def demo(
    settings: Settings,
    console: Console,
    workdir: Path = Path("var/demo"),
    *,
    serve: bool = False,
    port: int = CONSOLE_PORT,
) -> ExitCode:
    """Start the portal on a free port, queue the samples into a fresh queue, run, report; with
    ``serve``, then serve the console on ``port`` until stopped."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    with PortalServer(PortalSettings(port=0, db=workdir / "portal.db")) as server:
        console.print(f"Mock portal: {server.url} (accounts: demo / Demo!2345, mfa-demo)")
        local = settings.model_copy(
            update={
                **MOCK_ACCOUNT,
                "totp_secret": None,
                "portal_url": server.url,
                "queue_url": f"sqlite:///{(workdir / 'queue.db').resolve()}",
                "artifacts_dir": workdir / "artifacts",
            }
        )
        queue = open_queue(local.queue_url)
        try:
            files = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".jsonl", ".csv"})
            enqueue_files(queue, files, console)
        finally:
            queue.close()
        code = run(local, console, workers=2, max_items=None)
        console.print(f"Queue: {local.queue_url}  Artifacts: {local.artifacts_dir}", soft_wrap=True)
        if not serve:
            return code
        password = _staff_account(local)
        console.print(
            f"Demo staff account: {DEMO_STAFF} / {password} (this demo's queue only)",
            soft_wrap=True,
        )
        return serve_console(local, console, host="127.0.0.1", port=port, workers=2)


def _staff_account(settings: Settings) -> str:
    """A staff account for the demo's console, with a new password each time."""
    password = secrets.token_urlsafe(12)
    queue = console_queue(open_queue(settings.queue_url))
    try:
        queue.user_add(DEMO_STAFF, "staff", hash_password(password))
    finally:
        queue.close()
    return password
