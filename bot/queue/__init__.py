"""The durable work queue: ``open_queue(url)`` and the contract every backend keeps.

``sqlite:///relative/path`` and ``sqlite:////absolute/path`` (as SQLAlchemy writes them) open the
SQLite backend; ``postgresql://`` and ``postgres://`` (libpq's URLs) the Postgres backend.
"""

from __future__ import annotations

from bot.config import sqlite_path
from bot.queue.base import (
    FINAL_STATES,
    LEASED_STATES,
    SCHEMA_VERSION,
    TRANSITIONS,
    Action,
    Clock,
    Enqueued,
    Event,
    GateRecord,
    GateVerdict,
    IllegalTransition,
    Item,
    ItemNotFound,
    LeaseLost,
    LoginOutcome,
    Priority,
    Queue,
    QueueError,
    QueueUnavailable,
    Resident,
    SchemaMismatch,
    State,
    is_legal,
    utc_now,
)
from bot.queue.sqlite import SqliteQueue

__all__ = [
    "FINAL_STATES",
    "LEASED_STATES",
    "SCHEMA_VERSION",
    "TRANSITIONS",
    "Action",
    "Clock",
    "Enqueued",
    "Event",
    "GateRecord",
    "GateVerdict",
    "IllegalTransition",
    "Item",
    "ItemNotFound",
    "LeaseLost",
    "LoginOutcome",
    "Priority",
    "Queue",
    "QueueError",
    "QueueUnavailable",
    "Resident",
    "SchemaMismatch",
    "SqliteQueue",
    "State",
    "is_legal",
    "open_queue",
]


def open_queue(url: str, *, clock: Clock | None = None) -> Queue:
    """Open (creating if need be) the queue at ``url``; ``QueueUnavailable`` if it cannot be.

    ``clock`` times leases; by default the machine's clock for SQLite and the database's own
    (``now()``) for Postgres, so that workers on machines whose clocks disagree share leases fairly.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from bot.queue.postgres import PostgresQueue  # psycopg only when Postgres is used

        return PostgresQueue(url, clock=clock)
    if not url.startswith("sqlite:///"):
        scheme = url.split(":", 1)[0]  # never the whole URL: it may hold a password
        raise QueueUnavailable(
            f"unknown queue URL scheme {scheme!r}: use sqlite:///relative/path or "
            "sqlite:////absolute/path"
        )
    path = sqlite_path(url)
    if not path.name:
        raise QueueUnavailable("the queue URL names no file: use sqlite:///path/to/queue.db")
    return SqliteQueue(path, clock=clock or utc_now)
