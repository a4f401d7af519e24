"""What the SQL backends share: every queue operation, written once, over a small dialect.

The operations are the same in SQLite and Postgres: read the row (locked), check the move against
``TRANSITIONS`` and the lease, then an UPDATE guarded by the state and lease owner as read, and a
line in the history, all in one transaction whose time is read once. A backend supplies the
connection, the transaction and that time (``SqlQueue._write``), its errors (``_guard``) and a
``Dialect``: how it locks rows and how it writes parameters.

Statements are written in SQLite's style (``?`` parameters, ``IS ?`` for a comparison that
matches NULL); ``Dialect.sql`` rewrites them for the Postgres driver.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.queue.appeals import AppealStore
from bot.queue.base import (
    FINAL_STATES,
    LEASED_STATES,
    Action,
    Enqueued,
    Event,
    IllegalTransition,
    Item,
    ItemNotFound,
    LeaseLost,
    Priority,
    State,
    is_legal,
    to_text,
)
from bot.queue.by_hand import ByHandStore
from bot.queue.console_store import ConsoleStore
from bot.queue.eligibility import EligibilityStore
from bot.queue.follow_ups import FollowUpStore
from bot.queue.gate import GateStore
from bot.queue.presence import PresenceStore
from bot.queue.rows import NO_LEASE, Row, check_holder, event_of, item_of


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...


class Connection(Protocol):
    """What the operations need of a DB-API connection (sqlite3's, psycopg's)."""

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    """How a backend differs in the statements the operations run."""

    lock_row: str
    """Appended to a SELECT of the row an operation will change (Postgres: ``FOR UPDATE``)."""
    skip_locked: str
    """Appended to the claim's SELECT, so that concurrent claims pass each other by."""
    pyformat: bool = False
    """The driver takes ``%s`` parameters (psycopg) instead of ``?`` (sqlite3)."""
    notify: str = ""
    """Run when an item becomes claimable, to wake resident workers at once (Postgres:
    ``NOTIFY``, sent when the transaction commits); empty: they poll instead."""

    def sql(self, statement: str) -> str:
        if not self.pyformat:
            return statement
        # No statement here holds a literal "?" or "%": the rewrite cannot touch anything else.
        return statement.replace(" IS ?", " IS NOT DISTINCT FROM ?").replace("?", "%s")


_CLAIMABLE = """
    SELECT * FROM items
    WHERE state IN ('pending', 'in_progress', 'submitting')
      AND (state = 'pending' OR lease_expires_at IS NULL OR lease_expires_at <= ?)
      AND (CAST(? AS INTEGER) IS NULL OR id = ?)
      AND (CAST(? AS INTEGER) IS NOT NULL OR available_at IS NULL OR available_at <= ?)
      AND priority >= ?
"""
"""Claimable items of a priority at least the one given; one named by id is handed out whether
set aside or not."""


