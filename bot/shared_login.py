"""One portal login per account per machine, shared by every browser context of the process.

Contexts of one process take turns through an asyncio lock: the first that needs a login makes
it (through the login gate, which keeps other processes and machines to one attempt in flight),
and the rest take its cookies. A new login, whoever made it, is copied into every context, so a
re-login refreshes them all. Other processes of this machine read the saved login file
(``<artifacts>/.state``) that the gate lets them adopt.

A portal that allows one session per account ends it when the account logs in elsewhere: the
login is then dead for every context at once, the first context to see it reports it, and the
next login waits for this process's turn on the account (``bot.turns``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from bot.browser import private_dir
from bot.config import Settings
from bot.errors import SignedOutElsewhere
from bot.holder import this_process
from bot.log import get_logger
from bot.login_gate import LoginGate, TotpCode
from bot.turns import SessionStats, Turns

log = get_logger(__name__)

Attempt = Callable[[TotpCode | None], Awaitable[list[dict[str, Any]]]]
"""A context's login attempt: logs in on its own page, returns the cookies it got."""


class SharedLogin:
    """The account's login for this process: its gate, its saved file, its contexts."""

    def __init__(
        self,
        gate: LoginGate,
        settings: Settings,
        *,
        stats: SessionStats | None = None,
        pooled: bool = False,
    ) -> None:
        self.gate = gate
        self.stats = stats or SessionStats()
        self.turns = Turns(
            gate.queue, gate.secrets.account, this_process().text(), self.stats, pooled=pooled
        )
        state_dir = private_dir(settings.artifacts_dir / ".state")
        self.state_file = state_dir / f"{gate.secrets.account[:16]}.json"
        _drop_if_unreadable(self.state_file)
        self._state_seen = _mtime(self.state_file)
        self._lock = asyncio.Lock()
        self._contexts: set[BrowserContext] = set()
        self.generation = 0
        """Bumped by every login this process made or adopted."""
        self.logins = 0
        """Logins this process made itself."""
        self._dead: int | None = None
        """A generation the portal ended because the account signed in elsewhere."""

    @property
    def known(self) -> bool:
        """Whether there is a login to try at all (made here, adopted, or saved on disk)."""
        return self.generation > 0 or self._state_seen is not None

    @property
    def needs_login(self) -> bool:
        """Whether the portal ended the current login (a login elsewhere): the next caller logs
        in, whatever it saw."""
        return self._dead is not None and self._dead == self.generation

    def signed_out_elsewhere(self, seen: int) -> bool:
        """A context whose page last saw login ``seen`` was signed out for a login elsewhere.

        False when this process logged in since that context last looked (the sign-out was of
        an older login: the caller adopts the newer one and goes on). Else True: the current
        login is dead, the item goes back to the queue, and the account takes turns."""
        if seen < self.generation and not self.needs_login:
            return False
        if not self.needs_login:
            self._dead = self.generation
            self.stats.signed_out_elsewhere += 1
            log.warning("signed_out_elsewhere", times=self.stats.signed_out_elsewhere)
            self.turns.signed_out()
        return True

    def join(self, context: BrowserContext) -> None:
        self._contexts.add(context)

    def leave(self, context: BrowserContext) -> None:
        self._contexts.discard(context)

    async def log_in(self, attempt: Attempt, seen: int, *, force: bool = False) -> int:
        """A login for the caller, whose context last saw ``seen``: when a newer one exists, its
        cookies are already in every context and nothing is done; else the account's one attempt
        (``attempt``) or another process's login adopted. Returns the generation now.

        ``LoginRejected`` propagates and must stop the run; ``force`` is a person's
        ``pa-bot login``, which passes over a recorded rejection once."""
        async with self._lock:
            if self.generation > seen and not force and not self.needs_login:
                return self.generation
            if not force and not self.turns.ours():
                # Mid-item, after another machine took the turn: the item waits for ours.
                raise SignedOutElsewhere("another machine's turn on the account")
            made: list[list[dict[str, Any]]] = []

            async def attempt_once(totp: TotpCode | None) -> None:
                made.append(await attempt(totp))

            await self.gate.log_in(attempt_once, self._adopt_saved, force=force)
            if made:
                cookies = made[0]
                self.logins += 1
                self.stats.logins += 1
                _write_private(self.state_file, json.dumps({"cookies": cookies, "origins": []}))
                self._state_seen = _mtime(self.state_file)
                await self._share(cookies)
                log.info("logged_in", logins=self.logins, contexts=len(self._contexts))
            self.generation += 1
            return self.generation

    async def _adopt_saved(self) -> bool:
        """Take the login another process of this machine saved since this one last looked."""
        seen = _mtime(self.state_file)
        if seen is None or (self._state_seen is not None and seen <= self._state_seen):
            return False
        try:
            cookies = json.loads(self.state_file.read_text())["cookies"]
        except (OSError, ValueError, KeyError):
            return False
        await self._share(cookies)
        self._state_seen = seen
        return True

    async def _share(self, cookies: list[dict[str, Any]]) -> None:
        for context in list(self._contexts):
            # A context closed meanwhile (replaced, or its browser gone) needs no cookies.
            with contextlib.suppress(PlaywrightError):
                await context.add_cookies(cookies)  # type: ignore[arg-type]


def _write_private(path: Path, text: str) -> None:
    """Write owner-only and atomically: a worker killed mid-write leaves the old file whole."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    os.replace(temporary, path)


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _drop_if_unreadable(path: Path) -> None:
    """A saved login that cannot be read is removed: the worker logs in again instead."""
    try:
        json.loads(path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        log.warning("saved_login_unreadable")
