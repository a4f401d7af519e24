"""The terminal a person reads: in a (pseudo-)terminal the log lines go to a file and never into
the spinner or the progress bar, ``-v`` shows them above the live display; without a terminal
the logs stay JSON lines on stderr and tables are drawn whole, whatever the width."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings
from bot.queue import open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.requests import make_request, varied_requests
from tests.support.terminal import in_terminal, screen_lines

pytestmark = pytest.mark.e2e

LIVE = set("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏━")
"""What the live display draws: Rich's spinner frames and the progress bar."""
LOG_LINE = re.compile(r"\d\d:\d\d:\d\d (debug|info|warning|error) \w+|\"event\"|\[info|\[warn")


def terminal_env(settings: Settings) -> dict[str, str]:
    env = pa_bot_env(settings)
    del env["PA_BOT_LOG_FORMAT"], env["COLUMNS"]
    return env


def request_file(folder: Path) -> Path:
    path = folder / "request.json"
    path.write_text(make_request("clinical").model_dump_json(exclude_none=True))
    return path


def log_events(settings: Settings) -> list[str]:
    (path,) = (settings.artifacts_dir / "logs").glob("pa-bot-*.log")
    assert path.stat().st_mode & 0o077 == 0, "the log file is the owner's only"
    return [json.loads(line)["event"] for line in path.read_text().splitlines()]


def test_submit_in_a_terminal_shows_the_steps_and_logs_to_a_file(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    args = [sys.executable, "-m", "bot", "submit", str(request_file(tmp_path))]

    code, raw = in_terminal(args, terminal_env(settings), tmp_path)

    lines = screen_lines(raw)
    assert code == 0, raw
    assert [line for line in lines if LOG_LINE.search(line)] == []
    assert any(line.startswith("Log: ") for line in lines)
    assert any("✓" in line for line in lines) and any("submitted" in line for line in lines)
    assert "item_started" in log_events(settings)


def test_verbose_shows_the_log_lines_above_the_spinner_never_inside_it(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    args = [sys.executable, "-m", "bot", "submit", "-v", str(request_file(tmp_path))]

    code, raw = in_terminal(args, terminal_env(settings), tmp_path)

    shown = [line for line in screen_lines(raw) if LOG_LINE.search(line)]
    assert code == 0, raw
    assert len(shown) >= 3, raw
    assert [line for line in shown if LIVE & set(line)] == []
    assert any("item_started" in line for line in shown)


def test_run_in_a_terminal_keeps_the_workers_logs_off_the_progress_bar(
    settings: Settings, portal: PortalAdmin, tmp_path: Path
) -> None:
    day = tmp_path / "day.jsonl"
    day.write_text("".join(r.model_dump_json() + "\n" for r in varied_requests(3, prefix="TTY")))
    assert pa_bot(settings, "enqueue", str(day)).returncode == 0
    args = [sys.executable, "-m", "bot", "run", "--workers", "2", "-v"]

    code, raw = in_terminal(args, terminal_env(settings), tmp_path)

    lines = screen_lines(raw)
    shown = [line for line in lines if LOG_LINE.search(line)]
    assert code == 0, raw
    assert [line for line in shown if LIVE & set(line)] == []
    assert sum("item_started" in line for line in shown) == 3, "the workers' lines, followed"
    assert any("pa-bot run report" in line for line in lines)
    assert log_events(settings).count("item_started") == 3


def test_without_a_terminal_tables_are_drawn_whole_whatever_the_width(
    settings: Settings, tmp_path: Path
) -> None:
    why = "the portal said: " + "a reason long enough to be cut at eighty columns, " * 3
    queue = open_queue(settings.queue_url)
    try:
        queue.add_invalid("{}", "day.jsonl:line 9", [why.strip()])
    finally:
        queue.close()
    env = {k: v for k, v in pa_bot_env(settings).items() if k != "COLUMNS"}

    done = subprocess.run(
        [sys.executable, "-m", "bot", "status"], env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert any(why.strip() in line for line in done.stdout.splitlines()), done.stdout
