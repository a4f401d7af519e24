"""A worker: claim an item, run it through the flow, record its end; again, until done.

A worker is one asyncio task with one browser context of the machine's Chromium
(``bot.engine``). It knows nothing of screens: it hands a claimed item to ``flow.process`` and
writes what came back to the queue. State is written before side effects (``submitting`` before
the Submit click, through the journal), so a crash at any point leaves the truth in the queue.

Queue calls are plain synchronous calls on the event loop: each is one short transaction
(SQLite in WAL mode or Postgres on the same network), measured at well under a millisecond to a
few milliseconds (docs/BENCHMARKS.md), against portal steps of hundreds of milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from bot import flow, log
from bot.config import Settings
from bot.dispositions import Disposition, disposition
from bot.eligibility import known_ineligible
from bot.errors import (
    AwaitingIndex,
    BrowserGone,
    ExitCode,
    ItemDeadline,
    PaBotError,
    PageCrashed,
)
from bot.heartbeat import Heartbeat
from bot.holder import Holder, is_gone, this_process
from bot.queue import (
    FINAL_STATES,
    LEASED_STATES,
    IllegalTransition,
    Item,
    LeaseLost,
    Queue,
    QueueError,
    QueueUnavailable,
    State,
)
from bot.queue.eligibility import EligibilityCheck
from bot.queue.follow_ups import FollowUpAsk
from bot.queued import Queued, stored
from bot.queued import read as read_payload
from bot.session import PortalSession
from bot.steps import Step
from bot.turns import Turns

logger = log.get_logger(__name__)

STOPPED = "stopped: the worker was asked to stop and the item could not finish in time"


class QueueJournal:
    """The flow's journal, backed by the queue: write-ahead, heartbeats and progress."""

    def __init__(
        self,
        queue: Queue,
        item: Item,
        worker: str,
        settings: Settings,
        on_step: Callable[[Step], None] | None = None,
    ) -> None:
        self.queue = queue
        self.item = item
        self.worker = worker
        self.settings = settings
        self.on_step = on_step

    def submitting(self) -> None:
        self.queue.mark_submitting(self.item.id, self.worker)

    def step(self, name: Step) -> None:
        # Beside the heartbeat thread: a step also proves the lease is still this worker's, so
        # a worker whose item was taken over stops at its next step. The step is written to the
        # item for whoever follows it from the queue (``bot.handoff``).
        self.queue.heartbeat(self.item.id, self.worker, self.settings.lease_seconds, step=name)
        if self.on_step is not None:
            self.on_step(name)

    def reference(self, reference_id: str) -> None:
        self.queue.record_reference(self.item.id, self.worker, reference_id)

    def first_click(self) -> datetime | None:
        return self.queue.get(self.item.id).submitting_at

    def grace_left(self) -> float:
        """Seconds until "not found" on the Status search counts as an answer: the
        reconciliation grace since Submit was last about to be clicked."""
        current = self.queue.get(self.item.id)
        clicked = current.clicked_at or current.submitting_at
        if clicked is None:
            return 0.0
        spent = (self.queue.now() - clicked).total_seconds()
        return max(0.0, self.settings.reconcile_grace_s - spent)


@dataclass(frozen=True)
class Processed:
    """How one item ended in this process, for the run's bookkeeping."""

    item: Item
    system_error: bool = False
    portal_down: bool = False
    stop: ExitCode | None = None
    """Set when the run must stop (a rejected login, a configuration error)."""
    message: str | None = None
    """What to tell a person when the run stops (redacted)."""
    context_spoiled: bool = False
    """The item's browser context must not serve another (its page hung or crashed)."""
    browser_gone: bool = False
    """The machine's Chromium went away during the item."""
    wait_turn: bool = False
    """The item went back because the account signed in elsewhere (``bot.turns``)."""


async def process_item(
    queue: Queue,
    session: PortalSession,
    item: Item,
    worker: str,
    on_step: Callable[[Step], None] | None = None,
) -> Processed:
    """Run one claimed item through the flow and record its end in the queue.

    Every exception ends in ``bot.dispositions``' table; only the queue's own trouble
    (``QueueUnavailable``) propagates, since nothing more may be written then.
    """
    settings = session.settings
    journal = QueueJournal(queue, item, worker, settings, on_step)
    beat = Heartbeat(settings.queue_url, item.id, worker, settings.lease_seconds)
    with structlog.contextvars.bound_contextvars(item_id=item.id), beat:
        try:
            queued = read_payload(item.payload)
        except ValueError as exc:
            return _record_failure(queue, item, worker, exc)
        with log.protect_request(queued.request):
            logger.info("item_started", state=str(item.state), attempts=item.attempts)
            try:
                return await _run_and_record(queue, session, item, worker, queued, journal)
            except asyncio.CancelledError:
                # The stop's grace ran out (``Engine``): give the item back as it stands, a
                # ``submitting`` one to be reconciled, and let the cancellation go on.
                with contextlib.suppress(QueueError):
                    queue.release(item.id, worker, error=STOPPED)
                logger.warning("item_released_at_stop")
                raise
            except (LeaseLost, IllegalTransition) as exc:
                # Another worker took the item over after this one's lease ran out: it owns the
                # item now, so nothing more is written here.
                logger.warning("lease_lost", error=type(exc).__name__)
                return Processed(queue.get(item.id), system_error=True)


