"""The queue's database lost in the middle of a run: a clear message, exit 3, no traceback, and
nothing lost (the item held comes back when its lease runs out)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import FINAL_STATES, State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env, run_and_act_after_first_item
from tests.support.postgres import PostgresServer
from tests.support.postgres import pg_new_url as pg_new_url
from tests.support.postgres import pg_server as pg_server
from tests.support.requests import varied_requests

pytestmark = pytest.mark.e2e


def test_a_lost_queue_connection_stops_the_run_cleanly_with_exit_3(
    settings: Settings,
    portal: PortalAdmin,
    pg_server: PostgresServer,
    pg_new_url: Callable[[], str],
    tmp_path: Path,
) -> None:
    url = pg_new_url()
    shared = settings.model_copy(update={"queue_url": url})
    day = tmp_path / "day.jsonl"
    day.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in varied_requests(6)))
    assert pa_bot(shared, "enqueue", str(day)).returncode == ExitCode.OK
    dbname = urlsplit(url).path.lstrip("/")

    def cut_the_connections(_process: object) -> None:
        with pg_server.admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            )

    code, log = run_and_act_after_first_item(pa_bot_env(shared), cut_the_connections)

    assert code == ExitCode.PORTAL_UNAVAILABLE, log[-2000:]
    assert "Traceback" not in log
    assert "queue_unavailable" in log
    queue = open_queue(url)
    try:
        items = queue.items()
    finally:
        queue.close()
    assert any(i.state in FINAL_STATES for i in items)
    assert all(i.state != State.FAILED for i in items), "nothing is marked failed for it"
