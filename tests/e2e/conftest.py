"""The e2e fixtures: a logged-out portal session on the shared browser, and a journal that
records what the flow reported."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from playwright.async_api import Browser

from bot.config import Settings
from bot.session import PortalSession
from bot.steps import Step
from tests.support.admin import PortalAdmin


class RecordingJournal:
    """A journal that remembers: the steps, the Submit clicks and the reference ids recorded.

    ``grace`` is the reconciliation grace left after a click (none by default: "not found" is
    an answer at once, and the flow submits again)."""

    def __init__(self, grace: float = 0.0, first_click: datetime | None = None) -> None:
        self.steps: list[str] = []
        self.submits = 0
        self.references: list[str] = []
        self.grace = grace
        self.clicked = first_click

    def submitting(self) -> None:
        self.submits += 1

    def step(self, name: Step) -> None:
        self.steps.append(name)

    def reference(self, reference_id: str) -> None:
        self.references.append(reference_id)

    def grace_left(self) -> float:
        return self.grace

    def first_click(self) -> datetime | None:
        return self.clicked


@pytest.fixture
async def session(
    browser: Browser, settings: Settings, portal: PortalAdmin
) -> AsyncIterator[PortalSession]:
    live = await PortalSession.open(browser, settings)
    yield live
    await live.close()
