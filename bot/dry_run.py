"""``--dry-run``: a rehearsal for the real portal, before a practice trusts the bot with it.

Each request walks every screen a submission walks (``bot.draft``: member search to the
Authorization Request summary, Document Clinical answered), a screenshot of each screen as it
shows, then Cancel Request. Nothing is submitted and no queue item is written: a dry run never
claims an item, so it never moves one to ``submitting`` (the login gate still records the
login, as for any login). UI drift, a rejected login and a portal that is down end it as a
real run ends (exit 5, 4, 3); a request the portal refuses (member not eligible, an unknown
code) walked the screens up to the refusal, and says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot import flow, retry_policy
from bot.browser import open_browser, private_dir
from bot.config import Settings
from bot.display import StepProgress
from bot.draft import Attempt, fill_draft
from bot.errors import (
    BusinessError,
    ExitCode,
    LoginRejected,
    PortalUnavailable,
    UiDrift,
)
from bot.log import get_logger, redact
from bot.login_gate import LoginGate, credentials
from bot.models import AuthRequest
from bot.queue import State, open_queue
from bot.queued import read as read_payload
from bot.session import PortalSession
from bot.shared_login import SharedLogin
from bot.steps import Step
from bot.worker import describe, worker_name

log = get_logger(__name__)

Callback = Callable[[Step], None]


@dataclass
class Rehearsal:
    """One request's dry run: the screens it passed (each with its screenshot) and its end."""

    key: str
    folder: Path
    screens: list[str] = field(default_factory=list)
    not_required: bool = False
    error: Exception | None = None

    @property
    def passed(self) -> bool:
        """The screens worked: the summary was reached, or the portal answered with a refusal."""
        return self.error is None or isinstance(self.error, BusinessError)

    @property
    def said(self) -> str:
        if self.error is None:
            return "no authorization required" if self.not_required else "ready to submit"
        if isinstance(self.error, BusinessError):
            return f"the portal refused it: {describe(self.error)}"
        return describe(self.error)


class _Rehearsing:
    """The flow's journal in a dry run: steps are shown, and nothing is ever submitted."""

    def __init__(self, on_step: Callback | None) -> None:
        self.on_step = on_step

    def submitting(self) -> None:
        raise AssertionError("a dry run never clicks Submit")

    def step(self, name: Step) -> None:
        if self.on_step is not None:
            self.on_step(name)

    def reference(self, reference_id: str) -> None:
        raise AssertionError("a dry run never reads a reference id")

    def grace_left(self) -> float:
        return 0.0

    def first_click(self) -> datetime | None:
        return None


async def rehearse(
    session: PortalSession, request: AuthRequest, folder: Path, on_step: Callback | None = None
) -> Rehearsal:
    """Walk the request's screens to the summary, a screenshot of each, then cancel."""
    done = Rehearsal(request.key, private_dir(folder))
    attempt = Attempt(request=request, artifacts=done.folder)

    async def snap(screen: str) -> None:
        path = done.folder / f"{len(done.screens) + 1:02d}-{screen}.png"
        await session.page.screenshot(path=str(path), full_page=True)
        done.screens.append(screen)

    journal = _Rehearsing(on_step)
    try:
        await session.begin_request()
        async for try_ in retry_policy.item_attempts(session.settings):
            with try_:
                attempt.attempts += 1
                if attempt.attempts > 1:
                    done.screens.clear()
                    await session.begin_attempt()
                async with flow.recovering(session):
                    draft = await fill_draft(session, attempt, journal, snap)
                    done.not_required = draft.not_required
                    await draft.summary.cancel()
    except Exception as exc:
        await flow.keep_failure_evidence(session, attempt)
        done.error = exc
        log.warning("dry_run_error", error=describe(exc))
    return done


def exit_code(rehearsals: list[Rehearsal]) -> ExitCode:
    """DESIGN.md's codes for a dry run: 5 a screen changed, 4 the login was refused, 3 the
    portal was down, 1 another error, else 0 (a refusal by the portal is an answer)."""
    errors = [r.error for r in rehearsals if r.error is not None]
    for family, code in (
        (UiDrift, ExitCode.UI_DRIFT),
        (LoginRejected, ExitCode.LOGIN_REJECTED),
        (PortalUnavailable, ExitCode.PORTAL_UNAVAILABLE),
    ):
        if any(isinstance(e, family) for e in errors):
            return code
    return ExitCode.OK if all(r.passed for r in rehearsals) else ExitCode.FAILED


