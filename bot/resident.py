"""``pa-bot worker``: the resident worker. The engine, kept running: it picks up each request as
it is queued (urgent first), says in the queue that it is alive so that ``pa-bot submit`` can
hand it a request (``bot.handoff``), and stops on SIGTERM or Ctrl-C, giving the items in flight
``STOP_GRACE_S`` to finish before it gives them back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from rich.console import Console
from rich.markup import escape

from bot import log
from bot.config import Settings
from bot.engine import Engine
from bot.errors import ExitCode
from bot.holder import this_process
from bot.hours import Hours
from bot.queue import FINAL_STATES, Item, Priority, QueueError, open_queue
from bot.queue.doorbell import Doorbell, ring_on_new_items
from bot.runner import run_engine
from bot.worker import worker_name

logger = log.get_logger(__name__)

PRESENCE_S = 5.0
"""How often a resident worker says in the queue that it is alive."""

PRESENCE_FRESH_S = 3 * PRESENCE_S
"""How recently a resident worker must have said so to be handed a request: two missed in a
row are allowed for."""


def serve_queue(settings: Settings, console: Console, *, workers: int) -> ExitCode:
    """Work the queue as requests arrive, until stopped; the exit code of how it ended."""
    console.print(
        f"Resident worker {worker_name()}: {workers} worker(s) on the queue; waiting for "
        "requests (SIGTERM or Ctrl-C stops it).",
        soft_wrap=True,
    )

    def on_item(item: Item) -> None:
        if item.state in FINAL_STATES:
            said = f" ({item.portal_status})" if item.portal_status else ""
            console.print(f"{escape(item.key)}: {item.state}{said}", soft_wrap=True)

    bell = Doorbell()
    floor = hours_floor(settings.resident_hours)
    if settings.resident_hours:
        console.print(
            f"Queued requests are taken {settings.resident_hours} (PA_BOT_RESIDENT_HOURS); "
            "urgent ones at any time."
        )
    engine = Engine(settings, workers, on_item=on_item, wait_for_new=bell.wait, min_priority=floor)
    codes = asyncio.run(_resident(engine, bell))
    stops = (
        ExitCode.USAGE,
        ExitCode.LOGIN_REJECTED,
        ExitCode.UI_DRIFT,
        ExitCode.PORTAL_UNAVAILABLE,
    )
    for code in stops:
        if code in codes:
            console.print(f"[red]The resident worker stopped:[/] {code.name.lower()}; see the log.")
            return code
    console.print("The resident worker stopped.")
    return ExitCode.OK


async def _resident(engine: Engine, bell: Doorbell) -> list[ExitCode]:
    url = engine.settings.queue_url

    def trouble(text: str) -> None:
        logger.warning("doorbell_trouble", error=text)

    helpers = [
        asyncio.create_task(
            ring_on_new_items(url, bell, trouble, engine.min_priority), name="doorbell"
        ),
        asyncio.create_task(_announce(url, engine.workers), name="presence"),
    ]
    try:
        return await run_engine(engine)
    finally:
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)


def hours_floor(hours: str | None) -> Callable[[], int] | None:
    """The least priority a claim takes now: urgent only outside ``PA_BOT_RESIDENT_HOURS``."""
    if hours is None:
        return None
    span = Hours.parse(hours)

    def floor() -> int:
        return 0 if span.open_at(datetime.now()) else int(Priority.URGENT)

    return floor


async def _announce(url: str, contexts: int) -> None:
    """Say every ``PRESENCE_S`` that this resident worker is alive; withdraw when cancelled."""
    name, holder = worker_name(), this_process().text()
    queue = open_queue(url)
    try:
        while True:
            try:
                queue.announce(name, holder, contexts)
            except QueueError as exc:
                logger.warning("presence_not_written", error=str(exc))
            await asyncio.sleep(PRESENCE_S)
    finally:
        with contextlib.suppress(QueueError):
            queue.withdraw(name)
        queue.close()
