"""The portal's state in SQLite: sessions, login failures and lockouts, drafts, authorizations,
attachments, counters and stats.

One connection shared by every thread behind a lock: the portal is small and SQLite answers in
microseconds, so the lock costs nothing that matters and keeps writes simple.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mock_portal.models import Authorization, Draft

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL,
    created REAL NOT NULL, last_seen REAL NOT NULL, expired INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS login_failures (username TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS lockouts (username TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS mfa_pending (
    token TEXT PRIMARY KEY, username TEXT NOT NULL, next TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY, username TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorizations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, reference_id TEXT UNIQUE NOT NULL,
    member_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, reference_id TEXT NOT NULL, filename TEXT NOT NULL,
    size INTEGER NOT NULL, content BLOB NOT NULL, uploaded_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS totp_used (
    username TEXT NOT NULL, code TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (username, code));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS session_notices (
    session_id TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (session_id, kind));
"""

ENDED = 2
"""``sessions.expired`` of a session a newer login of its account ended (1: idle or faulted)."""

STAT_NAMES = (
    "logins_ok",
    "logins_failed",
    "requests",
    "faults_injected",
    "submissions",
    "uploads",
    "sessions_expired",
    "rate_limited",
    "sessions_ended_elsewhere",
    "sessions_kept_alive",
)


@dataclass(frozen=True)
class SessionRow:
    id: str
    username: str
    csrf: str
    last_seen: float
    expired: bool
    ended_elsewhere: bool = False
    """Ended by a newer login of the same account (``SINGLE_SESSION``)."""


@dataclass(frozen=True)
class PendingLogin:
    token: str
    username: str
    next: str
    created: float


