"""``PA_BOT_BROWSER_ENDPOINT``: the bot drives a Chromium that runs elsewhere, and says clearly
when none answers there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Playwright

from bot.browser import LAUNCH_ARGS, find_chromium
from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot
from tests.support.requests import make_request

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def remote_chromium(playwright: Playwright) -> Iterator[str]:
    """A headless Chromium of its own, listening for DevTools clients on a free port.

    pytest-playwright's session ``playwright`` is used to find it: a second sync Playwright in
    the same process refuses to start once the first one runs."""
    executable = find_chromium(playwright)
    port = free_port()
    with tempfile.TemporaryDirectory() as profile:
        process = subprocess.Popen(
            [
                str(executable),
                "--headless",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                *LAUNCH_ARGS,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # Debian's chromium-headless-shell is a shell script that starts the browser as its
            # child: the whole group is killed at the end, not the script alone.
            start_new_session=True,
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"{endpoint}/json/version", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.2)
            yield endpoint
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def write_request(folder: Path) -> Path:
    path = folder / "request.json"
    path.write_text(make_request("clinical").model_dump_json(exclude_none=True))
    return path


def test_submit_through_a_remote_chromium(
    settings: Settings, portal: PortalAdmin, tmp_path: Path, remote_chromium: str
) -> None:
    done = pa_bot(
        settings,
        "submit",
        str(write_request(tmp_path)),
        extra_env={"PA_BOT_BROWSER_ENDPOINT": remote_chromium},
    )

    assert done.returncode == ExitCode.OK, done.stdout + done.stderr
    assert len(portal.authorizations()) == 1


def test_no_browser_at_the_endpoint_is_a_clear_usage_error(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"

    done = pa_bot(
        settings,
        "submit",
        str(write_request(tmp_path)),
        extra_env={"PA_BOT_BROWSER_ENDPOINT": endpoint},
    )

    assert done.returncode == ExitCode.USAGE
    assert f"no browser answers at PA_BOT_BROWSER_ENDPOINT={endpoint}" in done.stdout
    queue = open_queue(settings.queue_url)
    try:
        assert [i.state for i in queue.items()] == [State.PENDING], "the request stays queued"
    finally:
        queue.close()
    assert portal.stats()["requests"] == 0
