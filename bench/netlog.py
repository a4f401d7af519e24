"""What the browser waited for: every HTTP exchange with Chromium's timing and the portal's
``Server-Timing: app;dur=<ms>``, added up over a window of time.

Listeners only read what Playwright already sends to the client with each event
(``response.headers``, ``request.timing``): no extra round trip to the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.async_api import BrowserContext as AsyncContext
from playwright.async_api import Request as AsyncRequest
from playwright.async_api import Response as AsyncResponse
from playwright.sync_api import BrowserContext as SyncContext
from playwright.sync_api import Request as SyncRequest
from playwright.sync_api import Response as SyncResponse

Request = AsyncRequest | SyncRequest
Response = AsyncResponse | SyncResponse

_APP_DUR = re.compile(r"(?:^|,)\s*app;dur=([\d.]+)")


@dataclass(frozen=True)
class Exchange:
    """One request as the browser saw it: epoch milliseconds, and the portal's own share."""

    start_ms: float
    end_ms: float
    portal_ms: float
    resource_type: str


@dataclass(frozen=True)
class Share:
    """A window's time split: the portal's own, the rest of the browser's wait, the exchanges."""

    portal_ms: float
    network_ms: float
    exchanges: int


def app_duration(header: str | None) -> float:
    """The ``app`` metric of a Server-Timing header in ms (0 when absent)."""
    found = _APP_DUR.search(header or "")
    return float(found.group(1)) if found else 0.0


@dataclass
class NetLog:
    """Collects exchanges from every page of the contexts it is attached to."""

    exchanges: list[Exchange] = field(default_factory=list)
    _portal_ms: dict[Request, float] = field(default_factory=dict)

    def attach(self, context: AsyncContext | SyncContext) -> None:
        context.on("response", self._on_response)
        context.on("requestfinished", self._on_finished)

    def _on_response(self, response: Response) -> None:
        self._portal_ms[response.request] = app_duration(response.headers.get("server-timing"))

    def _on_finished(self, request: Request) -> None:
        timing = request.timing
        start = timing["startTime"]
        self.exchanges.append(
            Exchange(
                start_ms=start,
                end_ms=start + max(timing["responseEnd"], 0.0),
                portal_ms=self._portal_ms.pop(request, 0.0),
                resource_type=request.resource_type,
            )
        )

    def share(self, start_s: float, end_s: float) -> Share:
        """The exchanges that began in ``[start_s, end_s)`` (epoch seconds).

        Portal time is the sum of their Server-Timing durations; network wait is the time at
        least one of them was in flight (overlaps counted once) minus the portal's time.
        """
        chosen = [e for e in self.exchanges if start_s * 1000 <= e.start_ms < end_s * 1000]
        portal = sum(e.portal_ms for e in chosen)
        return Share(
            portal_ms=portal,
            network_ms=max(_covered(chosen) - portal, 0.0),
            exchanges=len(chosen),
        )


def _covered(exchanges: list[Exchange]) -> float:
    """The length of the union of the exchanges' in-flight intervals, in ms."""
    total = 0.0
    reach = float("-inf")
    for exchange in sorted(exchanges, key=lambda e: e.start_ms):
        begin = max(exchange.start_ms, reach)
        if exchange.end_ms > begin:
            total += exchange.end_ms - begin
        reach = max(reach, exchange.end_ms)
    return total
