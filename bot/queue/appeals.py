"""Appeals of a denied or partially approved request (schema.sql's ``appeals``), kept apart from
the item's state: the item stays ``submitted`` with the portal's status, and its appeal moves on
its own, one row per change, so the rows are the appeal's history.

``prepared`` (``pa-bot appeal`` wrote the packet) → ``filed`` (staff sent it to the payer) →
``overturned`` or ``upheld`` (the payer's answer); or ``declined`` before it is filed (the
practice accepts the decision). Preparing again is allowed until it is filed (a new packet after
more documents came in); an appeal may be filed without a packet of ours.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol, cast

from bot.queue.base import IllegalTransition, Queue, State

if TYPE_CHECKING:
    from bot.queue.rows import Row
    from bot.queue.sql import Tx


class AppealState(StrEnum):
    PREPARED = "prepared"
    FILED = "filed"
    OVERTURNED = "overturned"
    UPHELD = "upheld"
    DECLINED = "declined"
    """The practice accepts the decision and does not appeal (nothing filed)."""


APPEALABLE: Final = ("denied", "partially_approved")
"""The portal statuses an appeal is for."""
NEXT: Final[dict[AppealState | None, tuple[AppealState, ...]]] = {
    None: (AppealState.PREPARED, AppealState.FILED, AppealState.DECLINED),
    AppealState.PREPARED: (AppealState.PREPARED, AppealState.FILED, AppealState.DECLINED),
    AppealState.FILED: (AppealState.OVERTURNED, AppealState.UPHELD),
    AppealState.OVERTURNED: (),
    AppealState.UPHELD: (),
    AppealState.DECLINED: (),
}
"""What an appeal in each state (None: no appeal yet) may become."""
OPEN: Final = (None, AppealState.PREPARED)
"""Appeal states in which the appeal deadline still matters: nothing filed yet."""


@dataclass(frozen=True)
class AppealEvent:
    """One change of an item's appeal."""

    id: int
    item_id: int
    state: AppealState
    at: datetime
    actor: str


class AppealRecords(Protocol):
    """The appeals, in the queue's database."""

    def record_appeal(self, item_id: int, state: AppealState, actor: str) -> AppealEvent:
        """The item's appeal moved to ``state``; ``IllegalTransition`` (saying why) when the
        item is not a denied or cut request, or its appeal cannot go there from where it is."""

    def appeal_history(self, item_id: int) -> list[AppealEvent]:
        """The item's appeal, oldest change first (empty: no appeal)."""

    def appeal_states(self) -> dict[int, AppealState]:
        """Each appealed item's current appeal state, by item id."""


class AppealQueue(Queue, AppealRecords, Protocol):
    """A queue whose database keeps appeals too (every backend's)."""


def appeal_queue(queue: Queue) -> AppealQueue:
    """``queue`` as the appeal commands, the report and the console see its appeals."""
    if not isinstance(queue, AppealStore):
        raise TypeError(f"{type(queue).__name__} keeps no appeals")
    return cast(AppealQueue, queue)


class AppealStore:
    """``AppealRecords`` over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def record_appeal(self, item_id: int, state: AppealState, actor: str) -> AppealEvent:
        with self._write() as tx:
            item = tx.fetch(item_id)
            if item["state"] != State.SUBMITTED or item["portal_status"] not in APPEALABLE:
                raise IllegalTransition(
                    f"item {item_id} is {item['state']} ({item['portal_status'] or 'no status'}):"
                    " only a denied or partially approved request can be appealed"
                )
            last = tx.run(
                "SELECT state FROM appeals WHERE item_id = ? ORDER BY id DESC LIMIT 1",
                (item_id,),
            ).fetchone()
            now = AppealState(last["state"]) if last else None
            if state not in NEXT[now]:
                allowed = ", ".join(NEXT[now]) or "nothing: it is decided"
                raise IllegalTransition(
                    f"the appeal of item {item_id} is {now or 'not started'}; it can become "
                    f"{allowed}, not {state}"
                )
            row = tx.run(
                "INSERT INTO appeals (item_id, state, at, actor) VALUES (?, ?, ?, ?) RETURNING *",
                (item_id, str(state), tx.stamp, actor),
            ).fetchone()
        return _event_of(row)

    def appeal_history(self, item_id: int) -> list[AppealEvent]:
        with self._write() as tx:
            rows = tx.run(
                "SELECT * FROM appeals WHERE item_id = ? ORDER BY id", (item_id,)
            ).fetchall()
        return [_event_of(row) for row in rows]

    def appeal_states(self) -> dict[int, AppealState]:
        with self._write() as tx:
            rows = tx.run(
                "SELECT item_id, state FROM appeals WHERE id IN"
                " (SELECT MAX(id) FROM appeals GROUP BY item_id)"
            ).fetchall()
        return {int(row["item_id"]): AppealState(row["state"]) for row in rows}


def _event_of(row: Row) -> AppealEvent:
    return AppealEvent(
        id=int(row["id"]),
        item_id=int(row["item_id"]),
        state=AppealState(row["state"]),
        at=datetime.fromisoformat(row["at"]),
        actor=row["actor"],
    )
