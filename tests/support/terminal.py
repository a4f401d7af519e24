"""Run a command in a pseudo-terminal, as a person at a terminal does, and read what it drew."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Mapping
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def in_terminal(
    args: list[str], env: Mapping[str, str], cwd: Path, *, timeout: float = 180
) -> tuple[int, str]:
    """Exit code and everything written to the terminal (stdout and stderr, raw)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        args,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "TERM": "xterm-256color"},
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal has gone
                break
            if not data:
                break
            chunks.append(data)
        code = process.wait(timeout=30)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    return code, b"".join(chunks).decode(errors="replace")


def screen_lines(raw: str) -> list[str]:
    """What was drawn, cut where the terminal starts a new line or returns the cursor to the
    start of one, without colour and cursor codes: a log line inside the live display (the
    spinner or the bar) shows as one of these holding both."""
    return [part for part in re.split(r"[\r\n]", _ANSI.sub("", raw)) if part.strip()]
