"""An exception of a type the bot does not know, at each step of a request, in a real
``pa-bot run`` (injected through ``tests/support/inject``): the worker lives, the item ends
submitted once (retried before the click, reconciled after it), the report is written, and the
exception's text, which quotes a member's data and the password, reaches no output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.requests import attachment, make_request

pytestmark = pytest.mark.e2e

INJECT = Path(__file__).parents[1] / "support" / "inject"
STEPS = {
    "member_search": "bot.pages.member_search:MemberSearchPage.search",
    "care_setting": "bot.pages.care_setting:CareSettingPage.choose",
    "details": "bot.pages.details:RequestDetailsPage.fill",
    "document_clinical": "bot.pages.clinical:ClinicalPage.answer",
    "results (after the click)": "bot.pages.results:ResultsPage.read",
    "upload (after the click)": "bot.pages.results:ResultsPage.upload",
}


def test_an_unknown_exception_at_every_step_kills_no_worker_and_leaks_nothing(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    request = make_request("clinical", id="UNKNOWN-1", attachments=[str(attachment())])
    path = tmp_path / "one.json"
    path.write_text(request.model_dump_json(exclude_none=True))
    assert pa_bot(settings, "enqueue", str(path)).returncode == ExitCode.OK
    assert settings.password is not None
    password = settings.password.get_secret_value()
    secret = f"{password} {request.member.caresource_id}"
    env = pa_bot_env(settings) | {
        "PYTHONPATH": str(INJECT),
        "PA_BOT_TEST_INJECT": ",".join(STEPS.values()),
        "PA_BOT_TEST_INJECT_TEXT": secret,
        "PA_BOT_MAX_ATTEMPTS": "8",
    }

    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.OK, said
    assert said.count("SystemFault") + said.count("RuntimeError") >= len(STEPS), said
    for leaked in (password, str(request.member.caresource_id)):
        assert leaked not in said
    assert "Traceback" not in said and "Call log" not in said
    assert "Report:" in done.stdout
    queue = open_queue(settings.queue_url)
    try:
        (item,) = queue.items()
    finally:
        queue.close()
    assert item.state == State.SUBMITTED, item.error
    assert len(portal.authorizations()) == 1, "never twice"
    assert (item.outcome or {}).get("uploaded"), "the upload went through in the end"
