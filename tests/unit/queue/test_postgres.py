"""What is particular to the Postgres backend: URLs, the schema on first use and its version, the
database's clock, and a connection lost mid-run. (The contract suite runs on it as well.)"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from bot.queue import (
    SCHEMA_VERSION,
    QueueUnavailable,
    SchemaMismatch,
    State,
    open_queue,
)
from bot.queue.postgres import PostgresQueue
from tests.support.postgres import PostgresServer, binaries, url_of
from tests.unit.queue.conftest import FakeClock

SECRET = "s3cret-pw"


@pytest.fixture
def pg_url(pg_new_url: Callable[[], str]) -> str:
    return pg_new_url()


@pytest.fixture
def pg_sql(pg_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain connection to the test's database, to look behind the queue's back."""
    with psycopg.connect(pg_url, autocommit=True) as db:
        yield db


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_without_postgres_the_tests_fail_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tests.support.postgres.glob.glob", lambda pattern: [])

    with pytest.raises(pytest.fail.Exception, match="install Debian's postgresql package"):
        binaries()


def test_both_url_schemes_open_the_postgres_backend(pg_url: str) -> None:
    for url in (pg_url, pg_url.replace("postgresql://", "postgres://", 1)):
        queue = open_queue(url)
        assert isinstance(queue, PostgresQueue)
        queue.close()


def test_an_unreachable_server_is_named_without_its_password() -> None:
    port = _unused_port()

    with pytest.raises(QueueUnavailable) as caught:
        open_queue(f"postgresql://pa:{SECRET}@127.0.0.1:{port}/queue?connect_timeout=2")

    message = str(caught.value)
    assert f"cannot connect to the queue database postgresql://pa@127.0.0.1:{port}/queue" in message
    assert SECRET not in message


def test_a_missing_database_is_named_without_its_password(pg_server: PostgresServer) -> None:
    url = url_of({**pg_server.params, "password": SECRET}, "no_such_database")

    with pytest.raises(QueueUnavailable, match="no_such_database") as caught:
        open_queue(url)

    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [f"postgresql://pa:{SECRET}@[db/queue", f"postgresql://pa:{SECRET}@db/queue?nonsense=1"],
)
def test_a_malformed_url_is_refused_without_quoting_it(url: str) -> None:
    """libpq quotes the whole URL in some of its complaints: they are not passed on."""
    with pytest.raises(QueueUnavailable, match="not a valid Postgres URL") as caught:
        open_queue(url)

    assert SECRET not in str(caught.value)


def _shown(url: str, *names: str) -> list[object]:
    """The session settings a queue opened on ``url`` runs with."""
    queue = open_queue(url)
    assert isinstance(queue, PostgresQueue)
    values = []
    for name in names:
        row = queue._db.execute(f"SHOW {name}").fetchone()
        assert row is not None
        values.append(row[name])
    queue.close()
    return values


def test_connection_defaults_apply_unless_the_url_sets_them(pg_url: str) -> None:
    names = ("application_name", "lock_timeout", "idle_in_transaction_session_timeout")

    assert _shown(pg_url, *names) == ["pa-bot", "30s", "1min"]
    joiner = "&" if "?" in pg_url else "?"
    assert _shown(f"{pg_url}{joiner}application_name=night-b", "application_name") == ["night-b"]


