"""The SQLite backend: one file in WAL mode, every commit fsynced (``synchronous=FULL``).

Every write runs in a ``BEGIN IMMEDIATE`` transaction, so writers queue up behind one lock
(``busy_timeout`` makes them wait instead of failing) and a read-check-update inside it is atomic
across processes. Each UPDATE is still guarded by the state and lease owner it was checked
against, the way the Postgres backend must do it without a database-wide lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from bot.queue.base import (
    LEASED_STATES,
    SCHEMA_VERSION,
    Action,
    Clock,
    Enqueued,
    Event,
    IllegalTransition,
    Item,
    ItemNotFound,
    LeaseLost,
    QueueUnavailable,
    SchemaMismatch,
    State,
    is_legal,
    utc_now,
)

BUSY_TIMEOUT_SECONDS = 30
_CLAIMABLE = """
    SELECT * FROM items
    WHERE state IN ('pending', 'in_progress', 'submitting')
      AND (state = 'pending' OR lease_expires_at IS NULL OR lease_expires_at <= ?)
      AND (? IS NULL OR id = ?)
    ORDER BY id LIMIT 1
"""
_NO_LEASE = {"lease_owner": None, "lease_expires_at": None}


def schema_statements() -> list[str]:
    """The statements of ``schema.sql``, comments dropped (no statement holds ``--`` or ``;``)."""
    text = resources.files("bot.queue").joinpath("schema.sql").read_text(encoding="utf-8")
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return [statement.strip() for statement in code.split(";") if statement.strip()]


class SqliteQueue:
    """The queue in one SQLite file, safe for several processes at once."""

    def __init__(self, path: Path, *, clock: Clock = utc_now) -> None:
        self.path = path
        self._clock = clock
        try:
            _create_private(path)
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise QueueUnavailable(f"cannot open the queue database {path}: {exc}") from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._prepare_schema()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise QueueUnavailable(f"cannot use the queue database {path}: {exc}") from exc
        except BaseException:
            self._db.close()
            raise

    def _prepare_schema(self) -> None:
        """Create the schema in an empty file; refuse a file made by another schema version."""
        with self._write() as tx:
            tables = {row[0] for row in tx.db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                for statement in schema_statements():
                    tx.db.execute(statement)
            elif "schema_version" not in tables:
                raise SchemaMismatch(
                    f"{self.path} is not a pa-bot queue database (it has no schema_version table)"
                )
            found = [row[0] for row in tx.db.execute("SELECT version FROM schema_version")]
        if found != [SCHEMA_VERSION]:
            made = ", ".join(map(str, found)) or "none"
            raise SchemaMismatch(
                f"the queue database {self.path} has schema version {made}; this pa-bot reads "
                f"version {SCHEMA_VERSION}. Open it with the pa-bot that made it, or point "
                "PA_BOT_QUEUE_URL at another file."
            )

    # -- writing ---------------------------------------------------------------------------

    def enqueue(self, key: str, payload: str, source: str) -> Enqueued:
        with self._write() as tx:
            row = tx.insert(key, State.PENDING, payload, source, None)
            if row is None:
                return Enqueued(_item(tx.fetch_key(key)), created=False)
            tx.log(row, Action.ENQUEUE, None, None, None)
        return Enqueued(_item(row), created=True)

    def add_invalid(self, raw: str, source: str, errors: list[str]) -> Item:
        # A digest, not a random id: enqueueing the same bad file again stores nothing new.
        key = "invalid-" + hashlib.sha256(f"{source}\n{raw}".encode()).hexdigest()[:16]
        error = "; ".join(errors) or "invalid request"
        with self._write() as tx:
            row = tx.insert(key, State.INVALID, raw, source, error)
            if row is None:
                return _item(tx.fetch_key(key))
            tx.log(row, Action.ADD_INVALID, None, None, error)
        return _item(row)

    def claim(
        self, worker: str, lease_seconds: float, *, item_id: int | None = None
    ) -> Item | None:
        with self._write() as tx:
            row = tx.db.execute(_CLAIMABLE, (tx.stamp, item_id, item_id)).fetchone()
            if row is None:
                return None
            current, previous = State(row["state"]), row["lease_owner"]
            lease = {
                "lease_owner": worker,
                "lease_expires_at": _text(tx.now + timedelta(seconds=lease_seconds)),
                # Every claim counts, a dead worker's item taken over too: a request that kills
                # its worker each time shows its attempts climbing instead of looping unseen.
                "attempts": row["attempts"] + 1,
            }
            target = State.IN_PROGRESS if current == State.PENDING else current
            note = f"lease of {previous} expired" if previous else None
            return tx.change(row, Action.CLAIM, target, lease, worker, note=note)

    def heartbeat(self, item_id: int, worker: str, lease_seconds: float) -> None:
        with self._write() as tx:
            row = tx.fetch(item_id)
            if State(row["state"]) not in LEASED_STATES:
                raise IllegalTransition(
                    f"item {item_id} is {row['state']}: only an item in progress has a lease"
                )
            _check_holder(row, worker)
            tx.db.execute(
                "UPDATE items SET lease_expires_at = ? WHERE id = ? AND lease_owner = ?",
                (_text(tx.now + timedelta(seconds=lease_seconds)), item_id, worker),
            )

    def mark_submitting(self, item_id: int, worker: str) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            first = {"submitting_at": row["submitting_at"] or tx.stamp}
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
            **_NO_LEASE,
            "portal_status": portal_status,
            "reference_id": reference_id,
            "outcome": None if outcome is None else json.dumps(outcome),
            "error": error,
        }
        with self._write() as tx:
            row = tx.fetch(item_id)
            return tx.change(row, Action.FINISH, State(state), facts, worker, True, note=error)

    def release(self, item_id: int, worker: str, *, error: str | None = None) -> Item:
        with self._write() as tx:
            row = tx.fetch(item_id)
            current = State(row["state"])
            target = State.PENDING if current == State.IN_PROGRESS else current
            facts = {**_NO_LEASE, "error": error}
            return tx.change(row, Action.RELEASE, target, facts, worker, True, note=error)

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

    def get(self, item_id: int) -> Item:
        with self._guard():
            return _item(_fetch(self._db, item_id))

    def get_by_key(self, key: str) -> Item | None:
        with self._guard():
            row = self._db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return None if row is None else _item(row)

    def items(self, state: State | None = None) -> list[Item]:
        wanted = None if state is None else str(state)
        with self._guard():
            rows = self._db.execute(
                "SELECT * FROM items WHERE ? IS NULL OR state = ? ORDER BY id", (wanted, wanted)
            ).fetchall()
        return [_item(row) for row in rows]

    def counts(self) -> dict[State, int]:
        with self._guard():
            rows = self._db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
        found = {State(state): count for state, count in rows}
        return {state: found.get(state, 0) for state in State}

    def history(self, item_id: int) -> list[Event]:
        with self._guard():
            _fetch(self._db, item_id)
            rows = self._db.execute(
                "SELECT * FROM item_events WHERE item_id = ? ORDER BY id", (item_id,)
            ).fetchall()
        return [_event(row) for row in rows]

    def close(self) -> None:
        self._db.close()

    # -- plumbing --------------------------------------------------------------------------

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's operational trouble (locked past the timeout, disk full, I/O) as ours."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise QueueUnavailable(f"the queue database {self.path}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[_Tx]:
        """One write transaction holding SQLite's write lock; committed (and fsynced) on exit."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()  # read once the lock is ours: no waiting makes it stale
                if now.tzinfo is None:
                    raise ValueError("the queue's clock must give timezone-aware times")
                yield _Tx(self._db, now)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise


