"""Console secrets at rest: passwords as Argon2id hashes (pwdlib's recommended parameters), API
tokens as SHA-256 digests (a token is 256 random bits, so a fast digest is safe and lets the
token be looked up; a password is not, hence the slow hash)."""

from __future__ import annotations

import hashlib
import secrets

from pwdlib import PasswordHash

_HASHER = PasswordHash.recommended()

_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))
"""Verified against when the username is unknown, so that a wrong name takes as long as a wrong
password and the timing does not tell which names exist."""

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password: str, hashed: str | None) -> bool:
    if hashed is None:
        _HASHER.verify(password, _DUMMY)
        return False
    return _HASHER.verify(password, hashed)


def password_problem(password: str) -> str | None:
    """Why ``password`` is refused for a console account, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a console password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_token() -> str:
    return "pab_" + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
