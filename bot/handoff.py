"""``pa-bot submit`` with a resident worker on the same queue: the request is queued as urgent,
the resident worker (already running, its browser open and logged in) takes it at once, and
``submit`` follows it from the queue, showing each step as the worker records it.

If no resident worker claims it within ``PICKUP_WAIT_S`` (it is busy with urgent requests of
others, or it died since it last said it was alive), ``submit`` takes the request back and runs
it itself, as it does when no resident worker runs at all.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.display import StepProgress
from bot.holder import Holder, is_gone
from bot.queue import FINAL_STATES, Item, Queue, Resident
from bot.resident import PRESENCE_FRESH_S
from bot.steps import Step, passed_between

FOLLOW_POLL_S = 0.2
"""How often a followed item is read from the queue."""

PICKUP_WAIT_S = 10.0
"""How long a resident worker may take to claim a handed-over request before ``submit`` runs it
itself."""


def live_resident(queue: Queue) -> Resident | None:
    """A resident worker seen alive lately (and, on this machine, whose process still runs)."""
    for resident in queue.residents(PRESENCE_FRESH_S):
        holder = Holder.parse(resident.holder)
        if holder is None or not is_gone(holder):
            return resident
    return None


@dataclass(frozen=True)
class Followed:
    """How following a handed-over item ended."""

    item: Item
    picked_up: bool
    """False: no resident worker claimed it in time; the caller runs it itself."""
    timed_out: bool = False
    """The worker still had it when ``deadline_s`` ran out."""


def follow(queue: Queue, item: Item, progress: StepProgress, deadline_s: float) -> Followed:
    """Show the item's steps until it ends (final, or given back to the queue by its worker),
    until nobody has claimed it after ``PICKUP_WAIT_S``, or until ``deadline_s``."""
    started = time.monotonic()
    attempts = item.attempts
    shown: Step | None = None
    while True:
        current = queue.get(item.id)
        claimed = current.attempts > attempts
        if current.step is not None and current.step != shown and claimed:
            seen = Step(current.step)
            for step in [*passed_between(shown, seen), seen]:
                progress.step(step)
            shown = seen
        if current.state in FINAL_STATES or (claimed and current.lease_owner is None):
            return Followed(current, picked_up=True)
        waited = time.monotonic() - started
        if not claimed and waited > PICKUP_WAIT_S:
            return Followed(current, picked_up=False)
        if waited > deadline_s:
            return Followed(current, picked_up=True, timed_out=True)
        time.sleep(FOLLOW_POLL_S)