async def process_until_settled(
    queue: Queue,
    session: PortalSession,
    item: Item,
    worker: str,
    on_step: Callable[[Step], None] | None = None,
) -> Processed:
    """``process_item``, and again each time the item was set aside to wait out the
    reconciliation grace, as a run comes back to it (``pa-bot submit``, ``replay``: one item,
    and a person or a test waiting for its end)."""
    processed = await process_item(queue, session, item, worker, on_step)
    holder = this_process().text()
    turns_waited = 0
    while processed.stop is None and processed.item.state not in FINAL_STATES:
        if processed.wait_turn and turns_waited < TURN_ROUNDS:
            # Signed out for a login elsewhere: again in this process's turn on the account.
            turns_waited += 1
            await session.login.turns.take(asyncio.Event())
        elif processed.item.available_at is not None:
            # The grace's own schedule (``RECONCILE_POLL_S``), as ``claim_next`` keeps it.
            wait = (processed.item.available_at - queue.now()).total_seconds()
            logger.info("waiting_for_status_index", seconds=round(max(0.0, wait), 1))
            await asyncio.sleep(max(0.0, wait))
        else:
            break
        again = queue.claim(worker, session.settings.lease_seconds, item_id=item.id, holder=holder)
        if again is None:
            break
        processed = await process_item(queue, session, again, worker, on_step)
    return processed


TURN_ROUNDS = 3
"""How often one item followed by a person (``pa-bot submit``) or a test is taken up again after
a sign-out for a login elsewhere; then it waits in the queue for a run."""


async def _run_and_record(
    queue: Queue,
    session: PortalSession,
    item: Item,
    worker: str,
    queued: Queued,
    journal: QueueJournal,
) -> Processed:
    settings = session.settings
    try:
        if item.state != State.SUBMITTING:
            queued.check_files()
            known_ineligible(queue, queued.request)
        async with asyncio.timeout(settings.item_deadline_s):
            outcome = await flow.process(
                session,
                queued.request,
                journal,
                already_submitting=item.state == State.SUBMITTING,
            )
    except (LeaseLost, IllegalTransition, QueueUnavailable):
        raise
    except TimeoutError:
        # A page that hung past Playwright's own timeouts: the item ends through the error
        # path, and its context, which may still be busy with the hung call, serves no other.
        late = ItemDeadline(f"the item took longer than {settings.item_deadline_s:g} s")
        processed = _record_failure(queue, item, worker, late)
        return _spoiled(processed)
    except Exception as exc:
        error = exc
        if not session.browser.is_connected():
            error = BrowserGone("the browser crashed or was closed during the item")
        processed = _record_failure(queue, item, worker, error)
        if isinstance(error, BrowserGone):
            return Processed(processed.item, browser_gone=True)
        return _spoiled(processed) if isinstance(error, PageCrashed) else processed
    state = State(outcome.state)
    done = queue.finish(
        item.id,
        worker,
        state,
        portal_status=outcome.portal_status.value if outcome.portal_status else None,
        reference_id=outcome.reference_id,
        outcome=stored(outcome),
    )
    logger.info(
        "item_done",
        state=str(state),
        portal_status=done.portal_status,
        reconciled=outcome.reconciled,
    )
    return Processed(done)


def _record_failure(queue: Queue, item: Item, worker: str, exc: Exception) -> Processed:
    """The one error path: the table's disposition, written to the queue, and logged."""
    clicked = queue.get(item.id).state == State.SUBMITTING
    kind = disposition(exc, clicked=clicked)
    text = describe(exc)
    logger.warning("item_error", disposition=str(kind), clicked=clicked, error=text, at=where(exc))
    D = Disposition
    if kind == D.REJECT:
        return Processed(queue.finish(item.id, worker, State.REJECTED, error=text))
    if kind == D.FAIL:
        done = queue.finish(item.id, worker, State.FAILED, error=text)
        return Processed(done, system_error=True)
    if kind == D.GIVE_BACK:
        return Processed(queue.release(item.id, worker, error=text), wait_turn=True)
    if kind == D.DEFER:
        retry_in = min(exc.retry_in, RECONCILE_POLL_S) if isinstance(exc, AwaitingIndex) else 0.0
        return Processed(queue.release(item.id, worker, error=text, retry_in=retry_in))
    done = queue.release(item.id, worker, error=text)
    if kind == D.STOP_LOGIN:
        return Processed(done, stop=ExitCode.LOGIN_REJECTED, message=text)
    if kind == D.STOP_CONFIG:
        return Processed(done, stop=ExitCode.USAGE, message=text)
    if kind == D.STOP_DRIFT:
        return Processed(done, stop=ExitCode.UI_DRIFT, message=text)
    return Processed(done, system_error=True, portal_down=kind == D.RELEASE_DOWN)


