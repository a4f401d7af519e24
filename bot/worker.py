"""A worker: claim an item, run it through the flow, record its end; again, until done.

The worker loop knows nothing of screens: it hands a claimed item to ``flow.process`` and writes
what came back to the queue. State is written before side effects (``submitting`` before the
Submit click, through the journal), so a crash at any point leaves the truth in the queue.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from typing import Protocol

import structlog

from bot import flow, log
from bot.browser import open_browser
from bot.config import Settings
from bot.errors import (
    BusinessError,
    ConfigError,
    ExitCode,
    LoginRejected,
    PaBotError,
    PortalUnavailable,
    TransientError,
)
from bot.models import QUEUED, AuthRequest
from bot.queue import (
    IllegalTransition,
    Item,
    LeaseLost,
    Queue,
    QueueUnavailable,
    State,
    open_queue,
)
from bot.session import PortalSession

logger = log.get_logger(__name__)


class QueueJournal:
    """The flow's journal, backed by the queue: write-ahead, heartbeats and progress."""

    def __init__(
        self,
        queue: Queue,
        item: Item,
        worker: str,
        lease_seconds: float,
        on_step: Callable[[str], None] | None = None,
    ) -> None:
        self.queue = queue
        self.item = item
        self.worker = worker
        self.lease_seconds = lease_seconds
        self.on_step = on_step

    def submitting(self) -> None:
        self.queue.mark_submitting(self.item.id, self.worker)

    def step(self, name: str) -> None:
        self.queue.heartbeat(self.item.id, self.worker, self.lease_seconds)
        if self.on_step is not None:
            self.on_step(name)


@dataclass(frozen=True)
class Processed:
    """How one item ended in this process, for the run's bookkeeping."""

    item: Item
    system_error: bool = False
    portal_down: bool = False


def process_item(
    queue: Queue,
    session: PortalSession,
    item: Item,
    worker: str,
    on_step: Callable[[str], None] | None = None,
) -> Processed:
    """Run one claimed item through the flow and record its end in the queue.

    ``LoginRejected`` is re-raised after the item is released: the run must stop.
    """
    settings = session.settings
    request = AuthRequest.model_validate_json(item.payload, context=QUEUED)
    journal = QueueJournal(queue, item, worker, settings.lease_seconds, on_step)
    with log.protect_request(request), structlog.contextvars.bound_contextvars(item_id=item.id):
        logger.info("item_started", state=str(item.state), attempts=item.attempts)
        try:
            return _run_and_record(queue, session, item, worker, request, journal)
        except (LeaseLost, IllegalTransition) as exc:
            # Another worker took the item over after this one's lease ran out: it owns the
            # item now, so nothing more is written here.
            logger.warning("lease_lost", error=type(exc).__name__)
            return Processed(queue.get(item.id), system_error=True)


def _run_and_record(
    queue: Queue,
    session: PortalSession,
    item: Item,
    worker: str,
    request: AuthRequest,
    journal: QueueJournal,
) -> Processed:
    settings = session.settings
    try:
        outcome = flow.process(
            session,
            request,
            journal,
            already_submitting=item.state == State.SUBMITTING,
            retry_wait=settings.retry_wait_seconds,
        )
    except BusinessError as exc:
        done = queue.finish(item.id, worker, State.REJECTED, error=_describe(exc))
        logger.info("item_rejected", reason=exc.reason)
        return Processed(done)
    except LoginRejected:
        queue.release(item.id, worker, error="login rejected")
        raise
    except TransientError as exc:
        current = queue.get(item.id)
        if isinstance(exc, PortalUnavailable) or current.state == State.SUBMITTING:
            done = queue.release(item.id, worker, error=_describe(exc))
            logger.warning("item_released", error=type(exc).__name__)
            return Processed(done, system_error=True, portal_down=True)
        done = queue.finish(item.id, worker, State.FAILED, error=_describe(exc))
        logger.warning("item_failed", error=type(exc).__name__)
        return Processed(done, system_error=True)
    except (LeaseLost, IllegalTransition, QueueUnavailable):
        raise
    except PaBotError as exc:
        done = queue.finish(item.id, worker, State.FAILED, error=_describe(exc))
        logger.error("item_failed", error=type(exc).__name__)
        return Processed(done, system_error=True)
    state = State(outcome.state)
    done = queue.finish(
        item.id,
        worker,
        state,
        portal_status=outcome.portal_status.value if outcome.portal_status else None,
        reference_id=outcome.reference_id,
        outcome=outcome.model_dump(mode="json"),
    )
    logger.info(
        "item_done",
        state=str(state),
        portal_status=done.portal_status,
        reconciled=outcome.reconciled,
    )
    return Processed(done)


