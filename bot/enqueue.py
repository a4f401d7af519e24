"""``pa-bot enqueue``: every request read ends queued, or stored and reported as invalid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from bot import documentation
from bot.config import Settings
from bot.display import print_documentation, print_invalid
from bot.intake import Accepted, read_requests
from bot.pas_request import read_pas_file
from bot.queue import Queue
from bot.queued import payload, priority_of


@dataclass
class EnqueueSummary:
    """What one ``enqueue`` call did."""

    queued: int = 0
    duplicates: list[str] = field(default_factory=list)
    invalid: int = 0


def enqueue_files(
    queue: Queue,
    paths: list[Path],
    console: Console,
    *,
    private_dirs: Sequence[Path] = (),
    settings: Settings | None = None,
) -> EnqueueSummary:
    """Validate and queue every request of every file; print each invalid one with its errors.

    ``private_dirs`` (the artifacts folder) hold nothing a request may attach. With
    ``settings``, a file holding a Da Vinci PAS request Bundle is read as one request
    (``bot.pas_request``: its attachments go to the artifacts folder)."""
    summary = EnqueueSummary()
    for path in paths:
        pas = read_pas_file(path, settings) if settings is not None else None
        entries = [pas] if pas is not None else read_requests(path, private_dirs=private_dirs)
        for entry in entries:
            if isinstance(entry, Accepted):
                request = entry.request
                result = queue.enqueue(
                    request.key, payload(request), entry.source, priority=priority_of(request)
                )
                if result.created:
                    summary.queued += 1
                    print_documentation(console, request.key, documentation.warnings(request))
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
