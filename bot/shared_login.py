"""One portal login per account per machine, shared by every browser context of the process.

Contexts of one process take turns through an asyncio lock: the first that needs a login makes
it (through the login gate, which keeps other processes and machines to one attempt in flight),
and the rest take its cookies. A new login, whoever made it, is copied into every context, so a
re-login refreshes them all. Other processes of this machine read the saved login file
(``<artifacts>/.state``) that the gate lets them adopt.
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
from bot.log import get_logger
from bot.login_gate import LoginGate, TotpCode

log = get_logger(__name__)

Attempt = Callable[[TotpCode | None], Awaitable[list[dict[str, Any]]]]
"""A context's login attempt: logs in on its own page, returns the cookies it got."""


class SharedLogin:
    """The account's login for this process: its gate, its saved file, its contexts."""

    def __init__(self, gate: LoginGate, settings: Settings) -> None:
        self.gate = gate
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

    @property
    def known(self) -> bool:
        """Whether there is a login to try at all (made here, adopted, or saved on disk)."""
        return self.generation > 0 or self._state_seen is not None

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
            if self.generation > seen and not force:
                return self.generation
            made: list[list[dict[str, Any]]] = []

            async def attempt_once(totp: TotpCode | None) -> None:
                made.append(await attempt(totp))

            await self.gate.log_in(attempt_once, self._adopt_saved, force=force)
            if made:
                cookies = made[0]
                self.logins += 1
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
