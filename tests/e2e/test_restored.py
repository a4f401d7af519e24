"""``pa-bot restored``, as an admin uses it after putting an old copy of the queue back: a request
submitted after the copy was made looks pending in it; once marked, the next run finds it on
the portal's Status tab and records it, and the portal gets it once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.config import Settings, sqlite_path
from bot.queue import State, open_queue
from bot.queued import payload
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e


def copy(source: Path, target: Path) -> None:
    """A database-level copy, as ``sqlite3 ... ".backup"`` makes one (and ``.restore`` puts it
    back)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_a_request_submitted_after_the_backup_is_found_not_submitted_again(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    queue = open_queue(settings.queue_url)
    try:
        queue.enqueue("REQ-AFTER-BACKUP", payload(make_request("clinical")), "day.json#1")
    finally:
        queue.close()
    database = sqlite_path(settings.queue_url)
    copy(database, tmp_path / "backup.db")
    first = pa_bot(settings, "run")
    assert first.returncode == 0, first.stderr
    (recorded,) = portal.authorizations()

    copy(tmp_path / "backup.db", database)  # the restore: the request looks pending again
    marked = pa_bot(settings, "restored")
    assert marked.returncode == 0, marked.stderr
    assert "1 open request(s) will be looked up" in marked.stdout
    assert "REQ-AFTER-BACKUP" in marked.stdout
    again = pa_bot(settings, "run")

    assert again.returncode == 0, again.stderr
    assert len(portal.authorizations()) == 1, "submitted once"
    queue = open_queue(settings.queue_url)
    try:
        item = queue.get_by_key("REQ-AFTER-BACKUP")
        assert item is not None and item.state == State.SUBMITTED
        assert item.reference_id == recorded["reference_id"]
        assert [e.action for e in queue.history(item.id)][:3] == ["enqueue", "restored", "claim"]
    finally:
        queue.close()


def test_it_is_refused_while_a_resident_worker_runs_on_the_queue(settings: Settings) -> None:
    queue = open_queue(settings.queue_url)
    try:
        waiting = queue.enqueue("REQ-WAITING", payload(make_request("clinical")), "day.json#1")
        queue.announce("frontdesk:4242", "holder", 2)
        refused = pa_bot(settings, "restored")
        assert refused.returncode == 2
        assert "stop the service" in refused.stdout and "frontdesk:4242" in refused.stdout
        assert queue.get(waiting.item.id).state == State.PENDING
        queue.withdraw("frontdesk:4242")
        nothing_running = pa_bot(settings, "restored")
        assert nothing_running.returncode == 0
        assert queue.get(waiting.item.id).state == State.SUBMITTING
    finally:
        queue.close()
