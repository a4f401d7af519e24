"""``pa-bot enqueue``: every request read ends queued, or stored and reported as invalid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from bot.display import print_invalid
from bot.intake import Accepted, read_requests
from bot.queue import Queue
from bot.queued import payload, priority_of


@dataclass
class EnqueueSummary:
    """What one ``enqueue`` call did."""

    queued: int = 0
    duplicates: list[str] = field(default_factory=list)
    invalid: int = 0


def enqueue_files(
    queue: Queue, paths: list[Path], console: Console, *, private_dirs: Sequence[Path] = ()
) -> EnqueueSummary:
    """Validate and queue every request of every file; print each invalid one with its errors.

    ``private_dirs`` (the artifacts folder) hold nothing a request may attach."""
    summary = EnqueueSummary()
    for path in paths:
        for entry in read_requests(path, private_dirs=private_dirs):
            if isinstance(entry, Accepted):
                request = entry.request
                result = queue.enqueue(
                    request.key, payload(request), entry.source, priority=priority_of(request)
                )
                if result.created:
                    summary.queued += 1
                else:
                    summary.duplicates.append(entry.request.key)
                    console.print(
                        f"[yellow]duplicate[/] {entry.source}: {entry.request.key} is already "
                        f"queued ({result.item.state}); not queued twice"
                    )
                continue
            queue.add_invalid(entry.raw, entry.source, entry.errors)
            summary.invalid += 1
            print_invalid(console, entry.source, entry.errors)
    console.print(
        f"{summary.queued} queued, {len(summary.duplicates)} duplicates, {summary.invalid} invalid"
    )
    return summary
