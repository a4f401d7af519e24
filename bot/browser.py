"""Finding and launching Chromium, and the private artifacts directory.

The bot prefers Playwright's own Chromium where ``playwright install`` worked, else a system
Chromium (Debian's ``chromium-headless-shell`` or ``chromium`` package), else it says what to
install. Headless runs take a headless shell where there is one: Chromium's headless-only build
needs about half the memory of the full browser and starts faster (docs/BENCHMARKS.md).
``python -m bot.browser --ensure`` is what ``make setup`` runs: it installs one when it can.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Playwright as AsyncPlaywright
from playwright.sync_api import Playwright as SyncPlaywright
from playwright.sync_api import sync_playwright

from bot.config import Settings
from bot.errors import BrowserNotFound, ConfigError

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Resources the bot never needs, skipped by Chromium itself: no image decoding, no web
    # fonts downloaded (a route handler would cost a round trip to Python per request instead).
    "--blink-settings=imagesEnabled=false",
    "--disable-remote-fonts",
]
HEADLESS_SHELLS = ("chromium-headless-shell", "chrome-headless-shell")
#: For Playwright's driver (a Node.js process): small young-generation semi-spaces instead of
#: V8's 16 MB ones keep the driver about 50 MB smaller over a run, at no measurable cost.
DRIVER_NODE_OPTIONS = "--max-semi-space-size=2"
SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEBIAN_PACKAGES = ("chromium-headless-shell", "chromium")
INSTALL_HINT = (
    "No usable Chromium found. Install one of: `playwright install chromium` (where downloads "
    "work), Debian/Ubuntu `apt-get install chromium-headless-shell chromium` (the first for "
    "headless runs, the second for --headed), or set PA_BOT_BROWSER_EXECUTABLE to a Chromium "
    "or Chrome binary."
)


def headless_shell_beside(browser: Path) -> Path | None:
    """Playwright's headless shell of the same revision as its full Chromium at ``browser``.

    ``playwright install chromium`` puts both in its browsers folder:
    ``chromium-<rev>/chrome-linux64/chrome`` and ``chromium_headless_shell-<rev>/*/…shell``.
    """
    revision = browser.parents[1].name.rpartition("-")[2]
    for found in sorted(browser.parents[2].glob(f"chromium_headless_shell-{revision}/*/*shell")):
        if found.is_file() and os.access(found, os.X_OK):
            return found
    return None


Playwright = AsyncPlaywright | SyncPlaywright
"""Either API's Playwright: finding Chromium reads only where its own would be."""


def _playwright_chromium(playwright: Playwright, headless: bool) -> Path | None:
    path = Path(playwright.chromium.executable_path)
    if not path.is_file():
        return None
    return (headless_shell_beside(path) if headless else None) or path


def find_chromium(
    playwright: Playwright, configured: Path | None = None, *, headless: bool = True
) -> Path:
    """The Chromium to launch: the configured one, Playwright's own, or the system's; for a
    headless run, a headless shell before a full browser of the same origin."""
    if configured is not None:
        if configured.is_file() and os.access(configured, os.X_OK):
            return configured
        raise BrowserNotFound(f"PA_BOT_BROWSER_EXECUTABLE={configured} is not an executable file")
    own = _playwright_chromium(playwright, headless)
    if own is not None:
        return own
    names = (*HEADLESS_SHELLS, *SYSTEM_CANDIDATES) if headless else SYSTEM_CANDIDATES
    for name in names:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise BrowserNotFound(INSTALL_HINT)


def is_headless_shell(path: Path) -> bool:
    return "headless" in path.name and "shell" in path.name