@dataclass(frozen=True)
class _Tx:
    """A write transaction: the connection, and the one moment every write in it carries."""

    db: sqlite3.Connection
    now: datetime

    @property
    def stamp(self) -> str:
        return _text(self.now)

    def fetch(self, item_id: int) -> sqlite3.Row:
        return _fetch(self.db, item_id)

    def fetch_key(self, key: str) -> sqlite3.Row:
        row: sqlite3.Row = self.db.execute("SELECT * FROM items WHERE key = ?", (key,)).fetchone()
        return row

    def insert(
        self, key: str, state: State, payload: str, source: str, error: str | None
    ) -> sqlite3.Row | None:
        """A new item, or None when the key exists (the existing item is left as it is)."""
        row: sqlite3.Row | None = self.db.execute(
            "INSERT INTO items (key, state, payload, source, error, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING *",
            (key, str(state), payload, source, error, self.stamp, self.stamp),
        ).fetchone()
        return row

    def change(
        self,
        row: sqlite3.Row,
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
            _check_holder(row, worker)
        values = {**facts, "state": str(target), "updated_at": self.stamp}
        assignments = ", ".join(f"{column} = ?" for column in values)
        updated: sqlite3.Row | None = self.db.execute(
            f"UPDATE items SET {assignments} WHERE id = ? AND state = ? AND lease_owner IS ?"
            " RETURNING *",
            (*values.values(), row["id"], row["state"], row["lease_owner"]),
        ).fetchone()
        if updated is None:
            raise LeaseLost(f"item {row['id']} changed hands while {action} was writing it")
        self.log(updated, action, current, worker, note)
        return _item(updated)

    def log(
        self,
        row: sqlite3.Row,
        action: Action,
        previous: State | None,
        worker: str | None,
        note: str | None,
    ) -> None:
        self.db.execute(
            "INSERT INTO item_events"
            " (item_id, happened_at, action, from_state, to_state, worker, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (row["id"], self.stamp, str(action), previous, row["state"], worker, note),
        )


def _fetch(db: sqlite3.Connection, item_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise ItemNotFound(f"no queue item has id {item_id}")
    return row


def _check_holder(row: sqlite3.Row, worker: str | None) -> None:
    if row["lease_owner"] != worker:
        holder = row["lease_owner"] or "nobody"
        raise LeaseLost(f"item {row['id']} is leased to {holder}, not to {worker}")


def _create_private(path: Path) -> None:
    """Make the folder and an empty database readable by the owner only: payloads hold PHI.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _text(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC, so that comparing the text compares the times."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _item(row: sqlite3.Row) -> Item:
    """The row as an ``Item``, whose fields are the ``items`` columns."""
    values = dict(row)
    times = ("lease_expires_at", "created_at", "updated_at", "submitting_at")
    values.update({column: _time(values[column]) for column in times})
    values["state"] = State(values["state"])
    values["outcome"] = None if row["outcome"] is None else json.loads(row["outcome"])
    return Item(**values)


def _event(row: sqlite3.Row) -> Event:
    return Event(
        item_id=row["item_id"],
        at=datetime.fromisoformat(row["happened_at"]),
        action=Action(row["action"]),
        from_state=None if row["from_state"] is None else State(row["from_state"]),
        to_state=State(row["to_state"]),
        worker=row["worker"],
        note=row["note"],
    )