def _describe(exc: PaBotError) -> str:
    reason = getattr(exc, "reason", type(exc).__name__)
    return log.redact(f"{reason}: {exc}")


def worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


def payload(request: AuthRequest) -> str:
    """The request as the queue stores it: JSON with absolute attachment paths."""
    return json.dumps(request.model_dump(mode="json"), sort_keys=True)


class StopSignal(Protocol):
    """A threading or multiprocessing Event: set when the run must stop after the current item."""

    def is_set(self) -> bool: ...

    def set(self) -> None: ...


class Budget:
    """How many more items this run may take (``--max-items``), shared by worker processes."""

    def __init__(self, shared: Synchronized[int]) -> None:
        self.shared = shared

    def take(self) -> bool:
        with self.shared.get_lock():
            if self.shared.value < 0:
                return True
            if self.shared.value == 0:
                return False
            self.shared.value -= 1
            return True


def worker_loop(
    settings: Settings,
    stop: StopSignal,
    budget: Budget,
    index: int = 0,
    on_item: Callable[[Item], None] | None = None,
) -> ExitCode:
    """Claim, process, record, until the queue is empty, the budget spent or a stop is asked.

    Returns LOGIN_REJECTED at once when the portal refuses the login, PORTAL_UNAVAILABLE after
    ``max_consecutive_system_errors`` system errors in a row or when the queue is lost, else OK.
    """
    try:
        return _drain(settings, stop, budget, index, on_item)
    except QueueUnavailable as exc:
        # Whether the last write was committed is unknown: write nothing more and click
        # nothing more. The item held comes back to the queue when its lease runs out.
        logger.error("queue_unavailable", error=str(exc))
        stop.set()
        return ExitCode.PORTAL_UNAVAILABLE
    except ConfigError as exc:
        logger.error("configuration_error", error=str(exc))
        stop.set()
        return ExitCode.USAGE


def _drain(
    settings: Settings,
    stop: StopSignal,
    budget: Budget,
    index: int,
    on_item: Callable[[Item], None] | None,
) -> ExitCode:
    queue = open_queue(settings.queue_url)
    worker = f"{worker_name()}-w{index}"
    consecutive = 0
    structlog.contextvars.bind_contextvars(worker=index)
    try:
        with open_browser(settings) as browser:
            session = PortalSession(browser, settings)
            try:
                while not stop.is_set() and budget.take():
                    item = queue.claim(worker, settings.lease_seconds)
                    if item is None:
                        break
                    try:
                        processed = process_item(queue, session, item, worker)
                    except LoginRejected:
                        logger.error("login_rejected")
                        stop.set()
                        return ExitCode.LOGIN_REJECTED
                    if on_item is not None:
                        on_item(processed.item)
                    consecutive = consecutive + 1 if processed.system_error else 0
                    if consecutive >= settings.max_consecutive_system_errors:
                        logger.error("stopping_after_system_errors", count=consecutive)
                        stop.set()
                        return ExitCode.PORTAL_UNAVAILABLE
            finally:
                session.close()
    finally:
        queue.close()
    return ExitCode.OK
