"""What the night's run meets between `enqueue` and the portal's answer: an attachment deleted
after it was queued, and a Submit slower than the bot's timeout. Real `pa-bot run` processes,
settings from their environment, the mock portal's records as the judge."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.models import AuthRequest
from bot.queue import State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import attachment, make_request, member

pytestmark = pytest.mark.e2e


def queued(settings: Settings) -> dict[str, tuple[State, str | None, dict[str, object] | None]]:
    queue = open_queue(settings.queue_url)
    try:
        return {item.key: (item.state, item.error, item.outcome) for item in queue.items()}
    finally:
        queue.close()


def enqueue(settings: Settings, folder: Path, *requests: AuthRequest) -> None:
    path = folder / "tonight.jsonl"
    path.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in requests))
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK


def test_an_attachment_deleted_after_enqueue_is_rejected_before_submit_and_the_run_goes_on(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    notes = tmp_path / "patient" / "knee-mri-notes.pdf"
    notes.parent.mkdir()
    shutil.copy(attachment(), notes)
    with_notes = make_request("clinical", id="ATT-GONE", attachments=[str(notes)])
    plain = make_request("clinical", id="ATT-OTHER", who=member(index=1))
    enqueue(settings, tmp_path, with_notes, plain)
    notes.unlink()

    done = pa_bot(settings, "run", "--workers", "1")

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    items = queued(settings)
    state, error, _ = items["ATT-GONE"]
    assert state == State.REJECTED
    assert error is not None and "knee-mri-notes.pdf" in error and "missing" in error
    assert str(notes.parent) not in error, "the file's name, not its path"
    assert items["ATT-OTHER"][0] == State.SUBMITTED
    assert len(portal.authorizations()) == 1, "nothing of the rejected item reached the portal"
    report = re.search(r"JSON: \s*(\S+\.json)", done.stdout.replace("\n", ""))
    assert report, done.stdout
    written = json.loads(Path(report.group(1)).read_text())
    assert "ATT-GONE" in json.dumps(written)


@pytest.mark.slow
def test_a_submit_slower_than_the_timeout_is_waited_out_not_sent_twice(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    """The bot gives up on the Submit after 3 s; the portal records it at 6 s. Inside the
    grace (from the process's environment) "not found" is no answer: the run comes back to the
    item before it ends, finds it recorded, and submits nothing more."""
    portal.configure(submit_delay_ms=6000)
    enqueue(settings, tmp_path, make_request("review", id="SLOW-1"))
    env = {"PA_BOT_TIMEOUT_MS": "3000", "PA_BOT_RECONCILE_GRACE_S": "30"}

    done = pa_bot(settings, "run", extra_env=env)

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    state, _, outcome = queued(settings)["SLOW-1"]
    assert state == State.SUBMITTED
    assert outcome is not None and outcome.get("reconciled") is True
    assert len(portal.authorizations()) == 1, "no duplicate"
    assert portal.stats()["submissions"] == 1
