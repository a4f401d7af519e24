"""The e2e fixtures: a logged-out portal session on the shared browser, and a journal that
records what the flow reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from bot.config import Settings
from bot.session import PortalSession
from tests.support.admin import PortalAdmin


class RecordingJournal:
    def __init__(self) -> None:
        self.steps: list[str] = []
        self.submits = 0

    def submitting(self) -> None:
        self.submits += 1

    def step(self, name: str) -> None:
        self.steps.append(name)


@pytest.fixture
def session(browser: Browser, settings: Settings, portal: PortalAdmin) -> Iterator[PortalSession]:
    live = PortalSession(browser, settings)
    yield live
    live.close()
