"""What wakes a resident worker when an item becomes claimable or a person asks for a follow-up,
without it asking the queue again and again: Postgres ``LISTEN`` (the queue sends ``NOTIFY`` on
enqueue, release and ask), SQLite a cheap poll (two ``COUNT``s every ``SQLITE_POLL_S``, for the
whole process, not per worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.queue import QueueError, open_queue
from bot.queue.base import QueueUnavailable
from bot.queue.eligibility import eligibility_queue
from bot.queue.follow_ups import follow_up_queue

SQLITE_POLL_S = 0.5
"""How often a resident worker on SQLite asks whether anything is claimable."""

RELISTEN_S = 5.0
"""How long a resident worker on Postgres waits before listening again after its listening
connection was lost (meanwhile it still looks at least every ``RESIDENT_RECHECK_S``)."""


class Doorbell:
    """Rung when new work may be there; idle workers wait on it (at most for a given time)."""

    def __init__(self) -> None:
        self._rung = asyncio.Event()

    def ring(self) -> None:
        rung, self._rung = self._rung, asyncio.Event()
        rung.set()

    async def wait(self, seconds: float, stop: asyncio.Event) -> None:
        """Until the next ring or ``stop``, at most ``seconds``."""
        waits = [asyncio.ensure_future(self._rung.wait()), asyncio.ensure_future(stop.wait())]
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()


async def ring_on_new_items(
    url: str,
    bell: Doorbell,
    on_trouble: Callable[[str], None],
    min_priority: Callable[[], int] | None = None,
) -> None:
    """Ring ``bell`` whenever an item (of ``min_priority`` or more) may have become claimable in
    the queue at ``url``; until cancelled. ``on_trouble`` hears of trouble with the queue (the
    text is safe to log)."""
    if url.startswith(("postgresql://", "postgres://")):
        await _listen(url, bell, on_trouble)
    else:
        await _poll(url, bell, on_trouble, min_priority)


async def _listen(url: str, bell: Doorbell, on_trouble: Callable[[str], None]) -> None:
    from bot.queue.postgres import listen

    while True:
        try:
            await listen(url, bell.ring)
        except QueueUnavailable as exc:
            on_trouble(str(exc))
        await asyncio.sleep(RELISTEN_S)


async def _poll(
    url: str,
    bell: Doorbell,
    on_trouble: Callable[[str], None],
    min_priority: Callable[[], int] | None,
) -> None:
    opened = open_queue(url)
    queue, checks = follow_up_queue(opened), eligibility_queue(opened)
    try:
        while True:
            try:
                floor = min_priority() if min_priority else 0
                asked = queue.open_follow_ups() or checks.open_eligibility()
                if queue.claimable_count(floor) or asked:
                    bell.ring()
            except QueueError as exc:
                on_trouble(str(exc))
            await asyncio.sleep(SQLITE_POLL_S)
    finally:
        queue.close()
