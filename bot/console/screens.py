"""``python -m bot.console.screens OUTDIR``: the staff console's pages as docs/CONSOLE.md shows
them (``console-*.png``), from a real night: the sample requests run against the mock portal,
then each page opened in headless Chromium by role and label, as staff and as an admin.
``make screens`` runs it after the portal's own screens."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from rich.console import Console

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


def walk(page: Page, url: str, settings: Settings, out: Path) -> list[Path]:
    shots: list[Path] = []

    def shot(name: str) -> None:
        path = out / f"console-{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    page.goto(f"{url}/login")
    page.get_by_label("Username").fill("ann")
    page.get_by_label("Password").fill(PASSWORD)
    shot("sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Worklist", level=1)).to_be_visible()
    shot("worklist")
    page.get_by_role("link", name="New request").click()
    expect(page.get_by_role("heading", name="New request", level=1)).to_be_visible()
    shot("new-request")
    by_hand = page.get_by_role("region", name="Enter a request field by field")
    by_hand.get_by_role("heading", name="Enter a request field by field").click()
    by_hand.get_by_label("CareSource member ID", exact=True).fill("105634024")
    by_hand.get_by_label("Provider NPI (required)").fill("1234567890")
    by_hand.get_by_label("Diagnosis codes (required)").press_sequentially("M54.50 M54.5")
    by_hand.get_by_label("Procedure codes (required)").fill("72148")
    expect(by_hand.get_by_text("Low back pain, unspecified")).to_be_visible()
    by_hand.get_by_role("button", name="Add to queue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    shot("new-request-field-errors")
    queue = open_queue(settings.queue_url)
    try:
        items = queue.items()
    finally:
        queue.close()
    for state, name in (
        (State.SUBMITTED, "request-submitted"),
        (State.REJECTED, "request-rejected"),
    ):
        chosen = next(item for item in items if item.state == state)
        page.goto(f"{url}/requests/{chosen.id}")
        expect(page.get_by_role("heading", name="Request", level=1)).to_be_visible()
        shot(name)
    page.get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_be_visible()
    shot("accounts")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    shot("audit-log")
    return shots


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.console.screens", description=__doc__)
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
            )
            night(settings)
            with ConsoleServer(settings) as console, sync_playwright() as playwright:
                executable = _chromium(playwright.chromium.executable_path)
                browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.set_default_timeout(15_000)
                    for path in walk(page, console.url, settings, out):
                        print(path)
                finally:
                    browser.close()


if __name__ == "__main__":
    main()