def print_rehearsals(console: Console, rehearsals: list[Rehearsal], folder: Path) -> None:
    table = Table(title="Dry run: nothing was submitted")
    table.add_column("request")
    table.add_column("screens passed")
    table.add_column("end")
    for r in rehearsals:
        mark = "[green]✓[/]" if r.passed else "[red]✗[/]"
        table.add_row(escape(r.key), escape(", ".join(r.screens) or "none"), f"{mark} {r.said}")
    console.print(table)
    ready = sum(r.passed for r in rehearsals)
    console.print(
        f"{ready} of {len(rehearsals)} requests walked their screens; every draft was cancelled. "
        f"Screenshots: {folder}",
        soft_wrap=True,
    )
    if any(isinstance(r.error, UiDrift) for r in rehearsals):
        console.print(
            "[red]The portal's screens changed:[/] update the page object named above "
            "(docs/PORTAL_UI.md, UI drift)."
        )


def run_folder(settings: Settings) -> Path:
    """This dry run's private folder of screenshots."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return private_dir(settings.artifacts_dir / "dry-run" / stamp)


async def rehearse_all(
    settings: Settings,
    gate: LoginGate,
    requests: list[AuthRequest],
    folder: Path,
    workers: int,
    on_step: Callback | None = None,
) -> list[Rehearsal]:
    """The requests over ``workers`` browser contexts of one Chromium, sharing one login; a
    stop (drift, a refused login, the portal down) ends the dry run after the items in hand."""
    todo = list(reversed(requests))
    done: dict[str, Rehearsal] = {}
    stop = asyncio.Event()
    async with open_browser(settings) as browser:
        login = SharedLogin(gate, settings)

        async def work() -> None:
            session = await PortalSession.open(browser, settings, login)
            try:
                while todo and not stop.is_set():
                    request = todo.pop()
                    rehearsal = await rehearse(session, request, folder / request.key, on_step)
                    done[request.key] = rehearsal
                    if exit_code([rehearsal]) not in (ExitCode.OK, ExitCode.FAILED):
                        stop.set()
            finally:
                await session.close()

        await asyncio.gather(*(work() for _ in range(min(workers, len(requests)) or 1)))
    return [done[r.key] for r in requests if r.key in done]


def rehearse_request(request: AuthRequest, settings: Settings, console: Console) -> ExitCode:
    """``pa-bot submit --dry-run FILE``: the one request, with its steps on screen; the request
    is not queued."""
    return _rehearse_printed(
        settings, console, [request], 1, progress=StepProgress(console, request.key)
    )


def rehearse_queue(
    settings: Settings, console: Console, *, workers: int, max_items: int | None
) -> ExitCode:
    """``pa-bot run --dry-run``: the queue's ``pending`` items as they stand, none claimed
    (an item Submit was clicked for is reconciled by a real run, never rehearsed)."""
    queue = open_queue(settings.queue_url)
    try:
        items = [item for item in queue.items() if item.state == State.PENDING]
    finally:
        queue.close()
    requests = [read_payload(item.payload).request for item in items][:max_items]
    if not requests:
        console.print("Nothing pending to rehearse.")
        return ExitCode.OK
    return _rehearse_printed(settings, console, requests, workers)


def _rehearse_printed(
    settings: Settings,
    console: Console,
    requests: list[AuthRequest],
    workers: int,
    progress: StepProgress | None = None,
) -> ExitCode:
    folder = run_folder(settings)
    queue = open_queue(settings.queue_url)
    try:
        gate = LoginGate(queue, credentials(settings), worker_name())
        try:
            gate.check()
        except LoginRejected as exc:
            console.print(f"[red]login rejected:[/] {escape(redact(str(exc)))}")
            return ExitCode.LOGIN_REJECTED
        on_step = progress.step if progress is not None else None
        with progress or contextlib.nullcontext():
            found = asyncio.run(rehearse_all(settings, gate, requests, folder, workers, on_step))
    finally:
        queue.close()
    print_rehearsals(console, found, folder)
    return exit_code(found)