class Store:
    """Thread-safe access to the portal's SQLite database."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args: tuple[object, ...] = ()) -> Any:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[object, ...] = ()) -> list[Any]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def _run(self, sql: str, args: tuple[object, ...] = ()) -> None:
        with self._lock:
            self._db.execute(sql, args)

    # sessions ---------------------------------------------------------------------------------

    def create_session(self, username: str, now: float) -> SessionRow:
        row = SessionRow(secrets.token_urlsafe(24), username, secrets.token_urlsafe(24), now, False)
        self._run(
            "INSERT INTO sessions (id, username, csrf, created, last_seen) VALUES (?, ?, ?, ?, ?)",
            (row.id, row.username, row.csrf, now, now),
        )
        return row

    def session(self, session_id: str) -> SessionRow | None:
        row = self._one(
            "SELECT id, username, csrf, last_seen, expired FROM sessions WHERE id = ?",
            (session_id,),
        )
        if row is None:
            return None
        return SessionRow(
            str(row[0]), str(row[1]), str(row[2]), float(row[3]), bool(row[4]), row[4] == ENDED
        )

    def touch_session(self, session_id: str, now: float) -> None:
        self._run("UPDATE sessions SET last_seen = ? WHERE id = ?", (now, session_id))

    def expire_session(self, session_id: str) -> bool:
        """Mark the session expired; True when it was live until now."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE sessions SET expired = 1 WHERE id = ? AND expired = 0", (session_id,)
            )
            return cursor.rowcount > 0

    def end_session_elsewhere(self, session_id: str) -> bool:
        """End one live session as a newer login of its account would; True when it was live."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE sessions SET expired = ? WHERE id = ? AND expired = 0", (ENDED, session_id)
            )
            return cursor.rowcount > 0

    def end_other_sessions(self, username: str, keep: str) -> int:
        """End the account's live sessions but ``keep`` (a newer login); how many ended."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE sessions SET expired = ? WHERE username = ? AND id != ? AND expired = 0",
                (ENDED, username, keep),
            )
            return cursor.rowcount

    def delete_session(self, session_id: str) -> None:
        self._run("DELETE FROM sessions WHERE id = ?", (session_id,))

    # logins -----------------------------------------------------------------------------------

    def record_failure(self, username: str, now: float) -> None:
        self._run("INSERT INTO login_failures (username, at) VALUES (?, ?)", (username, now))

    def failures_since(self, username: str, since: float) -> int:
        row = self._one(
            "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?", (username, since)
        )
        return int(row[0]) if row else 0

    def clear_failures(self, username: str) -> None:
        self._run("DELETE FROM login_failures WHERE username = ?", (username,))

    def use_totp_code(self, username: str, code: str, now: float, window: float) -> bool:
        """Take ``code`` for ``username``: False when it was taken within ``window`` seconds
        (a TOTP code is good for one login, RFC 6238 section 5.2)."""
        with self._lock:
            self._db.execute("DELETE FROM totp_used WHERE at < ?", (now - window,))
            taken = self._db.execute(
                "INSERT OR IGNORE INTO totp_used (username, code, at) VALUES (?, ?, ?)",
                (username, code, now),
            ).rowcount
        return taken == 1

    def lock(self, username: str, until: float) -> None:
        self._run(
            "INSERT INTO lockouts (username, until) VALUES (?, ?) "
            "ON CONFLICT(username) DO UPDATE SET until = excluded.until",
            (username, until),
        )

    def locked_until(self, username: str) -> float | None:
        row = self._one("SELECT until FROM lockouts WHERE username = ?", (username,))
        return float(row[0]) if row else None

    def create_pending(self, username: str, next_path: str, now: float) -> PendingLogin:
        pending = PendingLogin(secrets.token_urlsafe(24), username, next_path, now)
        self._run(
            "INSERT INTO mfa_pending (token, username, next, created) VALUES (?, ?, ?, ?)",
            (pending.token, username, next_path, now),
        )
        return pending

    def pending(self, token: str) -> PendingLogin | None:
        row = self._one(
            "SELECT token, username, next, created FROM mfa_pending WHERE token = ?", (token,)
        )
        if row is None:
            return None
        return PendingLogin(str(row[0]), str(row[1]), str(row[2]), float(row[3]))

    def delete_pending(self, token: str) -> None:
        self._run("DELETE FROM mfa_pending WHERE token = ?", (token,))

    # drafts -----------------------------------------------------------------------------------

    def save_draft(self, draft: Draft) -> None:
        self._run(
            "INSERT INTO drafts (id, username, data) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET data = excluded.data",
            (draft.id, draft.username, draft.model_dump_json()),
        )

    def draft(self, draft_id: str) -> Draft | None:
        row = self._one("SELECT data FROM drafts WHERE id = ?", (draft_id,))
        return Draft.model_validate_json(str(row[0])) if row else None

    def delete_draft(self, draft_id: str) -> None:
        self._run("DELETE FROM drafts WHERE id = ?", (draft_id,))

    # counters ---------------------------------------------------------------------------------

    def next_value(self, name: str, start: int, step: int = 1) -> int:
        """The counter's next value; counters survive ``reset`` so numbers are never reused."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT value FROM counters WHERE name = ?", (name,)
                ).fetchone()
                value = start if row is None else int(row[0]) + step
                self._db.execute(
                    "INSERT INTO counters (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return value

    # authorizations ---------------------------------------------------------------------------

    def save_authorization(self, auth: Authorization) -> None:
        self._run(
            "INSERT INTO authorizations (reference_id, member_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT(reference_id) DO UPDATE SET data = excluded.data",
            (auth.reference_id, auth.member_id, auth.model_dump_json()),
        )

    def authorization(self, reference_id: str) -> Authorization | None:
        row = self._one("SELECT data FROM authorizations WHERE reference_id = ?", (reference_id,))
        return Authorization.model_validate_json(str(row[0])) if row else None

    def authorizations(self, member_id: str | None = None) -> list[Authorization]:
        if member_id is None:
            rows = self._all("SELECT data FROM authorizations ORDER BY seq")
        else:
            rows = self._all(
                "SELECT data FROM authorizations WHERE member_id = ? ORDER BY seq", (member_id,)
            )
        return [Authorization.model_validate_json(str(row[0])) for row in rows]

    # attachments ------------------------------------------------------------------------------

    def add_attachment(
        self, reference_id: str, filename: str, content: bytes, when: datetime
    ) -> None:
        self._run(
            "INSERT INTO attachments (reference_id, filename, size, content, uploaded_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (reference_id, filename, len(content), content, when.isoformat()),
        )

    def attachment_names(self, reference_id: str) -> list[str]:
        rows = self._all(
            "SELECT filename FROM attachments WHERE reference_id = ? ORDER BY id", (reference_id,)
        )
        return [str(row[0]) for row in rows]

    # stats ------------------------------------------------------------------------------------

    def add_notices(self, session_id: str, kinds: list[str]) -> None:
        for kind in kinds:
            self._run(
                "INSERT OR IGNORE INTO session_notices (session_id, kind) VALUES (?, ?)",
                (session_id, kind),
            )

    def pending_notices(self, session_id: str) -> list[str]:
        rows = self._all(
            "SELECT kind FROM session_notices WHERE session_id = ? ORDER BY kind DESC",
            (session_id,),
        )
        return [str(row[0]) for row in rows]

    def clear_notice(self, session_id: str, kind: str) -> None:
        self._run(
            "DELETE FROM session_notices WHERE session_id = ? AND kind = ?", (session_id, kind)
        )

    def incr(self, name: str, amount: int = 1) -> None:
        self._run(
            "INSERT INTO stats (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value",
            (name, amount),
        )

    def stats(self) -> dict[str, int]:
        counts = {name: 0 for name in STAT_NAMES}
        for name, value in self._all("SELECT name, value FROM stats"):
            counts[str(name)] = int(value)
        return counts

    # reset ------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the counters (reference ids stay unique across resets)."""
        with self._lock:
            for table in (
                "drafts",
                "authorizations",
                "attachments",
                "sessions",
                "login_failures",
                "lockouts",
                "mfa_pending",
                "totp_used",
                "stats",
            ):
                self._db.execute(f"DELETE FROM {table}")  # fixed table names
