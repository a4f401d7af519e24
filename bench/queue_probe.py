"""``python -m bench.queue_probe OUT.json run --workers 8``: ``pa-bot`` itself, with every queue
SQLite transaction made on the event loop's thread timed (the engine makes its queue calls there,
synchronously: how long they hold the loop is what this measures). Heartbeat threads' calls,
made on their own connections, are left out: they never hold the loop."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from bot.cli import main as pa_bot
from bot.queue.sqlite import SqliteQueue


def timed(
    original: Callable[[SqliteQueue], AbstractContextManager[Any]], seen: list[float]
) -> Callable[[SqliteQueue], AbstractContextManager[Any]]:
    @contextmanager
    def wrapper(queue: SqliteQueue) -> Iterator[Any]:
        if threading.current_thread() is not threading.main_thread():
            with original(queue) as inner:
                yield inner
            return
        started = time.perf_counter()
        try:
            with original(queue) as inner:
                yield inner
        finally:
            seen.append(time.perf_counter() - started)

    return wrapper


def probe(out: Path, argv: list[str]) -> None:
    seen: list[float] = []
    started = time.perf_counter()
    sys.argv = ["pa-bot", *argv]
    try:
        with (
            mock.patch.object(SqliteQueue, "_write", timed(SqliteQueue._write, seen)),
            mock.patch.object(SqliteQueue, "_read", timed(SqliteQueue._read, seen)),
        ):
            pa_bot()
    finally:
        elapsed = time.perf_counter() - started
        out.write_text(json.dumps({"transactions_s": seen, "elapsed_s": elapsed}))


def figures(path: Path) -> dict[str, float]:
    """How long the queue's transactions held the event loop: per call and in all."""
    seen = json.loads(path.read_text())
    calls: list[float] = sorted(seen["transactions_s"])
    if not calls:
        return {"calls": 0}

    def at(share: float) -> float:
        return round(calls[min(len(calls) - 1, int(share * len(calls)))] * 1000, 2)

    return {
        "calls": len(calls),
        "median_ms": at(0.5),
        "p99_ms": at(0.99),
        "max_ms": round(calls[-1] * 1000, 2),
        "total_s": round(sum(calls), 2),
        "share_of_run": round(sum(calls) / float(seen["elapsed_s"]), 4),
    }


if __name__ == "__main__":
    probe(Path(sys.argv[1]), sys.argv[2:])
