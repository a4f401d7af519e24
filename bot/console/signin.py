"""Signing in to the console: Argon2 passwords, five wrong ones in a row lock the account for
15 minutes, every attempt in the audit log. The messages never say whether a name exists."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Final

from bot.console.passwords import password_matches
from bot.queue.console_store import ConsoleQueue, ConsoleUser

LOCK_AFTER: Final = 5
"""Wrong passwords in a row that lock a console account."""
LOCK_SECONDS: Final = 15 * 60
"""How long the lock lasts (``pa-bot users unlock`` or the admin page ends it sooner)."""

WRONG: Final = "Wrong username or password."
LOCKED: Final = (
    "This account is locked for 15 minutes after five wrong passwords. "
    "An administrator can unlock it sooner."
)
UNKNOWN_ACTOR: Final = "(unknown account)"


@dataclass(frozen=True)
class Refused:
    message: str


async def sign_in(queue: ConsoleQueue, name: str, password: str) -> ConsoleUser | Refused:
    """The account, when ``password`` is its own and it may sign in; else why not."""
    user = queue.user(name)
    usable = user is not None and not user.disabled and user.role != "system"
    hashed = user.password_hash if usable and user is not None else None
    matches = await asyncio.to_thread(password_matches, password, hashed)
    if user is None or not usable:
        queue.audit(user.name if user else UNKNOWN_ACTOR, "sign_in_refused", None, None)
        return Refused(WRONG)
    if user.locked_at(queue.now()):
        queue.audit(user.name, "sign_in_locked", None, None)
        return Refused(LOCKED)
    if not matches:
        counted = queue.user_failed_login(user.name, LOCK_AFTER, LOCK_SECONDS)
        queue.audit(user.name, "sign_in_failed", None, None)
        if counted is not None and counted.locked_at(queue.now()):
            queue.audit(user.name, "account_locked", None, f"after {LOCK_AFTER} wrong passwords")
            return Refused(LOCKED)
        return Refused(WRONG)
    if user.failed_logins:
        user = queue.user_unlock(user.name)
    queue.audit(user.name, "signed_in", None, None)
    return user
