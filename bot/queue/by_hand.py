"""What people do to items by hand, through the queue's own transitions: retry a failed one,
cancel a pending one (the console), and reconcile every open one after a restore from a backup
(``pa-bot restored``). None can make a request be submitted twice: an item that was ever about to
be submitted, or may have been, goes to ``submitting``, and is looked up on the portal's Status
tab before anything is submitted again.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from bot.queue.base import Action, Item, State
from bot.queue.rows import NO_LEASE

if TYPE_CHECKING:
    from bot.queue.sql import Tx


class ByHandStore:
    """``Queue.retry``, ``cancel`` and ``restored`` over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def retry(self, item_id: int, actor: str) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            target = State.SUBMITTING if row["submitting_at"] else State.PENDING
            facts = {**NO_LEASE, "attempts": 0, "error": None, "available_at": None}
            item = tx.change(row, Action.RETRY, target, facts, actor)
            tx.ring()
            return item

    def restored(self, actor: str) -> list[Item]:
        with self._write() as tx:
            rows = tx.run(
                "SELECT * FROM items WHERE state IN (?, ?) ORDER BY id",
                (str(State.PENDING), str(State.IN_PROGRESS)),
            ).fetchall()
            moved = [
                tx.change(
                    row,
                    Action.RESTORED,
                    State.SUBMITTING,
                    {
                        **NO_LEASE,
                        "submitting_at": row["submitting_at"] or tx.stamp,
                        "clicked_at": tx.stamp,
                        "available_at": None,
                    },
                    actor,
                    note="restored from a backup: looked up on the portal before any Submit",
                )
                for row in rows
            ]
            if moved:
                tx.ring()
        return moved

    def cancel(self, item_id: int, actor: str) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            return tx.change(row, Action.CANCEL, State.CANCELLED, {"available_at": None}, actor)