async def launch(playwright: AsyncPlaywright, settings: Settings, slow_mo_ms: float = 0) -> Browser:
    """Launch Chromium with the flags this closed network needs, or connect to a remote one."""
    endpoint = settings.browser_endpoint
    if endpoint:
        try:
            if endpoint.startswith(("http://", "https://")):
                return await playwright.chromium.connect_over_cdp(endpoint, slow_mo=slow_mo_ms)
            return await playwright.chromium.connect(endpoint, slow_mo=slow_mo_ms)
        except PlaywrightError:
            raise ConfigError(
                f"no browser answers at PA_BOT_BROWSER_ENDPOINT={endpoint}: start one there "
                "(python -m playwright run-server, or chromium --remote-debugging-port)"
            ) from None
    executable = find_chromium(playwright, settings.browser_executable, headless=settings.headless)
    return await playwright.chromium.launch(
        executable_path=str(executable),
        headless=settings.headless,
        args=LAUNCH_ARGS,
        slow_mo=slow_mo_ms,
    )


async def new_context(
    browser: Browser, settings: Settings, storage_state: Path | None
) -> BrowserContext:
    """A fresh context, reusing a saved login while its file exists."""
    state = str(storage_state) if storage_state and storage_state.is_file() else None
    context = await browser.new_context(storage_state=state, accept_downloads=False)
    context.set_default_timeout(settings.timeout_ms)
    context.set_default_navigation_timeout(settings.timeout_ms)
    return context


@asynccontextmanager
async def open_browser(settings: Settings, slow_mo_ms: float = 0) -> AsyncIterator[Browser]:
    """Playwright and one Chromium for the life of the block."""
    playwright = await start_playwright()
    try:
        browser = await launch(playwright, settings, slow_mo_ms)
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


async def start_playwright() -> AsyncPlaywright:
    """Start Playwright's driver with ``DRIVER_NODE_OPTIONS`` added to its environment only."""
    before = os.environ.get("NODE_OPTIONS")
    os.environ["NODE_OPTIONS"] = " ".join(filter(None, [before, DRIVER_NODE_OPTIONS]))
    try:
        return await async_playwright().start()
    finally:
        if before is None:
            del os.environ["NODE_OPTIONS"]
        else:
            os.environ["NODE_OPTIONS"] = before


def private_dir(path: Path) -> Path:
    """Create ``path`` and its missing parents, readable by the owner only: artifacts hold PHI."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    path.chmod(0o700)
    return path


def ensure_chromium(may_use_apt: bool | None = None) -> int:
    """Make sure a Chromium exists, installing what this machine allows; 0 when headless runs
    can start. ``make setup`` runs it.

    Where ``apt-get`` may be used (``may_use_apt``; unset: as root, with apt-get on PATH),
    Debian's headless shell is added for headless runs (half the memory of the full browser) and
    the full browser for ``--headed`` ones, each on its own so that one missing package does not
    keep the other out. Else ``playwright install chromium``.
    """
    if may_use_apt is None:
        may_use_apt = os.geteuid() == 0 and shutil.which("apt-get") is not None
    with sync_playwright() as playwright:

        def found(*, headless: bool) -> Path | None:
            try:
                return find_chromium(playwright, headless=headless)
            except BrowserNotFound:
                return None

        if may_use_apt:
            shell = found(headless=True)
            has_shell = shutil.which(DEBIAN_PACKAGES[0]) or (shell and is_headless_shell(shell))
            wanted = [] if has_shell else [DEBIAN_PACKAGES[0]]
            if found(headless=False) is None:
                wanted.append(DEBIAN_PACKAGES[1])
            if wanted:
                subprocess.run(["apt-get", "update", "-q"], check=False)
            for package in wanted:
                print(f"Installing Chromium: apt-get install {package}")
                subprocess.run(["apt-get", "install", "-y", "-q", package], check=False)
        if found(headless=True) is None:
            print("Installing Chromium: playwright install chromium")
            command = [sys.executable, "-m", "playwright", "install", "chromium"]
            subprocess.run(command, check=False)
        headless, headed = found(headless=True), found(headless=False)
    if headless is None:
        print(INSTALL_HINT, file=sys.stderr)
        return 1
    print(f"Chromium for headless runs: {headless}")
    print(f"Chromium for --headed runs: {headed or 'none (install chromium to watch a run)'}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--ensure"]:
        print("usage: python -m bot.browser --ensure", file=sys.stderr)
        sys.exit(2)
    sys.exit(ensure_chromium())
