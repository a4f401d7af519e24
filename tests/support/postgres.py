"""A real Postgres for the tests: the one ``PA_BOT_TEST_POSTGRES_URL`` names, else a throwaway
cluster of Debian's ``postgresql`` package, started in a temporary folder for the session.

Each test gets a database of its own, cloned from an empty template. No Postgres at all is a
failure, not a skip: the queue's contract must hold on both backends.

The fixtures are named ``pg_*`` so that they cannot clash with other suites' fixtures.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

ENV_URL = "PA_BOT_TEST_POSTGRES_URL"
TEMPLATE = f"pa_bot_test_template_{os.getpid()}"
"""Per test process: xdist's workers may share one server (``PA_BOT_TEST_POSTGRES_URL``)."""
INSTALL_HINT = (
    "The queue tests need Postgres: install Debian's postgresql package "
    "(apt-get install postgresql; .ci/run does), or set PA_BOT_TEST_POSTGRES_URL to a "
    "postgresql:// URL whose role may CREATE DATABASE."
)


def url_of(params: dict[str, Any], dbname: str) -> str:
    """A ``postgresql://`` URL for ``dbname`` on the server ``params`` (libpq's keywords) name."""
    user = quote(str(params.get("user", "")), safe="")
    password = params.get("password")
    auth = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.get("host", ""))
    query = []
    if host.startswith("/"):  # a unix socket's folder goes in the query
        query.append(f"host={quote(host, safe='/')}")
        host = ""
    port = params.get("port")
    if port and query:
        query.append(f"port={port}")
    elif port:
        host = f"{host}:{port}"
    tail = "?" + "&".join(query) if query else ""
    return f"postgresql://{auth}{host}/{dbname}{tail}"


@dataclass
class PostgresServer:
    """A server the tests may create databases on."""

    params: dict[str, Any]
    """libpq's connection keywords for the admin database."""
    made: list[str] = field(default_factory=list)
    _names: Iterator[int] = field(default_factory=itertools.count)

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(**self.params, autocommit=True)

    def prepare(self) -> None:
        """The empty template every test's database is cloned from."""
        with self.admin() as db:
            db.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE))
            )
            db.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(TEMPLATE))
            )

    def new_database(self) -> str:
        """A fresh, empty database (no tables); its URL."""
        name = f"pa_bot_test_{os.getpid()}_{next(self._names)}"
        with self.admin() as db:
            db.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(TEMPLATE)
                )
            )
        self.made.append(name)
        return url_of(self.params, name)

    def drop_made(self, *also: str) -> None:
        with self.admin() as db:
            for name in [*reversed(self.made), *also]:
                db.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.made.clear()


def binaries() -> Path:
    """The folder of the newest Debian Postgres binaries; the test fails without them."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4])
    )
    if not found:
        pytest.fail(f"no Postgres binaries in /usr/lib/postgresql/*/bin. {INSTALL_HINT}")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def throwaway_cluster() -> Iterator[dict[str, Any]]:
    """initdb, start and, at the end, stop and delete a cluster listening on a unix socket in its
    own temporary folder. Postgres refuses to run as root, so as root it runs as ``postgres``."""
    bin_dir = binaries()
    as_owner: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="pa-bot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()
    settings = (
        f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        " -c synchronous_commit=off -c max_connections=200"
    )

    def run(*command: str | Path) -> None:
        done = subprocess.run(
            [*as_owner, *map(str, command)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            log = (folder / "log").read_text() if (folder / "log").exists() else ""
            pytest.fail(f"{command[0]} failed: {done.stdout}{done.stderr}{log}")

    try:
        run(
            bin_dir / "initdb",
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        run(bin_dir / "pg_ctl", "-D", data, "-l", folder / "log", "-o", settings, "-w", "start")
        try:
            yield {"host": str(folder), "port": port, "user": "postgres", "dbname": "postgres"}
        finally:
            run(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """The session's Postgres server, with its test template ready."""
    given = os.environ.get(ENV_URL)
    if given:
        server = PostgresServer(conninfo_to_dict(given))
        server.prepare()
        yield server
        server.drop_made(TEMPLATE)  # a shared server keeps nothing of ours
        return
    with throwaway_cluster() as params:
        server = PostgresServer(params)
        server.prepare()
        yield server


@pytest.fixture
def pg_new_url(pg_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """Makes another fresh, empty database each call; all are dropped after the test."""
    yield pg_server.new_database
    pg_server.drop_made()
