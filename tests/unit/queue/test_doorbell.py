"""What wakes a resident worker: Postgres ``LISTEN``/``NOTIFY`` and SQLite's cheap poll, on a
real database; each rings for a new item or one given back, and a Postgres listener does not
ring for a heartbeat."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.queue import Queue
from bot.queue.doorbell import SQLITE_POLL_S, Doorbell, ring_on_new_items

LEASE = 60


async def rung_within(bell: Doorbell, seconds: float, action: Callable[[], object]) -> bool:
    """Whether the bell rang within ``seconds`` of ``action``."""
    loop = asyncio.get_running_loop()
    waiting = asyncio.create_task(bell.wait(seconds, asyncio.Event()))
    await asyncio.sleep(0)  # waiting before the action, so that no ring is missed
    started = loop.time()
    action()
    await waiting
    return loop.time() - started < seconds * 0.9


async def test_a_new_item_and_one_given_back_ring_the_doorbell(
    queue_url: str, connect: Callable[[str], Queue]
) -> None:
    queue = connect(queue_url)
    bell = Doorbell()
    troubles: list[str] = []
    listening = asyncio.create_task(ring_on_new_items(queue_url, bell, troubles.append))
    try:
        await asyncio.sleep(3 * SQLITE_POLL_S)  # listening (Postgres) or polling (SQLite) now
        assert not await rung_within(bell, 3 * SQLITE_POLL_S, lambda: None), "nothing queued"

        assert await rung_within(bell, 4 * SQLITE_POLL_S, lambda: queue.enqueue("a", "{}", "f#1"))

        claimed = queue.claim("w1", LEASE)
        assert claimed is not None
        beat = lambda: queue.heartbeat(claimed.id, "w1", LEASE)  # noqa: E731
        assert not await rung_within(bell, 3 * SQLITE_POLL_S, beat), "a heartbeat rings nothing"

        back = lambda: queue.release(claimed.id, "w1")  # noqa: E731
        assert await rung_within(bell, 4 * SQLITE_POLL_S, back)
        assert troubles == []
    finally:
        listening.cancel()


async def test_a_wait_ends_at_a_ring_at_a_stop_or_at_its_time() -> None:
    bell, stop = Doorbell(), asyncio.Event()

    loop = asyncio.get_running_loop()
    started = loop.time()
    await bell.wait(0.2, stop)
    assert loop.time() - started >= 0.2

    waiting = asyncio.create_task(bell.wait(30, stop))
    await asyncio.sleep(0)
    bell.ring()
    await asyncio.wait_for(waiting, 1)

    waiting = asyncio.create_task(bell.wait(30, stop))
    await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(waiting, 1)
