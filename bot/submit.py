"""``pa-bot submit FILE``: one urgent request, now, with the steps on screen.

The request is queued as urgent. When a resident worker serves the queue (``pa-bot worker``),
it takes the request and ``submit`` follows it from the queue (``bot.handoff``); otherwise
``submit`` runs the flow itself, in a browser of its own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from bot import documentation, log
from bot.browser import open_browser
from bot.config import Settings
from bot.display import StepProgress, print_documentation, print_invalid, print_items
from bot.dry_run import rehearse_request
from bot.errors import ConfigError, ExitCode, LoginRejected, UiDrift
from bot.handoff import PICKUP_WAIT_S, follow, live_resident
from bot.holder import this_process
from bot.intake import Accepted, Rejected, read_requests
from bot.login_gate import LoginGate, credentials
from bot.queue import FINAL_STATES, Item, Priority, Queue, State, open_queue
from bot.queued import payload
from bot.session import PortalSession
from bot.shared_login import SharedLogin
from bot.steps import Step
from bot.worker import Processed, process_until_settled, worker_name


def submit_file(
    path: Path, settings: Settings, console: Console, *, dry_run: bool = False
) -> ExitCode:
    """``pa-bot submit FILE``: validate, queue, submit now with progress, print the result;
    ``dry_run``: walk its screens to the summary and cancel, nothing queued or submitted."""
    read = read_requests(path, private_dirs=[settings.artifacts_dir])
    bad = [entry for entry in read if isinstance(entry, Rejected)]
    good = [entry for entry in read if isinstance(entry, Accepted)]
    if bad:
        for entry in bad:
            print_invalid(console, entry.source, entry.errors)
        return ExitCode.USAGE
    if len(good) != 1:
        console.print(
            f"[red]error:[/] {path} holds {len(good)} requests; `pa-bot submit` takes one "
            "(use `pa-bot enqueue` and `pa-bot run` for several)"
        )
        return ExitCode.USAGE
    request, source = good[0].request, good[0].source
    print_documentation(console, request.key, documentation.warnings(request))
    if dry_run:
        return rehearse_request(request, settings, console)
    queue = open_queue(settings.queue_url)
    try:
        queued = queue.enqueue(request.key, payload(request), source, priority=Priority.URGENT)
        if queued.item.state in FINAL_STATES:
            console.print(
                f"{request.key} is already {queued.item.state} in the queue; not submitted again."
            )
            print_items(console, [queued.item], show_artifacts=True)
            return ExitCode.FAILED if queued.item.state == State.FAILED else ExitCode.OK
        resident = live_resident(queue) if queued.item.lease_owner is None else None
        if resident is not None:
            queue.prioritize(queued.item.id, Priority.URGENT)
            # Followed from the item as it was before the handover: the resident worker may
            # claim it (and count an attempt) before prioritize returns.
            handed = _hand_over(queue, queued.item, resident.name, settings, console)
            if handed is not None:
                return handed
        worker = worker_name()
        holder = this_process().text()
        item = queue.claim(worker, settings.lease_seconds, item_id=queued.item.id, holder=holder)
        if item is None:
            console.print(f"[red]error:[/] {request.key} is being processed by another worker")
            return ExitCode.FAILED
        return _submit_claimed(queue, item, worker, settings, console)
    finally:
        queue.close()


def _hand_over(
    queue: Queue, item: Item, resident: str, settings: Settings, console: Console
) -> ExitCode | None:
    """Follow the item in the resident worker's hands; None when it did not take it in time
    (the caller runs it itself)."""
    console.print(f"Handed to the resident worker {escape(resident)}.", soft_wrap=True)
    deadline = settings.item_deadline_s + PICKUP_WAIT_S
    with StepProgress(console, item.key) as progress:
        followed = follow(queue, item, progress, deadline)
    if not followed.picked_up:
        console.print("The resident worker did not take it in time; submitting it here.")
        return None
    done = followed.item
    print_items(console, [done], show_artifacts=True)
    if followed.timed_out:
        console.print(
            "[yellow]The resident worker is still on it;[/] `pa-bot status` shows how it ends."
        )
        return ExitCode.PORTAL_UNAVAILABLE
    if done.state not in FINAL_STATES:
        console.print(
            "[red]The resident worker gave it back[/] "
            f"({escape(done.error or 'no reason given')}); it stays queued and is tried again."
        )
        drifted = (done.error or "").startswith(f"{UiDrift.reason}: ")
        return ExitCode.UI_DRIFT if drifted else ExitCode.PORTAL_UNAVAILABLE
    return ExitCode.FAILED if done.state == State.FAILED else ExitCode.OK


def _submit_claimed(
    queue: Queue, item: Item, worker: str, settings: Settings, console: Console
) -> ExitCode:
    with StepProgress(console, item.key) as progress:
        try:
            gate = LoginGate(queue, credentials(settings), worker)
            gate.check()
            progress.step(Step.LOGIN)
            processed = asyncio.run(_process(queue, item, worker, settings, gate, progress))
        except LoginRejected as exc:
            queue.release(item.id, worker, error="login rejected")
            console.print(f"[red]login rejected:[/] {escape(log.redact(str(exc)))}")
            return ExitCode.LOGIN_REJECTED
        except ConfigError as exc:
            queue.release(item.id, worker, error="configuration error")
            console.print(f"[red]error:[/] {escape(str(exc))}")
            return ExitCode.USAGE
    if processed.stop is not None:
        label = STOP_LABELS.get(processed.stop, "error")
        console.print(f"[red]{label}:[/] {escape(processed.message or '')}")
        return processed.stop
    print_items(console, [processed.item], show_artifacts=True)
    if processed.portal_down:
        console.print(
            "[red]The portal is unavailable;[/] the request stays queued for a later run."
        )
    return exit_code_for(processed)


async def _process(
    queue: Queue,
    item: Item,
    worker: str,
    settings: Settings,
    gate: LoginGate,
    progress: StepProgress,
) -> Processed:
    async with open_browser(settings) as browser:
        session = await PortalSession.open(browser, settings, SharedLogin(gate, settings))
        try:
            return await process_until_settled(queue, session, item, worker, progress.step)
        finally:
            await session.close()


STOP_LABELS = {
    ExitCode.LOGIN_REJECTED: "login rejected",
    ExitCode.UI_DRIFT: "the portal's screens changed",
}


def exit_code_for(processed: Processed) -> ExitCode:
    """The exit code of one processed item, as DESIGN.md's contract gives it."""
    if processed.portal_down:
        return ExitCode.PORTAL_UNAVAILABLE
    return ExitCode.FAILED if processed.item.state == State.FAILED else ExitCode.OK