@dataclass(frozen=True)
class Tx:
    """A write transaction: the connection, the dialect, and the one moment its writes carry."""

    db: Connection
    dialect: Dialect
    now: datetime

    @property
    def stamp(self) -> str:
        return to_text(self.now)

    def run(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        return self.db.execute(self.dialect.sql(statement), params)

    def fetch(self, item_id: int) -> Row:
        """The row, locked until the transaction ends; ``ItemNotFound`` if there is none."""
        row: Row | None = self.run(
            "SELECT * FROM items WHERE id = ?" + self.dialect.lock_row, (item_id,)
        ).fetchone()
        if row is None:
            raise ItemNotFound(f"no queue item has id {item_id}")
        return row

    def fetch_key(self, key: str) -> Row:
        row: Row = self.run("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return row

    def claimable(self, item_id: int | None, min_priority: int = 0) -> Row | None:
        row: Row | None = self.run(
            _CLAIMABLE + " ORDER BY priority DESC, id LIMIT 1" + self.dialect.skip_locked,
            (self.stamp, item_id, item_id, item_id, self.stamp, int(min_priority)),
        ).fetchone()
        return row

    def insert(
        self,
        key: str,
        state: State,
        payload: str,
        source: str,
        error: str | None,
        priority: int = Priority.STANDARD,
    ) -> Row | None:
        """A new item, or None when the key exists (the existing item is left as it is)."""
        row: Row | None = self.run(
            "INSERT INTO items"
            " (key, state, payload, source, error, priority, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING *",
            (key, str(state), payload, source, error, int(priority), self.stamp, self.stamp),
        ).fetchone()
        return row

    def ring(self) -> None:
        """Wake resident workers when this transaction commits (where the dialect can)."""
        if self.dialect.notify:
            self.run(self.dialect.notify)

    def change(
        self,
        row: Row,
        action: Action,
        target: State,
        facts: Mapping[str, object],
        worker: str | None = None,
        must_hold: bool = False,
        *,
        note: str | None = None,
    ) -> Item:
        """Move ``row`` to ``target`` if the table allows it (and, with ``must_hold``, if ``worker``
        holds the lease), guarded by the state and owner as read; log the move."""
        current = State(row["state"])
        if not is_legal(action, current, target):
            raise IllegalTransition(
                f"item {row['id']} is {current}: {action} cannot make it {target}"
            )
        if must_hold:
            check_holder(row, worker)
        values = {**facts, "state": str(target), "updated_at": self.stamp}
        assignments = ", ".join(f"{column} = ?" for column in values)
        updated: Row | None = self.run(
            f"UPDATE items SET {assignments} WHERE id = ? AND state = ? AND lease_owner IS ?"
            " RETURNING *",
            (*values.values(), row["id"], row["state"], row["lease_owner"]),
        ).fetchone()
        if updated is None:
            raise LeaseLost(f"item {row['id']} changed hands while {action} was writing it")
        self.log(updated, action, current, worker, note)
        return item_of(updated)

    def log(
        self, row: Row, action: Action, previous: State | None, worker: str | None, note: str | None
    ) -> None:
        self.run(
            "INSERT INTO item_events"
            " (item_id, happened_at, action, from_state, to_state, worker, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["id"], self.stamp, str(action), previous, row["state"], worker, note),
        )


class SqlQueue(
    GateStore,
    PresenceStore,
    ConsoleStore,
    FollowUpStore,
    AppealStore,
    EligibilityStore,
    ByHandStore,
    ABC,
):
    """The ``Queue`` operations over a backend's connection, transactions and dialect."""

    dialect: Dialect

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]:
        """One write transaction, committed (durably) on a clean exit, rolled back otherwise."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Connection]:
        """The connection, for reads; the backend's operational errors as ``QueueUnavailable``."""

    # -- writing ---------------------------------------------------------------------------

    def enqueue(
        self, key: str, payload: str, source: str, *, priority: int = Priority.STANDARD
    ) -> Enqueued:
        with self._write() as tx:
            row = tx.insert(key, State.PENDING, payload, source, None, priority)
            if row is None:
                return Enqueued(item_of(tx.fetch_key(key)), created=False)
            tx.log(row, Action.ENQUEUE, None, None, None)
            tx.ring()
        return Enqueued(item_of(row), created=True)

    def prioritize(self, item_id: int, priority: int) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            if State(row["state"]) in FINAL_STATES or row["priority"] >= priority:
                return item_of(row)
            raised: Row = tx.run(
                "UPDATE items SET priority = ? WHERE id = ? RETURNING *", (int(priority), item_id)
            ).fetchone()
            tx.ring()
        return item_of(raised)

    def claimable_count(self, min_priority: int = 0) -> int:
        with self._write() as tx:  # the write lock only orders it after commits in flight
            found = tx.run(
                "SELECT COUNT(*) AS n FROM (" + _CLAIMABLE + ") AS claimable",
                (tx.stamp, None, None, None, tx.stamp, int(min_priority)),
            ).fetchone()
        return int(found["n"])

    def add_invalid(self, raw: str, source: str, errors: list[str]) -> Item:
        # A digest, not a random id: enqueueing the same bad file again stores nothing new.
        key = "invalid-" + hashlib.sha256(f"{source}\n{raw}".encode()).hexdigest()[:16]
        error = "; ".join(errors) or "invalid request"
        with self._write() as tx:
            row = tx.insert(key, State.INVALID, raw, source, error)
            if row is None:
                return item_of(tx.fetch_key(key))
            tx.log(row, Action.ADD_INVALID, None, None, error)
        return item_of(row)

    def claim(
        self,
        worker: str,
        lease_seconds: float,
        *,
        item_id: int | None = None,
        holder: str | None = None,
        min_priority: int = 0,
    ) -> Item | None:
        with self._write() as tx:
            row = tx.claimable(item_id, min_priority)
            if row is None:
                return None
            current, previous = State(row["state"]), row["lease_owner"]
            lease = {
                "lease_owner": worker,
                "lease_expires_at": to_text(tx.now + timedelta(seconds=lease_seconds)),
                # Every claim counts, a dead worker's item taken over too: a request that kills
                # its worker each time shows its attempts climbing instead of looping unseen.
                "attempts": row["attempts"] + 1,
                "holder": holder,
                "available_at": None,
                "step": None,
            }
            target = State.IN_PROGRESS if current == State.PENDING else current
            note = f"lease of {previous} expired" if previous else None
            return tx.change(row, Action.CLAIM, target, lease, worker, note=note)

    def heartbeat(
        self, item_id: int, worker: str, lease_seconds: float, *, step: str | None = None
    ) -> None:
        with self._write() as tx:
            row = tx.fetch(item_id)
            if State(row["state"]) not in LEASED_STATES:
                raise IllegalTransition(
                    f"item {item_id} is {row['state']}: only an item in progress has a lease"
                )
            check_holder(row, worker)
            tx.run(
                "UPDATE items SET lease_expires_at = ?, step = COALESCE(?, step)"
                " WHERE id = ? AND lease_owner = ?",
                (to_text(tx.now + timedelta(seconds=lease_seconds)), step, item_id, worker),
            )

    def mark_submitting(self, item_id: int, worker: str) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            first = {"submitting_at": row["submitting_at"] or tx.stamp, "clicked_at": tx.stamp}
            return tx.change(row, Action.MARK_SUBMITTING, State.SUBMITTING, first, worker, True)

    def finish(
        self,
        item_id: int,
        worker: str,
        state: State,
        *,
        portal_status: str | None = None,
        reference_id: str | None = None,
        outcome: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> Item:
        facts = {
            **NO_LEASE,
            "portal_status": portal_status,
            "reference_id": reference_id,
            "outcome": None if outcome is None else json.dumps(outcome),
            "error": error,
        }
        with self._write() as tx:
            row = tx.fetch(item_id)
            return tx.change(row, Action.FINISH, State(state), facts, worker, True, note=error)

    def release(
        self,
        item_id: int,
        worker: str,
        *,
        error: str | None = None,
        retry_in: float | None = None,
    ) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            current = State(row["state"])
            target = State.PENDING if current == State.IN_PROGRESS else current
            later = None if retry_in is None else to_text(tx.now + timedelta(seconds=retry_in))
            facts = {**NO_LEASE, "error": error, "available_at": later}
            released = tx.change(row, Action.RELEASE, target, facts, worker, True, note=error)
            if later is None:
                tx.ring()
            return released

    def record_reference(self, item_id: int, worker: str, reference_id: str) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            facts = {"reference_id": reference_id}
            return tx.change(
                row, Action.RECORD_REFERENCE, State.SUBMITTING, facts, worker, True, note=None
            )

    def expire_lease(self, item_id: int, holder: str) -> bool:
        with self._write() as tx:
            changed = tx.run(
                "UPDATE items SET lease_expires_at = ? WHERE id = ? AND holder = ?"
                " AND state IN ('in_progress', 'submitting') RETURNING id",
                (tx.stamp, item_id, holder),
            ).fetchone()
        return changed is not None

    def now(self) -> datetime:
        with self._write() as tx:
            return tx.now

    def update_decision(
        self, item_id: int, portal_status: str, outcome: dict[str, Any] | None = None
    ) -> Item:
        facts = {"portal_status": portal_status}
        if outcome is not None:
            facts["outcome"] = json.dumps(outcome)
        with self._write() as tx:
            row = tx.fetch(item_id)
            return tx.change(
                row, Action.UPDATE_DECISION, State.SUBMITTED, facts, note=portal_status
            )

    # -- reading ---------------------------------------------------------------------------

    def _select(self, statement: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._read() as db:
            rows: list[Row] = db.execute(self.dialect.sql(statement), params).fetchall()
        return rows

    def get(self, item_id: int) -> Item:
        for row in self._select("SELECT * FROM items WHERE id = ?", (item_id,)):
            return item_of(row)
        raise ItemNotFound(f"no queue item has id {item_id}")

    def get_by_key(self, key: str) -> Item | None:
        rows = self._select("SELECT * FROM items WHERE key = ?", (key,))
        return item_of(rows[0]) if rows else None

    def items(self, state: State | None = None) -> list[Item]:
        wanted = None if state is None else str(state)
        rows = self._select(
            "SELECT * FROM items WHERE CAST(? AS TEXT) IS NULL OR state = ? ORDER BY id",
            (wanted, wanted),
        )
        return [item_of(row) for row in rows]

    def counts(self) -> dict[State, int]:
        rows = self._select("SELECT state, COUNT(*) AS n FROM items GROUP BY state")
        found = {State(row["state"]): row["n"] for row in rows}
        return {state: found.get(state, 0) for state in State}

    def history(self, item_id: int) -> list[Event]:
        self.get(item_id)
        rows = self._select("SELECT * FROM item_events WHERE item_id = ? ORDER BY id", (item_id,))
        return [event_of(row) for row in rows]
