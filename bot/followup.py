"""``pa-bot follow-up``: look up undecided requests on the Status tab, record the decisions that
arrived since, upload the attachments still owed, and say what changed and what is due.

An item qualifies when it is ``submitted`` with portal status ``pended`` or ``no_decision_yet``.
Each change is written with ``Queue.update_decision``, whose history line says when it was seen.
A resident worker does the same for one request when a person asks from the console
(``follow_asked``), uploading the attachment they added if any.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot import log, queued, retry_policy
from bot.browser import open_browser
from bot.config import Settings
from bot.deadlines import decision_due, decision_overdue, documents_due, is_undecided
from bot.display import print_wide
from bot.errors import (
    BusinessError,
    ExitCode,
    LoginRejected,
    PaBotError,
)
from bot.holder import this_process
from bot.login_gate import LoginGate, credentials, login_refusal
from bot.models import AuthRequest, Outcome, OutcomeLine, PortalStatus
from bot.pages.types import Results
from bot.queue import Item, Queue, State, open_queue
from bot.queue.follow_ups import FollowUpAsk, FollowUpQueue
from bot.session import PortalSession
from bot.shared_login import SharedLogin

logger = log.get_logger(__name__)


@dataclass
class FollowUp:
    """What following one item up found and did."""

    item: Item
    was: str | None
    now: str | None = None
    seen_at: datetime | None = None
    uploaded: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.now is not None and self.now != self.was


def follow_up(settings: Settings, console: Console, now: datetime | None = None) -> ExitCode:
    """Follow up every undecided item; exit 1 when some could not be checked, 4 on a refused
    login."""
    queue = open_queue(settings.queue_url)
    try:
        refusal = login_refusal(queue, settings)
        if refusal is not None:
            console.print(f"[red]{refusal[0]}:[/] {escape(refusal[1])}", soft_wrap=True)
            return refusal[2]
        items = [item for item in queue.items(State.SUBMITTED) if is_undecided(item)]
        if not items:
            console.print("Nothing to follow up: no submitted request awaits a decision.")
            return ExitCode.OK
        try:
            results = asyncio.run(_follow_all(queue, settings, items))
        except LoginRejected as exc:
            console.print(f"[red]login rejected:[/] {escape(log.redact(str(exc)))}")
            return ExitCode.LOGIN_REJECTED
    finally:
        queue.close()
    moment = now or datetime.now(UTC)
    for result in results:
        result.flags = flags(result.item, moment)
    print_follow_ups(console, results)
    return ExitCode.FAILED if any(r.error for r in results) else ExitCode.OK


async def _follow_all(queue: Queue, settings: Settings, items: list[Item]) -> list[FollowUp]:
    results = []
    gate = LoginGate(queue, credentials(settings), f"{this_process().text()}#follow-up")
    async with open_browser(settings) as browser:
        session = await PortalSession.open(browser, settings, SharedLogin(gate, settings))
        try:
            for item in items:
                results.append(await follow_item(queue, session, item))
        finally:
            await session.close()
    return results


async def follow_item(
    queue: Queue, session: PortalSession, item: Item, extra: Sequence[Path] = ()
) -> FollowUp:
    """Read the item's authorization on the Status tab; record a new decision, upload what is
    owed (the request's attachments not uploaded yet, and ``extra``). Portal trouble is retried;
    what is left is reported on the item, never raised."""
    request = queued.read(item.payload).request
    result = FollowUp(item=item, was=item.portal_status)
    with log.protect_request(request), structlog.contextvars.bound_contextvars(item_id=item.id):
        try:
            await session.begin_request()
            with retry_policy.spending(session.resend.budget):
                async for attempt in retry_policy.follow_up_attempts(session.settings):
                    with attempt:
                        if attempt.retry_state.attempt_number > 1:
                            await session.begin_attempt()
                        await _check(queue, session, request, result, extra)
        except LoginRejected:
            raise
        except PaBotError as exc:
            result.error = log.redact(f"{type(exc).__name__}: {exc}")
            logger.warning("follow_up_failed", error=type(exc).__name__)
    return result


async def _check(
    queue: Queue,
    session: PortalSession,
    request: AuthRequest,
    result: FollowUp,
    extra: Sequence[Path],
) -> None:
    item = result.item
    reference_id = item.reference_id or ""
    status = await session.status()
    rows = await status.search_reference(reference_id)
    if not any(row.reference_id == reference_id for row in rows):
        raise BusinessError(f"reference {reference_id} is not on the Status tab")
    detail = await status.open_detail(reference_id)
    results = await detail.read()
    wanted = [*request.attachments, *extra]
    owed = [path for path in wanted if path.name not in [*results.uploaded, *result.uploaded]]
    for path in owed:
        await detail.upload(path)
        result.uploaded.append(path.name)
    result.now = PortalStatus.from_portal(results.status).value
    if result.changed or result.uploaded:
        result.item = queue.update_decision(
            item.id, result.now, _outcome(item, results, result.uploaded)
        )
        result.seen_at = result.item.updated_at
        logger.info("decision_followed_up", changed=result.changed, uploaded=len(result.uploaded))


async def follow_asked(
    queue: FollowUpQueue, session: PortalSession, ask: FollowUpAsk, worker: str
) -> FollowUp:
    """A follow-up a person asked for from the console, done and its end recorded: with why it
    could not be done, when it could not (the unknown too: a system error, never a dead
    worker). A refused login goes on up: it stops the worker, and the ask passes to the next
    one when its lease ends."""
    item = queue.get(ask.item_id)
    extra = [Path(ask.attachment)] if ask.attachment else []
    try:
        result = await follow_item(queue, session, item, extra)
    except LoginRejected:
        raise
    except Exception as exc:  # the unknown is recorded as a system error
        result = FollowUp(item=item, was=item.portal_status, error=f"system: {type(exc).__name__}")
    queue.end_follow_up(ask.id, worker, result.error)
    logger.info(
        "asked_follow_up_done",
        item_id=item.id,
        changed=result.changed,
        uploaded=len(result.uploaded),
        failed=result.error is not None,
    )
    return result


def _outcome(item: Item, results: Results, uploaded: list[str]) -> dict[str, Any]:
    """The stored outcome with the portal's current status, lines, reason and uploads."""
    before = queued.outcome_of(item) or Outcome(state="submitted", reference_id=item.reference_id)
    status = PortalStatus.from_portal(results.status)
    now = before.model_copy(
        update={
            "portal_status": status,
            "lines": [OutcomeLine.model_validate(asdict(line)) for line in results.lines],
            "uploaded": [*results.uploaded, *(n for n in uploaded if n not in results.uploaded)],
            "reason_code": results.reason_code,
            "denial_reason": results.reason,
        }
    )
    return queued.stored(now.seen(status, datetime.now(UTC)))


def flags(item: Item, now: datetime) -> list[str]:
    """What a person must know about an item still undecided: documents owed, decision late."""
    found = []
    documents = documents_due(item)
    if documents is not None:
        late = " (late)" if now > documents else ""
        found.append(
            "pended without clinical documents: the portal wants them within one business day, "
            f"by {documents:%Y-%m-%d %H:%M} UTC{late}"
        )
    due = decision_due(item)
    if due is not None and decision_overdue(item, now):
        found.append(f"decision overdue: due {due:%Y-%m-%d %H:%M} UTC (CMS-0057-F)")
    return found


def print_follow_ups(console: Console, results: list[FollowUp]) -> None:
    """A table of what was found, then a line for each thing a person must do."""
    table = Table(title="pa-bot follow-up")
    for column in ("key", "reference id", "was", "now", "seen at", "uploaded"):
        table.add_column(column)
    for result in results:
        now = result.now or ""
        table.add_row(
            escape(result.item.key),
            result.item.reference_id or "",
            result.was or "",
            f"[bold green]{now}[/]" if result.changed else now,
            f"{result.seen_at:%Y-%m-%d %H:%M:%S}" if result.seen_at else "",
            escape(", ".join(result.uploaded)),
        )
    print_wide(console, table)
    for result in results:
        for flag in result.flags:
            console.print(
                f"[bold red]![/] {escape(result.item.key)}: {escape(flag)}", soft_wrap=True
            )
        if result.error:
            console.print(
                f"[red]not checked[/] {escape(result.item.key)}: {escape(result.error)}",
                soft_wrap=True,
            )
    changed = sum(r.changed for r in results)
    uploads = sum(len(r.uploaded) for r in results)
    console.print(
        f"{len(results)} followed up: {changed} decisions changed, {uploads} attachments uploaded, "
        f"{sum(bool(r.error) for r in results)} could not be checked."
    )
