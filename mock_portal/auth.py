"""Logins, two-step verification, lockouts, sessions with idle expiry, and CSRF tokens.

Sessions live in SQLite; the cookie holds only the session id. Each session has one CSRF token
that every POST form carries; the login form, which comes before any session, carries a token
that must equal a cookie set with the form (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pyotp

from mock_portal.store import SessionRow, Store

SESSION_COOKIE = "pp_session"
LOGIN_CSRF_COOKIE = "pp_login_csrf"
MFA_COOKIE = "pp_mfa"
LOCK_AFTER_FAILURES = 5
LOCK_SECONDS = 30 * 60
MFA_PENDING_SECONDS = 5 * 60


def _hash(password: str) -> str:
    return hashlib.sha256(("caresource-mock:" + password).encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    username: str
    password_hash: str
    totp_secret: str | None = None


ACCOUNTS = {
    "demo": Account("demo", _hash("Demo!2345")),
    "mfa-demo": Account("mfa-demo", _hash("Demo!2345"), totp_secret="JBSWY3DPEHPK3PXP"),
}


class ShortSecretTOTP(pyotp.TOTP):
    """pyotp 2.12 refuses secrets under 112 bits; the portal's contract secret
    (``JBSWY3DPEHPK3PXP``, the classic authenticator-app example) has 80."""

    min_secret_length_bits = 80


LoginResult = Literal["ok", "mfa", "bad", "locked"]


@dataclass(frozen=True)
class SessionState:
    """What a request's cookie says: a live session, an expired one, or none at all."""

    session: SessionRow | None
    expired: bool
    elsewhere: bool = False
    """The session was ended by a newer login of its account (``SINGLE_SESSION``)."""


class Auth:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], float],
        timeout: Callable[[], int],
        single_session: Callable[[], bool] = lambda: False,
    ) -> None:
        self._store = store
        self._clock = clock
        self._timeout = timeout
        self._single_session = single_session

    def _locked(self, username: str, now: float) -> bool:
        until = self._store.locked_until(username)
        return until is not None and until > now

    def _fail(self, username: str, now: float) -> LoginResult:
        """Count a failure; the fifth within the window locks the account and says so."""
        self._store.incr("logins_failed")
        self._store.record_failure(username, now)
        if self._store.failures_since(username, now - LOCK_SECONDS) >= LOCK_AFTER_FAILURES:
            self._store.lock(username, now + LOCK_SECONDS)
            return "locked"
        return "bad"

    def check_password(self, username: str, password: str) -> LoginResult:
        now = self._clock()
        if self._locked(username, now):
            self._store.incr("logins_failed")
            return "locked"
        account = ACCOUNTS.get(username)
        if account is None or not hmac.compare_digest(_hash(password), account.password_hash):
            return self._fail(username, now)
        return "mfa" if account.totp_secret else "ok"

    def check_code(self, username: str, code: str) -> LoginResult:
        """The TOTP code of this 30-second window or of the previous one, once: a code that
        already logged in is refused (and counts as a failed login), as real portals do."""
        now = self._clock()
        if self._locked(username, now):
            self._store.incr("logins_failed")
            return "locked"
        account = ACCOUNTS.get(username)
        if account is None or account.totp_secret is None:
            return self._fail(username, now)
        totp = ShortSecretTOTP(account.totp_secret)
        code = code.strip().replace(" ", "")
        valid = any(hmac.compare_digest(totp.at(now - lag), code) for lag in (0, 30))
        if valid and code.isdigit() and self._store.use_totp_code(username, code, now, 90):
            return "ok"
        return self._fail(username, now)

    def log_in(self, username: str) -> SessionRow:
        self._store.clear_failures(username)
        self._store.incr("logins_ok")
        session = self._store.create_session(username, self._clock())
        if self._single_session():
            ended = self._store.end_other_sessions(username, keep=session.id)
            if ended:
                self._store.incr("sessions_ended_elsewhere", ended)
        return session

    def resolve(self, session_id: str | None) -> SessionState:
        """The session behind a cookie; an idle one is expired now (and counted once)."""
        if not session_id:
            return SessionState(None, expired=False)
        row = self._store.session(session_id)
        if row is None or row.expired:
            return SessionState(
                None, expired=True, elsewhere=row is not None and row.ended_elsewhere
            )
        now = self._clock()
        if now - row.last_seen > self._timeout():
            if self._store.expire_session(row.id):
                self._store.incr("sessions_expired")
            return SessionState(None, expired=True)
        self._store.touch_session(row.id, now)
        return SessionState(row, expired=False)

    def end_elsewhere(self, session_id: str | None) -> None:
        """End a session as a login of its account elsewhere ends it under ``SINGLE_SESSION``
        (the ``signed_in_elsewhere`` step fault)."""
        if session_id and self._store.end_session_elsewhere(session_id):
            self._store.incr("sessions_ended_elsewhere")

    def expire(self, session_id: str | None) -> None:
        """Expire a session at once (the ``expire_session`` step fault)."""
        if session_id and self._store.expire_session(session_id):
            self._store.incr("sessions_expired")


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def safe_next(value: str | None) -> str:
    """A local path to go to after login; anything else means home."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(ch) < 32 for ch in value) or value.startswith(("/login", "/logout")):
        return "/"
    return value
