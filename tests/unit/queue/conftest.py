"""The queue contract suite's fixtures. Every test that takes ``queue``, ``queue_url`` or
``new_url`` runs against each backend in ``BACKENDS``, on a real database (no mocks): a file of
its own for SQLite, a database of its own for Postgres (see ``tests/support/postgres.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.queue import Queue, open_queue
from tests.support.postgres import pg_new_url as pg_new_url
from tests.support.postgres import pg_server as pg_server


class FakeClock:
    """A clock that moves only when told, so that leases expire without sleeping. It starts at
    the real time, so that it compares with the times other processes write."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


BACKENDS = ("postgres", "sqlite")


@pytest.fixture(params=BACKENDS)
def new_url(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Makes the URL of another fresh, empty queue each call."""
    if request.param == "postgres":  # asked for only here: SQLite-only runs start no Postgres
        make: Callable[[], str] = request.getfixturevalue("pg_new_url")
        return make
    made = iter(range(1_000_000))
    return lambda: f"sqlite:///{tmp_path / f'queue{next(made)}'}.db"


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
