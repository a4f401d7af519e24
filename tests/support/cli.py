"""Run ``pa-bot`` as a user does: a subprocess of its own, configured by the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from bot.config import Settings


def pa_bot_env(
    settings: Settings,
    *,
    log_format: str = "json",
    username: str = "demo",
    password: str = "Demo!2345",
) -> dict[str, str]:
    """The environment that points ``pa-bot`` at the test's portal, queue and artifacts."""
    return {
        **os.environ,
        "PA_BOT_PORTAL_URL": settings.portal_url,
        "PA_BOT_QUEUE_URL": settings.queue_url,
        "PA_BOT_ARTIFACTS_DIR": str(settings.artifacts_dir),
        "PA_BOT_USERNAME": username,
        "PA_BOT_PASSWORD": password,
        "PA_BOT_RETRY_WAIT_SECONDS": "0.01",
        "PA_BOT_LOG_FORMAT": log_format,
        "COLUMNS": "200",
    }


def pa_bot(
    settings: Settings,
    *args: str,
    log_format: str = "json",
    username: str = "demo",
    password: str = "Demo!2345",
    timeout: float = 120,
    extra_env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` to completion (``stdin`` its standard input); its exit code and
    output."""
    env = pa_bot_env(settings, log_format=log_format, username=username, password=password)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        input=stdin,
    )


def run_and_act_after_first_item(
    env: dict[str, str],
    act: Callable[[subprocess.Popen[str]], object],
    *,
    timeout: float = 180,
    args: tuple[str, ...] = (),
) -> tuple[int, str]:
    """``pa-bot run ARGS`` in the background; ``act`` once its first item is done; its exit
    code and all it wrote to standard error (the JSON log lines)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if '"item_done"' in line:
                act(process)
                break
        _, rest = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return process.returncode, "".join(seen) + rest
