"""``python -m tests.console.screens OUTDIR``: the staff console's pages as docs/CONSOLE.md shows
them (``console-*.png``), from a real night: the sample requests run against the mock portal,
then each page opened in headless Chromium through the console's page objects (the tests' own).
``make screens`` runs it after the portal's own screens."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import date
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect
from rich.console import Console

from bot.appeals import packet_html
from bot.browser import LAUNCH_ARGS
from bot.config import MOCK_ACCOUNT, Settings
from bot.console.passwords import hash_password
from bot.console.server import ConsoleServer
from bot.enqueue import enqueue_files
from bot.queue import State, open_queue
from bot.queue.console_store import console_queue
from bot.runner import run
from mock_portal.screens import _chromium
from mock_portal.server import PortalServer
from mock_portal.settings import FIXTURES_DIR, PortalSettings
from tests.console.conftest import GOOD
from tests.console.pages.accounts import AccountsPage
from tests.console.pages.audit import AuditPage
from tests.console.pages.login import LoginPage
from tests.console.pages.metrics import MetricsPage
from tests.console.pages.new_request import NewRequestPage
from tests.console.pages.request import RequestPage

PASSWORD = "Screens-Only-2026"
SAMPLES = FIXTURES_DIR / "requests"


def night(settings: Settings) -> None:
    """The sample requests, run against the portal; an admin and a member of staff."""
    queue = console_queue(open_queue(settings.queue_url))
    try:
        files = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".jsonl", ".csv"})
        enqueue_files(queue, files, Console(quiet=True))
        queue.user_add("ann", "admin", hash_password(PASSWORD))
        queue.user_add("pat", "staff", hash_password(PASSWORD))
    finally:
        queue.close()
    run(settings, Console(quiet=True), workers=2, max_items=None)


async def walk(page: Page, url: str, settings: Settings, out: Path) -> list[Path]:
    shots: list[Path] = []

    async def shot(name: str) -> None:
        path = out / f"console-{len(shots) + 1:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    login = await LoginPage.open(page, url)
    await shot("sign-in")
    await login.sign_in("ann", PASSWORD)
    await shot("worklist")
    new = await NewRequestPage.open(page)
    await shot("new-request")
    wrong = {**GOOD, "Provider NPI (required)": "1234567890", "Phone (required)": ""}
    await new.fill({**wrong, "Diagnosis codes (required)": "M54.50 M54.5"})
    await expect(new.codes("Diagnosis codes")).to_have_count(2)
    await new.refused()
    await shot("new-request-field-errors")
    queue = open_queue(settings.queue_url)
    try:
        items = queue.items()
    finally:
        queue.close()
    shown = {
        "submitted": next(item for item in items if item.portal_status == "approved"),
        "rejected": next(item for item in items if item.state == State.REJECTED),
        "pended": next(item for item in items if item.portal_status == "pended"),
    }
    for name, chosen in shown.items():
        await RequestPage.open(page, url, chosen.id)
        await shot(f"request-{name}")
    await AccountsPage.open(page, url)
    await shot("accounts")
    await AuditPage.open(page, url)
    await shot("audit-log")
    await MetricsPage.open(page)
    await shot("figures")
    denied = next(item for item in items if item.portal_status == "denied")
    appeal = await RequestPage.open(page, url, denied.id)
    await appeal.prepare_appeal_packet()
    await shot("request-denied-appeal")
    browser = page.context.browser
    assert browser is not None
    blank = await browser.new_page(viewport={"width": 900, "height": 1100})  # no console CSP
    await blank.set_content(packet_html(denied, settings, date.today()))
    packet = out / "appeal-packet.png"
    await blank.screenshot(path=str(packet), full_page=True)
    await blank.close()
    return [*shots, packet]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.console.screens", description=__doc__)
    parser.add_argument("outdir", type=Path)
    out: Path = parser.parse_args(argv).outdir
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        with PortalServer(PortalSettings(port=0, db=where / "portal.db")) as portal:
            settings = Settings(
                _env_file=None,
                username=MOCK_ACCOUNT["username"],
                password=MOCK_ACCOUNT["password"],
                portal_url=portal.url,
                queue_url=f"sqlite:///{where / 'queue.db'}",
                artifacts_dir=where / "artifacts",
                practice_name="Riverside Occupational Health",
                practice_address="100 River Rd, Columbus OH 43215",
                practice_phone="614-555-0100",
                practice_fax="614-555-0101",
            )
            night(settings)
            with ConsoleServer(settings) as console:
                for path in asyncio.run(_shoot(console.url, settings, out)):
                    print(path)


async def _shoot(url: str, settings: Settings, out: Path) -> list[Path]:
    async with async_playwright() as playwright:
        executable = _chromium(playwright.chromium.executable_path)
        browser = await playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            return await walk(page, url, settings, out)
        finally:
            await browser.close()


if __name__ == "__main__":
    main()
