"""The SQLite backend: one file in WAL mode, every commit fsynced (``synchronous=FULL``).

Every write runs in a ``BEGIN IMMEDIATE`` transaction, so writers queue up behind one lock
(``busy_timeout`` makes them wait instead of failing) and a read-check-update inside it is atomic
across processes. Each UPDATE is still guarded by the state and lease owner it was checked
against, as the Postgres backend, which locks rows rather than the database, needs it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from bot.queue.base import Clock, QueueUnavailable, SchemaMismatch, utc_now
from bot.queue.schema import schema_statements, upgrade_statements
from bot.queue.sql import Dialect, SqlQueue, Tx

BUSY_TIMEOUT_SECONDS = 30


class SqliteQueue(SqlQueue):
    """The queue in one SQLite file, safe for several processes at once."""

    # No row locks: BEGIN IMMEDIATE holds the whole database for the transaction.
    dialect = Dialect(lock_row="", skip_locked="")

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
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            with _openers_one_at_a_time(path):
                self._db.execute("PRAGMA journal_mode = WAL")
                self._prepare_schema()
        except (OSError, sqlite3.DatabaseError) as exc:
            self._db.close()
            raise QueueUnavailable(f"cannot use the queue database {path}: {exc}") from exc
        except BaseException:
            self._db.close()
            raise

    def _prepare_schema(self) -> None:
        """Create the schema in an empty file, upgrade one of an earlier version, refuse any
        other (``bot.queue.schema``)."""
        with self._write() as tx:
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
            if not tables:
                for statement in schema_statements():
                    tx.run(statement)
            elif "schema_version" not in tables:
                raise SchemaMismatch(
                    f"{self.path} is not a pa-bot queue database (it has no schema_version table)"
                )
            found = [row[0] for row in self._db.execute("SELECT version FROM schema_version")]
            advice = (
                "Open it with the pa-bot that made it, or point PA_BOT_QUEUE_URL at another file."
            )
            for statement in upgrade_statements(found, str(self.path), advice, "sqlite"):
                tx.run(statement)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's operational trouble (locked past the timeout, disk full, I/O) as ours."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            raise QueueUnavailable(f"the queue database {self.path}: {exc}") from exc

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
            yield self._db

    @contextmanager
    def _write(self) -> Iterator[Tx]:
        """One write transaction holding SQLite's write lock; committed (and fsynced) on exit."""
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()  # read once the lock is ours: no waiting makes it stale
                if now.tzinfo is None:
                    raise ValueError("the queue's clock must give timezone-aware times")
                yield Tx(self._db, self.dialect, now)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise


@contextmanager
def _openers_one_at_a_time(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the database file while the journal mode and schema are set.

    Switching a new file to WAL takes SQLite's exclusive lock, and two connections asking for it
    at once make SQLite answer "database is locked" at once, past the busy timeout (its deadlock
    rule). ``flock`` locks are apart from the POSIX locks SQLite takes, so this orders the openers
    only and never waits on a transaction.

    The lock is on a file beside the database, never on the database itself: closing any
    descriptor of the database file would drop every POSIX lock this process holds on it, the
    locks of its other open connections too (the engine's workers share one process).
    """
    fd = os.open(path.with_name(path.name + ".open-lock"), os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _create_private(path: Path) -> None:
    """Make the folder and an empty database readable by the owner only: payloads hold PHI.

    SQLite gives its ``-wal`` and ``-shm`` files the database file's permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
