"""A browser context's Playwright trace: started on a retry (or always), kept only for failures,
and never recording what is typed into the login form."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from playwright.async_api import BrowserContext

from bot.config import Settings


class Tracing:
    """The trace of one context, set aside in parts around logins."""

    def __init__(self, context: BrowserContext, settings: Settings, parts_dir: Path) -> None:
        self.context = context
        self.settings = settings
        self.parts_dir = parts_dir
        self.running = False
        self._parts: list[Path] = []

    async def start(self) -> None:
        """Trace from now until ``stop`` (nothing happens when a trace already runs)."""
        # The trace records every action, its timing and error, and the console. DOM snapshots
        # (with the network) cost ~0.3 CPU s per request, a quarter of the request, so they are
        # taken only when asked; the flow keeps the failed page's screenshot and HTML anyway.
        # The screencast costs ~0.7 CPU s more and is never taken.
        if self.running:
            return
        await self.context.tracing.start(screenshots=False, snapshots=self.settings.trace_snapshots)
        self.running = True

    async def pause(self) -> bool:
        """Set the trace so far aside (before a login); whether one was running."""
        if not self.running:
            return False
        part = self.parts_dir / f"trace-part-{os.getpid()}-{id(self):x}-{len(self._parts)}.zip"
        await self.context.tracing.stop(path=str(part))
        self._parts.append(part)
        self.running = False
        return True

    async def stop(self, keep_as: Path | None) -> None:
        """Stop tracing; keep the trace only when asked (failures).

        A trace interrupted by logins is kept in parts: ``keep_as`` holds what came after the
        last login, ``<stem>-1.zip``, ``<stem>-2.zip``… what came before, oldest first.
        """
        parts, self._parts = self._parts, []
        for number, part in enumerate(parts, start=1):
            with contextlib.suppress(OSError):
                if keep_as is None:
                    part.unlink(missing_ok=True)
                else:
                    part.replace(keep_as.with_name(f"{keep_as.stem}-{number}{keep_as.suffix}"))
        if not self.running:
            return
        self.running = False
        with contextlib.suppress(Exception):
            if keep_as is None:
                await self.context.tracing.stop()
            else:
                await self.context.tracing.stop(path=str(keep_as))
