"""The staff console's statements: its accounts (``console_users``), the audit log
(``audit_log``) and the secret that signs its cookies (``console_secrets``); schema.sql.

A wrong password is counted in the same transaction that reads the account, so that five wrong
passwords lock it however many console processes share the queue. ``bot.console`` gives these
their meaning (hashing, sessions, roles).
"""

from __future__ import annotations

import secrets
from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from bot.queue.base import Queue, QueueError, to_text

if TYPE_CHECKING:
    from bot.queue.rows import Row
    from bot.queue.sql import Tx

Role = Literal["staff", "admin", "system"]
ROLES: tuple[Role, ...] = ("staff", "admin", "system")


class UserExists(QueueError):
    """``users add`` of a name that is taken."""


class UserNotFound(QueueError):
    """An account operation on a name nobody has."""


@dataclass(frozen=True)
class ConsoleUser:
    name: str
    role: Role
    password_hash: str | None
    token_hash: str | None
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    created_at: datetime

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    item_id: int | None
    detail: str | None


class ConsoleRecords(Protocol):
    """What the console keeps in the queue's database."""

    def user_add(self, name: str, role: Role, password_hash: str | None) -> ConsoleUser:
        """A new account; ``UserExists`` when the name is taken."""

    def user(self, name: str) -> ConsoleUser | None: ...

    def users(self) -> list[ConsoleUser]: ...

    def user_by_token(self, token_hash: str) -> ConsoleUser | None: ...

    def user_set(self, name: str, **fields: Any) -> ConsoleUser:
        """Change ``password_hash``, ``token_hash`` or ``disabled``; ``UserNotFound`` if none."""

    def user_unlock(self, name: str) -> ConsoleUser:
        """Clear the wrong-password count and the lock."""

    def user_failed_login(self, name: str, limit: int, lock_seconds: float) -> ConsoleUser | None:
        """Count a wrong password; the ``limit``-th in a row locks the account for
        ``lock_seconds`` (None when there is no such account)."""

    def audit(self, actor: str, action: str, item_id: int | None, detail: str | None) -> None:
        """One line of the audit log, now."""

    def audit_entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        item_id: int | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """The newest lines first, filtered."""

    def console_secret(self) -> str:
        """The secret that signs session cookies, made on first use and kept."""


class ConsoleQueue(Queue, ConsoleRecords, Protocol):
    """A queue whose database keeps the console's records too (every backend's)."""


def console_queue(queue: Queue) -> ConsoleQueue:
    """``queue`` as the console sees it."""
    if not isinstance(queue, ConsoleStore):
        raise TypeError(f"{type(queue).__name__} keeps no console records")
    return cast(ConsoleQueue, queue)


_SETTABLE = frozenset({"password_hash", "token_hash", "disabled"})


class ConsoleStore:
    """``ConsoleRecords`` over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def user_add(self, name: str, role: Role, password_hash: str | None) -> ConsoleUser:
        with self._write() as tx:
            added = tx.run(
                "INSERT INTO console_users (name, role, password_hash, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING *",
                (name, role, password_hash, tx.stamp),
            ).fetchone()
        if added is None:
            raise UserExists(f"a console account named {name!r} exists already")
        return _user_of(added)

    def user(self, name: str) -> ConsoleUser | None:
        with self._write() as tx:
            row = tx.run("SELECT * FROM console_users WHERE name = ?", (name,)).fetchone()
        return None if row is None else _user_of(row)

    def users(self) -> list[ConsoleUser]:
        with self._write() as tx:
            rows = tx.run("SELECT * FROM console_users ORDER BY name").fetchall()
        return [_user_of(row) for row in rows]

    def user_by_token(self, token_hash: str) -> ConsoleUser | None:
        with self._write() as tx:
            row = tx.run(
                "SELECT * FROM console_users WHERE token_hash = ?", (token_hash,)
            ).fetchone()
        return None if row is None else _user_of(row)

    def user_set(self, name: str, **fields: Any) -> ConsoleUser:
        unknown = set(fields) - _SETTABLE
        if unknown or not fields:
            raise ValueError(f"cannot set {sorted(unknown) or 'nothing'}")
        names = sorted(fields)
        values = [int(fields[n]) if n == "disabled" else fields[n] for n in names]
        assignments = ", ".join(f"{n} = ?" for n in names)
        with self._write() as tx:
            row = tx.run(
                f"UPDATE console_users SET {assignments} WHERE name = ? RETURNING *",
                (*values, name),
            ).fetchone()
        return _found(row, name)

    def user_unlock(self, name: str) -> ConsoleUser:
        with self._write() as tx:
            row = tx.run(
                "UPDATE console_users SET failed_logins = 0, locked_until = NULL"
                " WHERE name = ? RETURNING *",
                (name,),
            ).fetchone()
        return _found(row, name)

    def user_failed_login(self, name: str, limit: int, lock_seconds: float) -> ConsoleUser | None:
        with self._write() as tx:
            row = tx.run(
                "SELECT * FROM console_users WHERE name = ?" + tx.dialect.lock_row, (name,)
            ).fetchone()
            if row is None:
                return None
            count = row["failed_logins"] + 1
            until = None
            if count >= limit:
                count, until = 0, to_text(tx.now + timedelta(seconds=lock_seconds))
            row = tx.run(
                "UPDATE console_users SET failed_logins = ?,"
                " locked_until = COALESCE(?, locked_until) WHERE name = ? RETURNING *",
                (count, until, name),
            ).fetchone()
        return _user_of(row)

    def audit(self, actor: str, action: str, item_id: int | None, detail: str | None) -> None:
        with self._write() as tx:
            tx.run(
                "INSERT INTO audit_log (at, actor, action, item_id, detail) VALUES (?, ?, ?, ?, ?)",
                (tx.stamp, actor, action, item_id, detail),
            )

    def audit_entries(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        item_id: int | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        with self._write() as tx:
            rows = tx.run(
                "SELECT * FROM audit_log WHERE (CAST(? AS TEXT) IS NULL OR actor = ?)"
                " AND (CAST(? AS TEXT) IS NULL OR action = ?)"
                " AND (CAST(? AS BIGINT) IS NULL OR item_id = ?) ORDER BY id DESC LIMIT ?",
                (actor, actor, action, action, item_id, item_id, limit),
            ).fetchall()
        return [
            AuditEntry(
                id=row["id"],
                at=datetime.fromisoformat(row["at"]),
                actor=row["actor"],
                action=row["action"],
                item_id=row["item_id"],
                detail=row["detail"],
            )
            for row in rows
        ]

    def console_secret(self) -> str:
        with self._write() as tx:
            tx.run(
                "INSERT INTO console_secrets (name, value) VALUES ('session', ?)"
                " ON CONFLICT (name) DO NOTHING",
                (secrets.token_urlsafe(32),),
            )
            row = tx.run("SELECT value FROM console_secrets WHERE name = 'session'").fetchone()
        value: str = row["value"]
        return value


def _found(row: Row | None, name: str) -> ConsoleUser:
    if row is None:
        raise UserNotFound(f"no console account is named {name!r}")
    return _user_of(row)


def _user_of(row: Row) -> ConsoleUser:
    until = row["locked_until"]
    return ConsoleUser(
        name=row["name"],
        role=row["role"],
        password_hash=row["password_hash"],
        token_hash=row["token_hash"],
        disabled=bool(row["disabled"]),
        failed_logins=row["failed_logins"],
        locked_until=None if until is None else datetime.fromisoformat(until),
        created_at=datetime.fromisoformat(row["created_at"]),
    )
