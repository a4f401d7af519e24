"""``pa-bot enqueue`` queues an expedited request ahead of standard ones; the run then claims
it first (the queue's own ordering is tested in tests/unit/queue/test_priority.py)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.enqueue import enqueue_files
from bot.queue import Priority, open_queue
from tests.support.requests import make_request


def test_an_expedited_request_is_queued_ahead_of_standard_ones(tmp_path: Path) -> None:
    day = tmp_path / "day.jsonl"
    requests = [
        make_request(id="REQ-STANDARD-1"),
        make_request(id="REQ-EXPEDITED-1", urgency="expedited", code_index=1),
    ]
    day.write_text("".join(r.model_dump_json(exclude_none=True) + "\n" for r in requests))
    queue = open_queue(f"sqlite:///{tmp_path / 'queue.db'}")
    try:
        enqueue_files(queue, [day], Console(file=None, quiet=True))

        assert {item.key: item.priority for item in queue.items()} == {
            "REQ-STANDARD-1": Priority.STANDARD,
            "REQ-EXPEDITED-1": Priority.EXPEDITED,
        }
        first = queue.claim("w", 60)
        assert first is not None and first.key == "REQ-EXPEDITED-1"
    finally:
        queue.close()
