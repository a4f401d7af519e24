"""A server started as a person starts it (a process of its own), and its first answer."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def first_answer(url: str, server: subprocess.Popen[bytes]) -> str:
    """The page at ``url`` once the server listens (polled: it starts in a second or two)."""
    for _ in range(600):
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def login_page_of_portal(command: Sequence[str | Path], env: Mapping[str, str], cwd: Path) -> str:
    """Start ``command`` (a ``pa-bot portal``) on a free port, as a person would, and return its
    login page; the server is stopped after."""
    port = free_port()
    server = subprocess.Popen(
        list(command),
        cwd=cwd,
        env={**env, "MOCK_PORTAL_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        return first_answer(f"http://127.0.0.1:{port}/login", server)
    finally:
        server.terminate()
        server.wait(timeout=30)
