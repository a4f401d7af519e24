"""What is particular to the SQLite backend: URLs, the file, its schema version, its settings."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime
from pathlib import Path

import pytest

from bot.queue import (
    SCHEMA_VERSION,
    QueueUnavailable,
    SchemaMismatch,
    SqliteQueue,
    open_queue,
)
from bot.queue.schema import schema_statements


def test_a_relative_url_is_relative_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    open_queue("sqlite:///var/queue.db").close()

    assert (tmp_path / "var" / "queue.db").is_file()


def test_an_absolute_url_and_its_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "queue.db"

    open_queue(f"sqlite:///{path}").close()  # sqlite:////tmp/... : four slashes

    assert path.is_file()


def test_the_file_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "private" / "queue.db"
    queue = open_queue(f"sqlite:///{path}")
    queue.enqueue("k", "{}", "f#1")

    for made in (path, Path(f"{path}-wal")):
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    queue.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user:secret@db/pa", "unknown queue URL scheme 'mysql'"),
        ("sqlite:///", "names no file"),
    ],
)
def test_urls_it_cannot_open(url: str, message: str) -> None:
    with pytest.raises(QueueUnavailable, match=message) as caught:
        open_queue(url)
    assert "secret" not in str(caught.value)


def test_a_path_it_cannot_create(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(QueueUnavailable, match="cannot open"):
        open_queue(f"sqlite:///{blocker}/queue.db")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    path.write_bytes(b"this is not SQLite " * 100)

    with pytest.raises(QueueUnavailable, match="cannot use"):
        open_queue(f"sqlite:///{path}")


def test_a_new_file_gets_the_current_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"

    open_queue(f"sqlite:///{path}").close()

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


def test_a_database_of_another_schema_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "queue.db"
    queue = open_queue(f"sqlite:///{path}")
    queue.enqueue("k", "{}", "f#1")
    queue.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 9")
    db.close()

    with pytest.raises(SchemaMismatch, match="schema version 9; this pa-bot reads version 7"):
        open_queue(f"sqlite:///{path}")

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM items").fetchone() == (1,)
    db.close()


def test_a_database_that_is_not_a_queue_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE patients (name TEXT)")
    db.close()

    with pytest.raises(SchemaMismatch, match="not a pa-bot queue database"):
        open_queue(f"sqlite:///{path}")


def test_wal_and_full_sync(tmp_path: Path) -> None:
    queue = SqliteQueue(tmp_path / "queue.db")

    pragmas = {
        name: queue._db.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "busy_timeout")
    }

    assert pragmas == {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 30_000}
    queue.close()


def test_the_schema_file_is_portable_sql() -> None:
    """The Postgres backend runs the same file: no SQLite-only words."""
    statements = schema_statements()
    text = " ".join(statements).upper()

    for word in ("AUTOINCREMENT", "WITHOUT ROWID", "PRAGMA", "STRICT", "DATETIME("):
        assert word not in text
    assert f"INSERT INTO SCHEMA_VERSION (VERSION) VALUES ({SCHEMA_VERSION})" in text
    assert sum(s.upper().startswith("CREATE TABLE") for s in statements) == 11


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SqliteQueue(tmp_path / "queue.db", clock=datetime.now)
