"""The machine's engine: one Playwright driver, one Chromium, and N workers as browser contexts.

Each worker is an asyncio task with a browser context of its own (its own tab, cookies copied
from the machine's one login, its own trace and 503 route), claiming from the shared queue. A
context whose page crashed or hung is replaced and only its item goes through the error path;
when Chromium itself goes, every worker gives its item back (``BrowserGone``), the browser is
launched again and the workers start over, at most ``MAX_RELAUNCHES`` times in one run.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog
from playwright.async_api import Browser
from playwright.async_api import Playwright as AsyncPlaywright

from bot import log
from bot.browser import launch, start_playwright
from bot.config import Settings
from bot.eligibility import check_asked
from bot.errors import ConfigError, ExitCode, LoginRejected, PaBotError
from bot.followup import follow_asked
from bot.holder import this_process
from bot.login_gate import LoginGate, credentials, pool
from bot.queue import Item, Priority, Queue, QueueUnavailable, open_queue
from bot.queue.eligibility import EligibilityCheck, EligibilityQueue, eligibility_queue
from bot.queue.follow_ups import FollowUpAsk, FollowUpQueue, follow_up_queue
from bot.session import PortalSession
from bot.shared_login import SharedLogin
from bot.throttle import Throttle
from bot.turns import SessionStats, Turns, choose_account
from bot.worker import Budget, WaitForNew, claim_next, process_item, worker_name

logger = log.get_logger(__name__)


def _lost_with(browser: Browser) -> asyncio.Event:
    """An event set when ``browser`` disconnects (it crashed, or it was closed)."""
    lost = asyncio.Event()
    browser.on("disconnected", lambda _browser: lost.set())
    return lost


@dataclass(frozen=True)
class _Shared:
    """What the workers of one launched browser share."""

    browser: Browser
    login: SharedLogin
    lost: asyncio.Event
    """Set when the browser went away: the workers end and the engine launches another."""
    ending: asyncio.Event
    """Set by a stop or a lost browser: what an idle worker waits on."""


def _code_of(result: ExitCode | BaseException) -> ExitCode:
    """A worker's exit code; a worker cancelled at the end of the stop's grace ended cleanly
    (its item went back to the queue); any other exception goes on."""
    if isinstance(result, asyncio.CancelledError):
        return ExitCode.OK
    if isinstance(result, BaseException):
        raise result
    return result


def _taker(
    asks: FollowUpQueue | None, checks: EligibilityQueue, worker: str, settings: Settings
) -> Callable[[], FollowUpAsk | EligibilityCheck | None] | None:
    """How ``worker`` takes the next follow-up, else eligibility check, asked for from the
    console; None when it takes none. An urgent item (a person waits on ``pa-bot submit`` or
    "Submit now") goes before a schedule's checks; a check is held for as long as an item may
    take (``ITEM_DEADLINE_S``), which bounds it."""
    if asks is None:
        return None

    def take() -> FollowUpAsk | EligibilityCheck | None:
        asked = asks.take_follow_up(worker, settings.lease_seconds)
        if asked is not None or asks.claimable_count(Priority.URGENT):
            return asked
        return checks.take_eligibility(worker, settings.item_deadline_s)

    return take


MAX_RELAUNCHES = 3
"""How often one run launches Chromium again after it went away, before it stops (exit 3)."""


@dataclass
class Engine:
    """What one run of the engine needs: its settings, its size, its stop and its budget."""

    settings: Settings
    workers: int
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    budget: Budget = field(default_factory=lambda: Budget(None))
    on_item: Callable[[Item], None] | None = None
    wait_for_new: WaitForNew | None = None
    """A resident worker's wait for new items; None: the run ends when the queue is drained."""
    min_priority: Callable[[], int] | None = None
    """The least priority a claim takes now (a resident worker's hours); None: any."""
    browser: Browser | None = None
    """A browser to work in (tests); None: launch the machine's Chromium."""
    relaunches: int = 0
    throttle: Throttle = field(init=False)
    """The machine's pace on the portal, shared by every worker's context."""
    sessions: SessionStats = field(default_factory=SessionStats)
    """How the run fared with the account's session (logins, sign-outs, turns)."""

    _pooled: bool = field(init=False, default=False)
    _turns: Turns | None = field(init=False, default=None)
    """The account's turns, given up when the run ends (not between two browsers)."""

    def __post_init__(self) -> None:
        self.throttle = Throttle(self.settings.max_requests_per_minute)

    async def run(self) -> list[ExitCode]:
        """Work until the queue is drained (or a stop); each worker's exit code."""
        queue = open_queue(self.settings.queue_url)
        try:
            try:
                gate = await self._gate(queue)
                gate.check()
            except LoginRejected as exc:
                logger.error("login_rejected", error=log.redact(str(exc)))
                return [ExitCode.LOGIN_REJECTED]
            except ConfigError as exc:
                logger.error("configuration_error", error=str(exc))
                return [ExitCode.USAGE]
            if self.browser is not None:
                return await self._work_in(self.browser, gate, asyncio.Event())
            playwright = await start_playwright()
            try:
                return await self._relaunching(playwright, gate)
            finally:
                await playwright.stop()
        finally:
            if self._turns is not None:
                with contextlib.suppress(QueueUnavailable):
                    self._turns.end()
            queue.close()

    async def _gate(self, queue: Queue) -> LoginGate:
        """The login gate of the account this process works with: the one of the settings, or
        an account of the pool of its own (``bot.turns.choose_account``)."""
        holder = f"{worker_name()}-login"
        if self.settings.accounts_file is None:
            return LoginGate(queue, credentials(self.settings), holder)
        self._pooled = True
        chosen = await choose_account(queue, pool(self.settings), this_process().text(), self.stop)
        return LoginGate(queue, chosen, holder)

    async def _relaunching(self, playwright: AsyncPlaywright, gate: LoginGate) -> list[ExitCode]:
        while True:
            try:
                browser = await launch(playwright, self.settings)
            except ConfigError as exc:
                logger.error("configuration_error", error=str(exc))
                return [ExitCode.USAGE]
            lost = _lost_with(browser)
            try:
                codes = await self._work_in(browser, gate, lost)
                gone = lost.is_set()  # before the close below, which disconnects it too
            finally:
                with contextlib.suppress(Exception):
                    await browser.close()
            if not gone or self.stop.is_set():
                return codes
            self.relaunches += 1
            logger.warning("browser_lost", relaunches=self.relaunches)
            if self.relaunches > MAX_RELAUNCHES:
                logger.error("stopping_after_browser_losses", count=self.relaunches)
                return [ExitCode.PORTAL_UNAVAILABLE]

    async def _work_in(
        self, browser: Browser, gate: LoginGate, lost: asyncio.Event
    ) -> list[ExitCode]:
        login = SharedLogin(gate, self.settings, stats=self.sessions, pooled=self._pooled)
        self._turns = login.turns
        ending = asyncio.Event()

        async def watch(event: asyncio.Event) -> None:
            await event.wait()
            ending.set()

        shared = _Shared(browser, login, lost, ending)
        tasks = [
            asyncio.create_task(self._worker(index, shared), name=f"worker-{index}")
            for index in range(self.workers)
        ]
        watchers = [asyncio.create_task(watch(event)) for event in (self.stop, lost)]
        watchers.append(asyncio.create_task(self._cancel_after_grace(tasks)))
        try:
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for watcher in watchers:
                watcher.cancel()
        return [_code_of(result) for result in results]

    async def _cancel_after_grace(self, tasks: list[asyncio.Task[ExitCode]]) -> None:
        """Once a stop is asked, give the items in flight ``STOP_GRACE_S`` to finish, then
        cancel their workers, which give them back to the queue (``process_item``)."""
        await self.stop.wait()
        await asyncio.sleep(self.settings.stop_grace_s)
        busy = [task for task in tasks if not task.done()]
        if busy:
            logger.warning("stop_grace_over", cancelled=len(busy))
        for task in busy:
            task.cancel()

    async def _worker(self, index: int, shared: _Shared) -> ExitCode:
        """One worker: claim, process, record, until nothing is left to wait for, the budget is
        spent, a stop is asked or the browser is gone.

        Returns LOGIN_REJECTED at once when the portal refuses the login, PORTAL_UNAVAILABLE
        after ``max_consecutive_system_errors`` system errors in a row or when the queue is
        lost, USAGE on a configuration error, else OK.
        """
        structlog.contextvars.bind_contextvars(worker=index)
        try:
            return await self._drain(index, shared)
        except QueueUnavailable as exc:
            # Whether the last write was committed is unknown: write nothing more and click
            # nothing more. The item held comes back to the queue when its lease runs out.
            logger.error("queue_unavailable", error=str(exc))
            self.stop.set()
            return ExitCode.PORTAL_UNAVAILABLE
        except LoginRejected as exc:
            logger.error("login_rejected", error=log.redact(str(exc)))
            self.stop.set()
            return ExitCode.LOGIN_REJECTED
        except ConfigError as exc:
            logger.error("configuration_error", error=str(exc))
            self.stop.set()
            return ExitCode.USAGE
        except PaBotError as exc:
            if shared.lost.is_set() or not shared.browser.is_connected():
                shared.lost.set()
                return ExitCode.OK  # the engine launches a new browser and starts over
            logger.error("worker_stopped", error=type(exc).__name__)
            return ExitCode.PORTAL_UNAVAILABLE

    async def _drain(self, index: int, shared: _Shared) -> ExitCode:
        settings = self.settings
        queue = open_queue(settings.queue_url)
        worker = f"{worker_name()}-w{index}"
        consecutive = 0
        # A resident worker also does the follow-ups people ask for from the console.
        asks = follow_up_queue(queue) if self.wait_for_new is not None else None
        checks = eligibility_queue(queue)
        try:
            session = await PortalSession.open(
                shared.browser, settings, shared.login, throttle=self.throttle
            )
            try:
                while not shared.ending.is_set() and self.budget.available():
                    item = await claim_next(
                        queue,
                        worker,
                        settings.lease_seconds,
                        shared.ending,
                        wait_for_new=self.wait_for_new,
                        turns=shared.login.turns,
                        min_priority=self.min_priority,
                        follow_ups=_taker(asks, checks, worker, settings),
                    )
                    if item is None:
                        break
                    if isinstance(item, FollowUpAsk | EligibilityCheck):
                        if asks is None or shared.ending.is_set():
                            break  # left to its lease: the next worker takes it
                        shared.login.turns.busy += 1
                        try:
                            if isinstance(item, FollowUpAsk):
                                await follow_asked(asks, session, item, worker)
                            else:
                                await check_asked(checks, session, item, worker)
                        finally:
                            shared.login.turns.busy -= 1
                        continue
                    if shared.ending.is_set() or not self.budget.take():
                        queue.release(item.id, worker)
                        break
                    shared.login.turns.busy += 1
                    try:
                        processed = await process_item(queue, session, item, worker)
                    finally:
                        shared.login.turns.busy -= 1
                    if self.on_item is not None:
                        self.on_item(processed.item)
                    if processed.stop is not None:
                        logger.error("run_stopping", reason=processed.message)
                        self.stop.set()
                        return processed.stop
                    if processed.browser_gone:
                        shared.lost.set()
                        break
                    if processed.context_spoiled:
                        await session.replace_context("spoiled")
                    consecutive = consecutive + 1 if processed.system_error else 0
                    if consecutive >= settings.max_consecutive_system_errors:
                        logger.error("stopping_after_system_errors", count=consecutive)
                        self.stop.set()
                        return ExitCode.PORTAL_UNAVAILABLE
            finally:
                await session.close()
        finally:
            queue.close()
        return ExitCode.OK
