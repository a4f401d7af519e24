"""Follow-ups a person asks for from the console: "Follow up now" on a request still waiting for
the payer's decision, "Add an attachment owed" on a pended one (schema.sql's ``follow_ups``).

A resident worker takes each in turn, like an item (one worker at a time, under a lease, so that
a worker that dies leaves it to the next), looks the request up on the portal's Status tab,
records what it finds and uploads the attachment given (``bot.followup.follow_asked``). Asking
needs nothing of the portal, only the request's state: the same transaction that reads the item
records the ask, so a request that is no longer waiting cannot be asked about.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol, cast

from bot.queue.base import IllegalTransition, Queue, State, to_text

if TYPE_CHECKING:
    from bot.queue.rows import Row
    from bot.queue.sql import Tx

UNDECIDED = ("pended", "no_decision_yet")
"""The portal statuses a follow-up can change."""


@dataclass(frozen=True)
class FollowUpAsk:
    """One follow-up asked for, and what became of it."""

    id: int
    item_id: int
    asked_at: datetime
    asked_by: str
    attachment: str | None
    """The file to upload with it (under ``ARTIFACTS_DIR``), if any."""
    taken_by: str | None
    taken_until: datetime | None
    done_at: datetime | None
    error: str | None
    """Why it could not be done; None when it was (or is not done yet)."""


class FollowUpRecords(Protocol):
    """The follow-ups asked for, in the queue's database."""

    def ask_follow_up(self, item_id: int, actor: str, attachment: str | None = None) -> FollowUpAsk:
        """A follow-up of a submitted request still undecided (with an attachment: a pended
        one); ``IllegalTransition`` otherwise. A plain ask while one is open is that one."""

    def take_follow_up(self, worker: str, lease_seconds: float) -> FollowUpAsk | None:
        """The oldest open ask no live worker holds, now held by ``worker``."""

    def end_follow_up(self, ask_id: int, worker: str, error: str | None) -> FollowUpAsk:
        """The ask done (``error`` None) or given up with its reason."""

    def follow_ups(self, item_id: int) -> list[FollowUpAsk]:
        """The item's asks, oldest first."""

    def open_follow_ups(self) -> int:
        """How many asks wait for a worker (the resident worker's cheap poll)."""


class FollowUpQueue(Queue, FollowUpRecords, Protocol):
    """A queue whose database keeps follow-ups too (every backend's)."""


def follow_up_queue(queue: Queue) -> FollowUpQueue:
    """``queue`` as the resident worker and the console see its follow-ups."""
    if not isinstance(queue, FollowUpStore):
        raise TypeError(f"{type(queue).__name__} keeps no follow-ups")
    return cast(FollowUpQueue, queue)


_WAITING = "done_at IS NULL AND (taken_until IS NULL OR taken_until <= ?)"


class FollowUpStore:
    """``FollowUpRecords`` over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def ask_follow_up(self, item_id: int, actor: str, attachment: str | None = None) -> FollowUpAsk:
        with self._write() as tx:
            item = tx.fetch(item_id)
            wanted = ("pended",) if attachment else UNDECIDED
            if item["state"] != State.SUBMITTED or item["portal_status"] not in wanted:
                raise IllegalTransition(
                    f"item {item_id} is {item['state']} ({item['portal_status'] or 'no status'}):"
                    " only a submitted request "
                    + ("pended" if attachment else "undecided")
                    + " can be followed up"
                )
            if attachment is None:
                open_ask = tx.run(
                    "SELECT * FROM follow_ups WHERE item_id = ? AND done_at IS NULL"
                    " AND attachment IS NULL ORDER BY id LIMIT 1",
                    (item_id,),
                ).fetchone()
                if open_ask is not None:
                    return _ask_of(open_ask)
            row = tx.run(
                "INSERT INTO follow_ups (item_id, asked_at, asked_by, attachment)"
                " VALUES (?, ?, ?, ?) RETURNING *",
                (item_id, tx.stamp, actor, attachment),
            ).fetchone()
            tx.ring()
        return _ask_of(row)

    def take_follow_up(self, worker: str, lease_seconds: float) -> FollowUpAsk | None:
        with self._write() as tx:
            until = to_text(tx.now + timedelta(seconds=lease_seconds))
            row = tx.run(
                # The condition again outside: a worker that took it meanwhile wins.
                "UPDATE follow_ups SET taken_by = ?, taken_until = ? WHERE id = ("
                f" SELECT id FROM follow_ups WHERE {_WAITING} ORDER BY id LIMIT 1"
                f") AND {_WAITING} RETURNING *",
                (worker, until, tx.stamp, tx.stamp),
            ).fetchone()
        return None if row is None else _ask_of(row)

    def end_follow_up(self, ask_id: int, worker: str, error: str | None) -> FollowUpAsk:
        with self._write() as tx:
            row = tx.run(
                "UPDATE follow_ups SET done_at = ?, error = ?, taken_until = NULL"
                " WHERE id = ? AND taken_by = ? AND done_at IS NULL RETURNING *",
                (tx.stamp, error, ask_id, worker),
            ).fetchone()
            if row is None:
                raise IllegalTransition(f"follow-up {ask_id} is not {worker}'s to end")
        return _ask_of(row)

    def follow_ups(self, item_id: int) -> list[FollowUpAsk]:
        with self._write() as tx:
            rows = tx.run(
                "SELECT * FROM follow_ups WHERE item_id = ? ORDER BY id", (item_id,)
            ).fetchall()
        return [_ask_of(row) for row in rows]

    def open_follow_ups(self) -> int:
        with self._write() as tx:
            found = tx.run(
                f"SELECT COUNT(*) AS n FROM follow_ups WHERE {_WAITING}", (tx.stamp,)
            ).fetchone()
        return int(found["n"])


def _ask_of(row: Row) -> FollowUpAsk:
    return FollowUpAsk(
        id=int(row["id"]),
        item_id=int(row["item_id"]),
        asked_at=datetime.fromisoformat(row["asked_at"]),
        asked_by=row["asked_by"],
        attachment=row["attachment"],
        taken_by=row["taken_by"],
        taken_until=datetime.fromisoformat(row["taken_until"]) if row["taken_until"] else None,
        done_at=datetime.fromisoformat(row["done_at"]) if row["done_at"] else None,
        error=row["error"],
    )
