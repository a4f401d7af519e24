"""``pa-bot login``: one login attempt made on purpose by a person.

The way back after a recorded rejection (``bot.login_gate``): once the account works again on
the portal (unlocked, password reset), a person runs this; it passes over the recorded rejection
for exactly one attempt and clears the record when the login succeeds. A failure is recorded
again, and no other attempt follows.
"""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.markup import escape

from bot import log
from bot.browser import open_browser
from bot.config import Settings
from bot.errors import ConfigError, ExitCode, LoginRejected, PaBotError
from bot.holder import this_process
from bot.login_gate import LoginGate, credentials
from bot.queue import open_queue
from bot.session import PortalSession
from bot.shared_login import SharedLogin


def log_in_once(settings: Settings, console: Console) -> ExitCode:
    """One attempt; exit 0 on success, 4 when the portal rejects it, 3 when it cannot say."""
    queue = open_queue(settings.queue_url)
    try:
        try:
            secrets = credentials(settings)
        except ConfigError as exc:
            console.print(f"[red]error:[/] {escape(str(exc))}")
            return ExitCode.USAGE
        gate = LoginGate(queue, secrets, f"{this_process().text()}#login")
        try:
            asyncio.run(_log_in(settings, gate))
        except LoginRejected as exc:
            console.print(f"[red]login rejected:[/] {escape(log.redact(str(exc)))}")
            return ExitCode.LOGIN_REJECTED
        except PaBotError as exc:
            console.print(f"[red]the portal did not answer the login:[/] {escape(str(exc))}")
            return ExitCode.PORTAL_UNAVAILABLE
    finally:
        queue.close()
    console.print(
        f"Logged in to {escape(settings.portal_url)} as {escape(secrets.username)}; "
        "any recorded rejection of these credentials is cleared."
    )
    return ExitCode.OK


async def _log_in(settings: Settings, gate: LoginGate) -> None:
    async with open_browser(settings) as browser:
        session = await PortalSession.open(browser, settings, SharedLogin(gate, settings))
        try:
            await session.log_in(force=True)
        finally:
            await session.close()
