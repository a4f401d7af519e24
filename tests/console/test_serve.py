"""``pa-bot serve`` as a person starts it: the console answers on the port given, a resident
worker works the same queue, the idle timeout comes from the environment, SIGTERM stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx

from bot.config import Settings
from bot.queue import open_queue
from tests.support.cli import pa_bot_env
from tests.support.served import first_answer, free_port


def test_serve_starts_the_console_and_a_resident_worker(settings: Settings) -> None:
    port = free_port()
    env = {**pa_bot_env(settings), "PA_BOT_CONSOLE_IDLE_MINUTES": "5"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = first_answer(f"http://127.0.0.1:{port}/healthz", server)  # type: ignore[arg-type]
        login = httpx.get(f"http://127.0.0.1:{port}/login")
        queue = open_queue(settings.queue_url)
        try:
            for _ in range(100):
                if queue.residents(fresh_seconds=15):
                    break
                time.sleep(0.1)
            residents = queue.residents(fresh_seconds=15)
        finally:
            queue.close()
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)

    assert health == '{"status":"ok"}'
    assert "Max-Age=300;" in login.headers["set-cookie"], "PA_BOT_CONSOLE_IDLE_MINUTES=5"
    assert len(residents) == 1 and residents[0].contexts == 1
    assert f"Console: http://127.0.0.1:{port}/" in out
    assert server.returncode == 0, err
