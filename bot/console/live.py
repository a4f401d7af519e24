"""A request's steps, live, as server-sent events: the request's page listens while the item is
being worked, and reloads itself once the item is final or given back (the finished page then
shows the Reference ID and the portal status). Without JavaScript the page refreshes itself.

The stream reads the item from the queue every ``STEPS_POLL_S`` (a poll: the worker writes its
step to the item as it starts it) and ends after ``STREAM_S``; the browser's ``EventSource``
opens a new one by itself, so that no stream outlives a closed tab for long.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sse_starlette.sse import EventSourceResponse

from bot.console.web import Signed, console_of
from bot.queue import FINAL_STATES, ItemNotFound
from bot.queue.console_store import ConsoleQueue
from bot.steps import step_label

STEPS_POLL_S = 0.5
"""How often a followed item is read from the queue."""
STREAM_S = 60.0
"""How long one stream lasts before the browser opens the next."""
PING_S = 15
"""A comment line this often, so that proxies keep the stream open."""


def live_routes(app: FastAPI) -> None:
    @app.get("/requests/{item_id}/steps")
    async def steps(request: Request, user: Signed, item_id: int) -> Response:
        queue = console_of(request).queue
        try:
            leased = queue.get(item_id).lease_owner is not None
        except ItemNotFound:
            return Response(status_code=404)
        return EventSourceResponse(_events(request, queue, item_id, leased), ping=PING_S)


async def _events(
    request: Request, queue: ConsoleQueue, item_id: int, leased: bool
) -> AsyncIterator[dict[str, str]]:
    """``step`` with a step's label as each one starts; ``state`` with the new state once the
    item is final or its worker gave it back (the page then reloads to show how it ended)."""
    shown_step: str | None = None
    async for _ in polls(request):
        item = queue.get(item_id)
        if item.step is not None and item.step != shown_step:
            shown_step = item.step
            yield {"event": "step", "data": step_label(item.step)}
        leased = leased or item.lease_owner is not None
        if item.state in FINAL_STATES or (leased and item.lease_owner is None):
            yield {"event": "state", "data": str(item.state)}
            return


async def polls(request: Request) -> AsyncIterator[None]:
    """A turn every ``STEPS_POLL_S``, until the stream's ``STREAM_S`` are over or the browser
    has gone: the schedule of every stream of the console."""
    ends = time.monotonic() + STREAM_S
    while time.monotonic() < ends and not await request.is_disconnected():
        yield
        await asyncio.sleep(STEPS_POLL_S)
