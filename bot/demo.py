"""``pa-bot demo``: the overnight run, end to end, on the bundled mock portal."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console

from bot.config import MOCK_ACCOUNT, Settings
from bot.enqueue import enqueue_files
from bot.errors import ExitCode
from bot.queue import open_queue
from bot.runner import run
from mock_portal.server import PortalServer
from mock_portal.settings import FIXTURES_DIR, PortalSettings

SAMPLES = FIXTURES_DIR / "requests"


def demo(settings: Settings, console: Console, workdir: Path = Path("var/demo")) -> ExitCode:
    """Start the portal on a free port, queue the samples into a fresh queue, run, report."""
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
    return code
