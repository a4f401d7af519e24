"""A worker's heartbeat: keeps the lease of the item it holds alive beside the flow.

Leases are short (``PA_BOT_LEASE_SECONDS``, 30 s) so that a dead worker's item on another
machine comes back within seconds. A heartbeat sent only between the flow's steps would let the
lease run out during one slow step (a Submit that takes a minute), and another worker would then
take the item over mid-Submit. So a thread beats on its own connection to the queue (opened at
its first beat: most items are done before it) every third of the lease, whatever the flow is
doing. A lost lease is the flow's to notice: its journal's next step and the write before Submit
check the lease themselves and stop the flow.
"""

from __future__ import annotations

import threading
from types import TracebackType

from bot.log import get_logger
from bot.queue import IllegalTransition, LeaseLost, Queue, QueueError, open_queue

log = get_logger(__name__)

BEATS_PER_LEASE = 3
"""How many heartbeats fit in one lease: two may be lost before the lease runs out."""


class Heartbeat:
    """A daemon thread that renews one item's lease for the life of the block."""

    def __init__(self, queue_url: str, item_id: int, worker: str, lease_seconds: float) -> None:
        self.item_id = item_id
        self.worker = worker
        self.lease_seconds = lease_seconds
        self._queue_url = queue_url
        self._queue: Queue | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{worker}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=self.lease_seconds)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.lease_seconds / BEATS_PER_LEASE):
                if not self._renew():
                    return
        finally:
            if self._queue is not None:
                self._queue.close()

    def _renew(self) -> bool:
        """One beat; False when the item is no longer this worker's (nothing more to keep)."""
        try:
            if self._queue is None:
                self._queue = open_queue(self._queue_url)
            self._queue.heartbeat(self.item_id, self.worker, self.lease_seconds)
        except (LeaseLost, IllegalTransition):
            log.warning("lease_lost_in_heartbeat")
            return False
        except QueueError as exc:
            # The next beat tries again; the flow meets the same trouble at its next write and
            # stops the worker (QueueUnavailable) if it lasts.
            log.warning("heartbeat_failed", error=type(exc).__name__)
            if self._queue is not None:
                self._queue.close()
                self._queue = None
        return True
