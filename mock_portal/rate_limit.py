"""The portal's rate limit (``RATE_LIMIT_PER_MINUTE``) and the rate it was asked at.

Like a payer's API gateway, the limit counts the requests of one session (its cookie; a request
without one counts for its client address) over the last 60 seconds. Past it, the request is
answered 429 with ``Retry-After``: the seconds until the oldest counted request leaves the window.
A refused request is not counted, so a client that waits as told gets in.

The busiest minute is kept too (every page and helper request the portal received, refused ones
included, all sessions together): the test oracle for a bot that promises to stay under a rate of
its own.
"""

from __future__ import annotations

import math
import threading
from collections import deque

WINDOW_S = 60.0


class RateLimiter:
    """Sliding one-minute windows per session, and the busiest one of all requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self.peak = 0

    def admit(self, key: str, limit: int, now: float) -> int | None:
        """None when the request may pass (and it is counted); else the ``Retry-After``
        seconds (at least 1). ``limit`` 0 admits everything."""
        with self._lock:
            _drop_before(self._all, now - WINDOW_S)
            self._all.append(now)
            self.peak = max(self.peak, len(self._all))
            if limit <= 0:
                return None
            window = self._by_key.setdefault(key, deque())
            _drop_before(window, now - WINDOW_S)
            if len(window) >= limit:
                return max(1, math.ceil(window[0] + WINDOW_S - now))
            window.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._by_key.clear()
            self._all.clear()
            self.peak = 0


def _drop_before(window: deque[float], start: float) -> None:
    while window and window[0] <= start:
        window.popleft()
