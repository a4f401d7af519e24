"""Several processes on one queue: each item claimed exactly once, each key queued once; and what
a killed worker wrote survives it."""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from multiprocessing.queues import Queue as Results
from multiprocessing.synchronize import Barrier
from typing import Any

from bot.queue import Queue, State, open_queue
from tests.unit.queue.conftest import FakeClock

PROCESSES = 4
ITEMS = 200
KEYS = [f"key-{n}" for n in range(50)]
_spawn = multiprocessing.get_context("spawn")  # as the runner starts its workers

Report = list[Any] | str  # what a process did, or the error that stopped it
Work = Callable[[str, str, Barrier], list[Any]]


def _drain(url: str, name: str, start: Barrier) -> list[Any]:
    """Claim, mark submitting, finish, until nothing is left; the ids claimed."""
    queue = open_queue(url)
    claimed = []
    start.wait(timeout=60)
    while (item := queue.claim(name, 300)) is not None:
        queue.mark_submitting(item.id, name)
        queue.finish(item.id, name, State.SUBMITTED, reference_id=f"ref-{item.id}")
        claimed.append(item.id)
    queue.close()
    return claimed


def _enqueue_keys(url: str, name: str, start: Barrier) -> list[Any]:
    """Open the queue (a new file: creating it races too) and enqueue the same keys as the
    others; the keys this process created."""
    start.wait(timeout=60)
    queue = open_queue(url)
    created = [key for key in KEYS if queue.enqueue(key, "{}", name).created]
    queue.close()
    return created


def _child(work: Work, url: str, name: str, start: Barrier, results: Results[Any]) -> None:
    try:
        report: Report = work(url, name, start)
    except BaseException as exc:
        report = f"{type(exc).__name__}: {exc}"
    results.put((name, report))


def _in_processes(work: Work, url: str) -> dict[str, list[Any]]:
    """Run ``work`` in PROCESSES spawned processes released at once; what each did, by name."""
    start = _spawn.Barrier(PROCESSES)
    results: Results[tuple[str, Report]] = _spawn.Queue()
    processes = [
        _spawn.Process(target=_child, args=(work, url, f"p{n}", start, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    reports = dict(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
    failed = {name: report for name, report in reports.items() if isinstance(report, str)}
    assert not failed
    return {name: report for name, report in reports.items() if isinstance(report, list)}


def test_processes_claiming_at_once_take_each_item_exactly_once(
    queue: Queue, queue_url: str
) -> None:
    ids = [queue.enqueue(f"req-{n}", "{}", f"day.json#{n}").item.id for n in range(ITEMS)]

    reports = _in_processes(_drain, queue_url)

    claims = Counter(item_id for claimed in reports.values() for item_id in claimed)
    assert sorted(claims) == ids
    assert set(claims.values()) == {1}
    items = queue.items()
    assert {item.state for item in items} == {State.SUBMITTED}
    assert {item.attempts for item in items} == {1}
    by_worker = {item_id: name for name, claimed in reports.items() for item_id in claimed}
    for item in items:
        assert item.reference_id == f"ref-{item.id}"
        assert {e.worker for e in queue.history(item.id)} == {None, by_worker[item.id]}


def test_processes_enqueueing_the_same_keys_queue_each_once(
    queue_url: str, connect: Callable[[str], Queue]
) -> None:
    reports = _in_processes(_enqueue_keys, queue_url)

    created = Counter(key for keys in reports.values() for key in keys)
    assert sorted(created) == sorted(KEYS)
    assert set(created.values()) == {1}
    assert connect(queue_url).counts()[State.PENDING] == len(KEYS)


def _submit_and_die(url: str, item_id: int) -> None:
    """Claim, write ``submitting``, then die at once: no close, no cleanup (a crash)."""
    queue = open_queue(url)
    assert queue.claim("doomed", 60, item_id=item_id) is not None
    queue.mark_submitting(item_id, "doomed")
    os._exit(9)


def test_a_killed_workers_submitting_survives_and_is_handed_out_for_reconciliation(
    queue: Queue, queue_url: str, clock: FakeClock, connect: Callable[[str], Queue]
) -> None:
    item = queue.enqueue("req-1", "{}", "day.json#1").item
    process = _spawn.Process(target=_submit_and_die, args=(queue_url, item.id))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 9

    after = connect(queue_url)
    assert after.get(item.id).state == State.SUBMITTING
    assert after.claim("w2", 60) is None  # the dead worker's lease still runs
    clock.advance(3600)
    taken = after.claim("w2", 60)
    assert taken is not None and taken.id == item.id
    assert taken.state == State.SUBMITTING and taken.submitting_at is not None
