"""The machine's pace on the portal: ``PA_BOT_MAX_REQUESTS_PER_MINUTE``, and the portal's 429s.

Two schedules a protocol names, kept here and nowhere else:

* **pacing**: with a limit set, every page and helper request of every browser context of the
  process takes a turn (``turn``, from the session's route): evenly spaced, ``60 / limit``
  seconds apart, and never more than ``limit`` in any minute, so the portal sees neither a
  burst nor more than the practice allows;
* **holding**: a 429 answer's ``Retry-After`` holds the machine: the portal counts the account's
  session, which every context shares, so each request's next attempt waits it out
  (``wait_out``, from the flow) instead of knocking again.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from bot.log import get_logger

log = get_logger(__name__)

WINDOW_S = 60.0
"""The span a per-minute limit counts over."""

MARGIN_S = 0.5
"""Added to the window: the portal's clock sees a request a little after the bot sent it."""

DEFAULT_RETRY_AFTER_S = 30.0
"""The wait after a 429 that names none (or names one the bot cannot read)."""

MAX_RETRY_AFTER_S = 300.0
"""The longest one 429 holds the machine; the item's own deadline bounds the rest."""


class Throttle:
    """The pace of one process's portal requests, all its contexts together."""

    def __init__(self, per_minute: int | None) -> None:
        self.per_minute = per_minute
        self._sent: deque[float] = deque()
        self._next = 0.0
        self._turns = asyncio.Lock()
        self._hold_until = 0.0
        self.limited = 0
        """429 answers seen."""
        self.longest_s = 0.0
        """The longest hold one of them asked for."""
        self._last_limited = -math.inf

    @property
    def pacing(self) -> bool:
        return bool(self.per_minute)

    async def turn(self, requests: int = 1) -> None:
        """Wait for the turn of ``requests`` requests under the machine's limit (no wait
        without one); the request is sent at the last one's slot.

        The lock is fair, so requests go in the order they came. A request is sent at its slot
        or up to one interval later (its redirect, sent by the browser), so the last ``limit``
        slots span a minute, the margin and one interval."""
        if not self.per_minute:
            return
        interval = WINDOW_S / self.per_minute
        async with self._turns:
            for _ in range(requests):
                now = time.monotonic()
                slot = max(now, self._next)
                if len(self._sent) >= self.per_minute:
                    slot = max(slot, self._sent[0] + WINDOW_S + MARGIN_S + interval)
                if slot > now:
                    await asyncio.sleep(slot - now)
                self._sent.append(slot)
                while len(self._sent) > self.per_minute:
                    self._sent.popleft()
                self._next = slot + interval

    def limited_by_portal(self, retry_after: str | None) -> None:
        """A 429 arrived: hold the machine as long as its ``Retry-After`` says."""
        wait = min(_seconds(retry_after), MAX_RETRY_AFTER_S)
        now = time.monotonic()
        self.limited += 1
        self.longest_s = max(self.longest_s, wait)
        self._last_limited = now
        self._hold_until = max(self._hold_until, now + wait)
        log.warning("rate_limited", retry_after=round(wait, 1))

    def mark(self) -> float:
        """Now, for ``limited_since``."""
        return time.monotonic()

    def limited_since(self, mark: float) -> bool:
        """Whether a 429 arrived after ``mark``: a lookup that "kept failing" was refused for
        the rate, not because the portal is down."""
        return self._last_limited >= mark

    def hold_left(self) -> float:
        return max(0.0, self._hold_until - time.monotonic())

    async def wait_out(self) -> None:
        """Until the portal's last ``Retry-After`` has passed."""
        left = self.hold_left()
        if left > 0:
            log.info("rate_limit_wait", seconds=round(left, 1))
            await asyncio.sleep(left)


def rate_warnings(throttle: Throttle) -> list[str]:
    """The morning report's word on the portal's rate limit, when it was met."""
    if not throttle.limited:
        return []
    advice = (
        "lower PA_BOT_MAX_REQUESTS_PER_MINUTE"
        if throttle.pacing
        else "set PA_BOT_MAX_REQUESTS_PER_MINUTE below the portal's limit"
    )
    return [
        f"The portal limited the rate {throttle.limited} time(s) (429 Too Many Requests, "
        f"waits of up to {throttle.longest_s:.0f} s); the bot waited as told and no request "
        f"failed for it. To spare the waits, {advice}."
    ]


def _seconds(retry_after: str | None) -> float:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    text = (retry_after or "").strip()
    if not text:
        return DEFAULT_RETRY_AFTER_S
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER_S
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
