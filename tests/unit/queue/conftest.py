"""The queue contract suite's fixtures. Every test runs against each backend in ``BACKENDS``
(a real database, no mocks); a Postgres backend joins by adding its URL maker there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.queue import Queue, open_queue


class FakeClock:
    """A clock that moves only when told, so that leases expire without sleeping. It starts at
    the real time, so that it compares with the times other processes write."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{folder / name}.db"


BACKENDS: dict[str, Callable[[Path, str], str]] = {"sqlite": _sqlite_url}
"""Backend name -> a maker of the URL of a fresh, empty queue (given a private folder, a name)."""


@pytest.fixture(params=sorted(BACKENDS))
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes the URL of another fresh, empty queue each call."""
    make = BACKENDS[request.param]
    made = iter(range(1_000_000))
    return lambda: make(tmp_path, f"queue{next(made)}")


@pytest.fixture
def queue_url(new_url: Callable[[], str]) -> str:
    """The URL of this test's queue."""
    return new_url()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connect(clock: FakeClock) -> Iterator[Callable[[str], Queue]]:
    """Opens a connection to a queue, on the test's clock; all are closed after the test."""
    opened: list[Queue] = []

    def open_one(url: str) -> Queue:
        queue = open_queue(url, clock=clock)
        opened.append(queue)
        return queue

    yield open_one
    for queue in opened:
        queue.close()


@pytest.fixture
def queue(connect: Callable[[str], Queue], queue_url: str) -> Queue:
    """This test's queue, on the test's clock."""
    return connect(queue_url)
