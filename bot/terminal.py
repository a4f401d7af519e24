"""Where the log lines go when a person watches: a file, so that the screen shows only the live
display (progress bar, step spinner), the table and the next steps.

On a terminal (stderr is a TTY, ``PA_BOT_LOG_FORMAT`` unset), every process of the command, the
worker processes too, appends JSON lines to one private file in ``ARTIFACTS_DIR/logs/``; its path
is printed once. With ``-v`` the command also shows the lines, read back from that file and
printed through Rich above the live display, which then never breaks. Without a terminal (cron,
systemd, a pipe) nothing changes: JSON lines on stderr.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot import log
from bot.config import Settings

_file: Path | None = None
_echo: LogEcho | None = None


def watched() -> bool:
    """Whether a person watches: stderr is a terminal and no log format was asked for."""
    return sys.stderr.isatty() and not os.environ.get("PA_BOT_LOG_FORMAT")


def log_to_file(settings: Settings, console: Console) -> Path:
    """Send this process's log lines to a new file under the artifacts folder; say where."""
    from bot.browser import private_dir  # on a terminal only: it imports Playwright

    folder = private_dir(settings.artifacts_dir / "logs")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"pa-bot-{stamp}-{os.getpid()}.log"
    append_to(path)
    console.print(f"[dim]Log: {escape(str(path))}[/]", soft_wrap=True)
    return path


def append_to(path: Path) -> None:
    """Log JSON lines to ``path``, appended (a worker process joins its parent's file)."""
    global _file
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    log.configure(json=True, stream=os.fdopen(descriptor, "a", buffering=1, encoding="utf-8"))
    _file = path


def current_file() -> Path | None:
    """The file this process logs to, if :func:`log_to_file` or :func:`append_to` chose one."""
    return _file


def echo_to(console: Console) -> None:
    """``-v``: show the log file's lines on ``console`` from now on, at each :func:`show_new`."""
    global _echo
    _echo = LogEcho(console, _file) if _file is not None else None


def show_new() -> None:
    """Print the log lines written since the last call, when ``-v`` asked for them."""
    if _echo is not None:
        _echo.poll()


class LogEcho:
    """``-v`` on a terminal: the log file's new lines, printed through the console (so above a
    live display). ``poll`` is called where the command waits anyway (the run's loop, each step)."""

    def __init__(self, console: Console, path: Path) -> None:
        self.console = console
        self.path = path
        self._offset = 0

    def poll(self) -> None:
        with self.path.open("rb") as file:
            file.seek(self._offset)
            chunk = file.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.decode(errors="replace").splitlines():
            self.console.print(f"[dim]{escape(_readable(line))}[/]", soft_wrap=True)


def _readable(line: str) -> str:
    """``12:03:04 info item_started item_id=7`` from a JSON line (already redacted)."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    stamp = str(record.pop("timestamp", ""))[11:19]
    level = str(record.pop("level", ""))
    event = str(record.pop("event", ""))
    rest = " ".join(f"{key}={value}" for key, value in record.items())
    return " ".join(part for part in (stamp, level, event, rest) if part)