def test_a_new_database_gets_the_schema_with_identity_ids(
    pg_url: str, pg_sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    queue = open_queue(pg_url)
    first = queue.enqueue("a", "{}", "f#1").item
    second = queue.enqueue("b", "{}", "f#2").item
    queue.close()

    assert pg_sql.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert second.id == first.id + 1
    identity = pg_sql.execute(
        "SELECT table_name FROM information_schema.columns"
        " WHERE column_name = 'id' AND is_identity = 'YES' ORDER BY table_name"
    ).fetchall()
    assert identity == [
        ("appeals",),
        ("audit_log",),
        ("eligibility_checks",),
        ("follow_ups",),
        ("item_events",),
        ("items",),
    ]


def test_a_database_of_another_schema_version_is_refused_untouched(
    pg_url: str, pg_sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    queue = open_queue(pg_url)
    queue.enqueue("k", "{}", "f#1")
    queue.close()
    pg_sql.execute("UPDATE schema_version SET version = 0")

    with pytest.raises(SchemaMismatch, match="schema version 0; this pa-bot reads version 7"):
        open_queue(pg_url)

    assert pg_sql.execute("SELECT count(*) FROM items").fetchone() == (1,)
    assert pg_sql.execute("SELECT version FROM schema_version").fetchall() == [(0,)]


def test_a_database_that_is_not_a_queue_is_refused(
    pg_url: str, pg_sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    pg_sql.execute("CREATE TABLE patients (name TEXT)")

    with pytest.raises(SchemaMismatch, match="not a pa-bot queue database"):
        open_queue(pg_url)

    tables = pg_sql.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
    ).fetchall()
    assert tables == [("patients",)]


def test_leases_follow_the_databases_clock_not_the_machines(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker machine whose clock is a day behind still leases for the right time."""

    class BehindByADay(datetime):
        @classmethod
        def now(cls, tz: object = None) -> BehindByADay:
            return cls.fromtimestamp(datetime.now(UTC).timestamp() - 86_400, UTC)

    monkeypatch.setattr("bot.queue.base.datetime", BehindByADay)
    queue = open_queue(pg_url)
    queue.enqueue("a", "{}", "f#1")
    before = datetime.now(UTC)

    item = queue.claim("w1", 60)

    assert item is not None and item.lease_expires_at is not None
    assert before <= item.lease_expires_at - timedelta(seconds=60) <= datetime.now(UTC)
    assert item.created_at >= before - timedelta(seconds=5)
    queue.close()


def test_a_given_clock_replaces_the_databases(pg_url: str) -> None:
    clock = FakeClock()
    clock.advance(-3600)
    queue = open_queue(pg_url, clock=clock)

    item = queue.enqueue("a", "{}", "f#1").item

    assert item.created_at == clock.now
    queue.close()


def test_a_naive_clock_is_refused(pg_url: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        open_queue(pg_url, clock=datetime.now)


def test_a_connection_lost_mid_run_stops_the_worker_and_its_item_comes_back(
    pg_url: str, pg_sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    clock = FakeClock()
    queue = open_queue(pg_url, clock=clock)
    item = queue.enqueue("a", "{}", "f#1").item
    assert queue.claim("w1", 60) is not None
    assert isinstance(queue, PostgresQueue)
    pg_sql.execute("SELECT pg_terminate_backend(%s)", (queue._db.info.backend_pid,))

    for call in (
        lambda: queue.mark_submitting(item.id, "w1"),
        lambda: queue.get(item.id),
        lambda: queue.heartbeat(item.id, "w1", 60),
    ):
        with pytest.raises(QueueUnavailable, match="connection lost"):
            call()
    queue.close()

    other = open_queue(pg_url, clock=clock)
    assert other.get(item.id).state == State.IN_PROGRESS  # the write that failed did not happen
    assert other.claim("w2", 60) is None
    clock.advance(61)
    taken = other.claim("w2", 60)
    assert taken is not None and taken.id == item.id and taken.attempts == 2
    other.close()


def test_claims_skip_rows_another_transaction_holds(
    pg_url: str, pg_sql: psycopg.Connection[tuple[object, ...]]
) -> None:
    """A claim does not wait behind another worker's locked row: it takes the next one."""
    queue = open_queue(pg_url)
    first = queue.enqueue("a", "{}", "f#1").item
    second = queue.enqueue("b", "{}", "f#2").item

    with pg_sql.transaction():
        pg_sql.execute("SELECT * FROM items WHERE id = %s FOR UPDATE", (first.id,))
        taken = queue.claim("w1", 60)

    assert taken is not None and taken.id == second.id
    queue.close()