def _spoiled(processed: Processed) -> Processed:
    return dataclasses.replace(processed, context_spoiled=True)


def describe(exc: BaseException) -> str:
    """The item's error text: the reason and the message, redacted; for an exception of an
    unexpected type, its type and the first line of its message (never a call log)."""
    if isinstance(exc, PaBotError):
        reason = getattr(exc, "reason", type(exc).__name__)
        return log.redact(f"{reason}: {exc}")
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return log.redact(f"system error: {type(exc).__name__}" + (f": {first}" if first else ""))


def where(exc: BaseException) -> str | None:
    """Where the exception (or the one it wraps) was raised: ``file:line in function``."""
    origin = exc.__cause__ or exc
    frames = traceback.extract_tb(origin.__traceback__)
    if not frames:
        return None
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"


def worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"


class Budget:
    """How many more items this run may take (``--max-items``; None: no limit), shared by the
    run's workers (tasks of one event loop: no lock needed)."""

    def __init__(self, limit: int | None) -> None:
        self.left = limit

    def available(self) -> bool:
        return self.left != 0

    def take(self) -> bool:
        if self.left is None:
            return True
        if self.left == 0:
            return False
        self.left -= 1
        return True


RECONCILE_POLL_S = 15.0
"""How long an item waiting out its reconciliation grace stays aside before the Status search
is asked again (less when the grace ends sooner)."""

CLAIM_POLL_S = 1.0
"""How often a worker with nothing to claim looks again while items held by live workers
elsewhere, or set aside for the reconciliation grace, may still come back to the queue."""

WaitForNew = Callable[[float, asyncio.Event], Awaitable[None]]
"""A resident worker's wait for new items: at most the seconds given, less on a stop."""

RESIDENT_RECHECK_S = 30.0
"""The longest a resident worker with nothing to claim waits without looking again, should its
doorbell miss a new item (a lost ``NOTIFY``, a dead holder's item on this machine)."""


async def claim_next(
    queue: Queue,
    worker: str,
    lease_seconds: float,
    stop: asyncio.Event,
    *,
    wait_for_new: WaitForNew | None = None,
    turns: Turns | None = None,
    min_priority: Callable[[], int] | None = None,
    follow_ups: Callable[[], FollowUpAsk | EligibilityCheck | None] | None = None,
) -> Item | FollowUpAsk | EligibilityCheck | None:
    """The next item for ``worker``; None once nothing is left that could come back (or a stop
    was asked).

    An item held by a dead process of this machine is taken back at once (``bot.holder``); one
    held by a live worker elsewhere, or set aside for the reconciliation grace, is waited for
    (bounded by its lease or its time), so that a run does not end with work left. A resident
    worker (``wait_for_new``) never runs out: it waits for new items instead. With ``turns``,
    it claims only in this process's turn on the portal account, and gives the turn up while
    there is nothing to claim (``bot.turns``). With ``min_priority``, only items of that
    priority or more are taken (asked anew at each claim: ``bot.hours``). With ``follow_ups``,
    a follow-up or an eligibility check a person asked for (``bot.queue.follow_ups``,
    ``bot.queue.eligibility``) is taken before any item.
    """
    holder = this_process().text()
    while not stop.is_set():
        if turns is not None:
            await turns.take(stop)
            if stop.is_set():
                break
        asked = follow_ups() if follow_ups is not None else None
        if asked is not None:
            return asked
        floor = min_priority() if min_priority is not None else 0
        item = queue.claim(worker, lease_seconds, holder=holder, min_priority=floor)
        if item is not None:
            return item
        if turns is not None:
            turns.idle()
        now = queue.now()
        waiting = [i for i in queue.items() if i.state in WAITING and i.priority >= floor]
        if any(_take_back_if_gone(queue, item) for item in waiting):
            continue
        later = [
            moment
            for item in waiting
            for moment in (item.lease_expires_at, item.available_at)
            if moment is not None and moment > now
        ]
        until_later = (min(later) - now).total_seconds() if later else None
        if wait_for_new is not None:
            await wait_for_new(min(until_later or RESIDENT_RECHECK_S, RESIDENT_RECHECK_S), stop)
        elif until_later is None:
            return None
        else:
            await until_stopped(stop, min(CLAIM_POLL_S, until_later))
    return None


async def until_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when a stop is asked meanwhile."""
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        pass


WAITING = frozenset({State.PENDING, State.IN_PROGRESS, State.SUBMITTING})


def _take_back_if_gone(queue: Queue, item: Item) -> bool:
    holder = Holder.parse(item.holder)
    if item.state not in LEASED_STATES or holder is None or not is_gone(holder):
        return False
    taken = queue.expire_lease(item.id, holder.text())
    if taken:
        logger.warning("holder_gone", item=item.id, holder_pid=holder.pid)
    return taken
