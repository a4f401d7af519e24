"""A request's draft on the portal: the screens from the member search to the Authorization
Request summary, Document Clinical answered. Shared by the flow (which then submits) and the
dry run (which then cancels), so that a rehearsal walks exactly the screens a submission does.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot import log as log_module
from bot.models import AuthRequest
from bot.pages.summary import SummaryPage
from bot.pages.types import Disclaimer
from bot.session import PortalSession
from bot.steps import Step


class Journal(Protocol):
    """What the flow tells its caller as it goes: the queue's write-ahead and the progress."""

    def submitting(self) -> None:
        """Record that Submit is about to be clicked; must be durable when it returns."""

    def step(self, name: Step) -> None:
        """A step begins (for progress displays and the queue's item)."""

    def reference(self, reference_id: str) -> None:
        """Record the reference id the moment it is read (before uploads); durable."""

    def grace_left(self) -> float:
        """Seconds of the reconciliation grace left since Submit was last about to be clicked:
        inside it, "not found" on the Status search is not an answer yet."""

    def first_click(self) -> datetime | None:
        """When Submit was first about to be clicked for this request (None: not known)."""


@dataclass
class Attempt:
    """What one request's attempts have learned so far."""

    request: AuthRequest
    artifacts: Path
    submit_clicked: bool = False
    refused_unread: bool = False
    """The last Submit was answered with the login page (its session had ended) or a 503: the
    portal refused it unread, so the Status search's "not found" is an answer at once, no grace."""
    caresource_id: str | None = None
    step_seconds: dict[str, float] = field(default_factory=dict)
    attempts: int = 0


Snap = Callable[[str], Awaitable[None]]
"""Called with a screen's name as each screen shows (the dry run's screenshots)."""


async def _no_snap(_screen: str) -> None:
    return None


@dataclass
class Draft:
    """The summary the draft ended on, and what its disclaimers say."""

    summary: SummaryPage
    disclaimers: list[Disclaimer]
    messages: list[str]

    @property
    def not_required(self) -> bool:
        """None of the request's codes needs an authorization: nothing to submit."""
        return all(d.not_required for d in self.disclaimers)


@asynccontextmanager
async def timed(attempt: Attempt, journal: Journal, step: Step) -> AsyncIterator[None]:
    journal.step(step)
    started = time.perf_counter()
    try:
        yield
    finally:
        spent = time.perf_counter() - started
        attempt.step_seconds[step] = attempt.step_seconds.get(step, 0.0) + spent


async def fill_draft(
    session: PortalSession, attempt: Attempt, journal: Journal, snap: Snap = _no_snap
) -> Draft:
    """Every screen up to the summary, Document Clinical answered for each code that asks."""
    request = attempt.request
    async with timed(attempt, journal, Step.MEMBER_SEARCH):
        search = await session.prior_authorization()
        await snap("member-search")
        setting = await search.search(request.member, request.start_date)
    async with timed(attempt, journal, Step.CARE_SETTING):
        await snap("care-setting")
        if attempt.caresource_id is None:
            attempt.caresource_id = await setting.patient_id()
            if attempt.caresource_id:
                log_module.protect(attempt.caresource_id)
        details = await setting.choose(request.care_setting, request.category, request.provider_npi)
    async with timed(attempt, journal, Step.DETAILS):
        await snap("request-details")
        summary = await details.fill(request)
        codes = [line.code for line in request.procedures]
        disclaimers = await summary.read_disclaimers(codes)
        await snap("summary")
    draft = Draft(summary, disclaimers, [d.text for d in disclaimers])
    if draft.not_required or not any(d.needs_clinical for d in disclaimers):
        return draft
    async with timed(attempt, journal, Step.DOCUMENT_CLINICAL):
        for disclaimer in disclaimers:
            if disclaimer.needs_clinical:
                clinical = await summary.document_clinical(disclaimer.code)
                await snap(f"document-clinical-{disclaimer.code}")
                summary = await clinical.answer(request.clinical)
        answered = await summary.read_disclaimers(codes)
        await snap("summary-answered")
    return Draft(summary, answered, [d.text for d in answered])
