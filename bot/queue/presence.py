"""The resident workers' statements: one row per running ``pa-bot worker`` in ``workers``.

A resident worker announces itself every few seconds and withdraws when it stops; one that died
without withdrawing is simply not seen again. ``pa-bot submit`` reads the rows to decide whether
to hand its request over (``bot.handoff``).
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.queue.base import Resident, to_text

if TYPE_CHECKING:
    from bot.queue.sql import Tx


class PresenceStore:
    """The ``Queue`` protocol's ``announce``, ``withdraw`` and ``residents``."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def announce(self, name: str, holder: str, contexts: int) -> None:
        with self._write() as tx:
            tx.run(
                "INSERT INTO workers (name, holder, contexts, started_at, seen_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE"
                " SET holder = excluded.holder, contexts = excluded.contexts,"
                " seen_at = excluded.seen_at",
                (name, holder, contexts, tx.stamp, tx.stamp),
            )

    def withdraw(self, name: str) -> None:
        with self._write() as tx:
            tx.run("DELETE FROM workers WHERE name = ?", (name,))

    def residents(self, fresh_seconds: float) -> list[Resident]:
        with self._write() as tx:
            since = to_text(tx.now - timedelta(seconds=fresh_seconds))
            rows = tx.run(
                "SELECT * FROM workers WHERE seen_at >= ? ORDER BY started_at", (since,)
            ).fetchall()
        return [
            Resident(
                name=row["name"],
                holder=row["holder"],
                contexts=row["contexts"],
                started_at=datetime.fromisoformat(row["started_at"]),
                seen_at=datetime.fromisoformat(row["seen_at"]),
            )
            for row in rows
        ]
