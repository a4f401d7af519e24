"""The fixture chain the suite shares: one mock portal and one Chromium per test process, the
portal reset before each test that uses it, and bot settings pointing at a private tmp dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Playwright

from bot.browser import LAUNCH_ARGS, find_chromium
from bot.config import Settings
from mock_portal.server import PortalServer
from mock_portal.settings import PortalSettings
from tests.support.admin import PortalAdmin


@pytest.fixture(scope="session")
def portal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The mock portal over real HTTP, for this test process."""
    db = tmp_path_factory.mktemp("portal") / "portal.db"
    with PortalServer(PortalSettings(port=0, db=db)) as server:
        yield server.url


@pytest.fixture
def portal(portal_url: str) -> Iterator[PortalAdmin]:
    """The portal, reset to its defaults before the test."""
    admin = PortalAdmin(portal_url)
    admin.reset()
    yield admin
    admin.http.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], playwright: Playwright
) -> dict[str, Any]:
    """pytest-playwright's launch, with the Chromium the bot itself would find."""
    return {
        **browser_type_launch_args,
        "executable_path": str(
            find_chromium(playwright, headless=browser_type_launch_args.get("headless", True))
        ),
        "args": LAUNCH_ARGS,
    }


@pytest.fixture
def settings(portal_url: str, tmp_path: Path) -> Settings:
    """Bot settings for one test: the session's portal, a private queue and artifacts dir."""
    return Settings(
        _env_file=None,
        portal_url=portal_url,
        username="demo",
        password="Demo!2345",
        queue_url=f"sqlite:///{tmp_path / 'queue.db'}",
        artifacts_dir=tmp_path / "artifacts",
        retry_wait_seconds=0.01,
        timeout_ms=10_000,
    )
