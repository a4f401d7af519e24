"""The machine a run came from: cores, memory, Python, Chromium and Playwright versions, load."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.browser import find_chromium


def machine() -> dict[str, object]:
    with sync_playwright() as playwright:
        chromium = find_chromium(playwright)
    try:
        shown = subprocess.run(
            [str(chromium), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        shown = "unknown"
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal")), 0)
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "chromium": shown,
        "playwright": version("playwright"),
        "platform": platform.platform(),
    }
