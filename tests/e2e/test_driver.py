"""Playwright's driver as the bot starts it: the Node.js options reach the driver alone.

Runs in a child process: a second sync Playwright cannot start in a test process where
pytest-playwright's already runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.browser import DRIVER_NODE_OPTIONS
from bot.config import Settings

CHILD = """
import asyncio, json, os, sys
from pathlib import Path
from bot.browser import open_browser
from bot.config import Settings

def environ(pid):
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\\0")
    return dict(p.decode().split("=", 1) for p in pairs if b"=" in p)

async def main():
    async with open_browser(Settings(_env_file=None, portal_url=sys.argv[1])) as browser:
        kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
        drivers = [
            environ(pid).get("NODE_OPTIONS")
            for pid in kids
            if b"playwright" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        return drivers, browser.version

drivers, version = asyncio.run(main())
print(json.dumps({"drivers": drivers, "own": os.environ.get("NODE_OPTIONS"), "v": version}))
"""


@pytest.mark.parametrize("own", ["--no-warnings", None], ids=["set", "unset"])
def test_node_options_reach_the_driver_and_leave_the_process_alone(
    settings: Settings, own: str | None
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NODE_OPTIONS"}
    if own is not None:
        env["NODE_OPTIONS"] = own
    shown = subprocess.run(
        [sys.executable, "-c", CHILD, settings.portal_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(shown.stdout)
    assert seen["drivers"] == [" ".join(filter(None, [own, DRIVER_NODE_OPTIONS]))]
    assert seen["own"] == own
    assert seen["v"]
