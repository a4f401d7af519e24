"""``python -m bench.probe OUT.json run --workers 1``: ``pa-bot`` itself, with a listener on its
browser context.

The command is the product's CLI (``bot.cli.main``) unchanged; the only difference is that the
session the worker builds gets a ``NetLog`` attached (a listener that reads what Playwright
already sends with each event) and its logins timed. What was seen is written to ``OUT.json``
when the command ends.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from unittest import mock

from bench.netlog import Exchange, NetLog
from bot.cli import main as pa_bot
from bot.session import PortalSession


def probe(out: Path, argv: list[str]) -> None:
    netlog = NetLog()
    logins: list[float] = []

    class Watched(PortalSession):
        async def _open_context(self) -> None:
            await super()._open_context()
            netlog.attach(self.context)

        async def log_in(self, *, force: bool = False) -> None:
            started = time.perf_counter()
            await super().log_in(force=force)
            logins.append(time.perf_counter() - started)

    sys.argv = ["pa-bot", *argv]
    try:
        with mock.patch("bot.engine.PortalSession", Watched):
            pa_bot()
    finally:
        seen = {"logins_s": logins, "exchanges": [asdict(e) for e in netlog.exchanges]}
        out.write_text(json.dumps(seen))


def load(path: Path) -> tuple[list[float], NetLog]:
    """The logins and the exchanges a probe wrote."""
    seen = json.loads(path.read_text())
    return seen["logins_s"], NetLog(exchanges=[Exchange(**e) for e in seen["exchanges"]])


if __name__ == "__main__":
    probe(Path(sys.argv[1]), sys.argv[2:])
