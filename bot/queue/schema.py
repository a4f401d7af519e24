"""The queue's schema: the statements that create it, and the upgrades from earlier versions.

``schema.sql`` creates the current version in an empty database; ``upgrades/<n>.sql`` brings
a database of version n - 1 to version n, or ``upgrades/<n>.<dialect>.sql`` where the backends
need statements of their own (SQLite cannot alter a CHECK in place). Both backends run them in
the transaction that reads the version (SQLite under ``BEGIN IMMEDIATE`` and its openers' lock,
Postgres under an advisory lock), so that an upgrade happens once and whole, or not at all.
"""

from __future__ import annotations

from importlib import resources
from typing import Literal

from bot.queue.base import SCHEMA_VERSION, SchemaMismatch

OLDEST_UPGRADABLE = 2
"""The oldest version ``upgrades/`` brings to the current one; older ones are refused."""


def _statements(name: str) -> list[str]:
    """The statements of one of the package's SQL files, comments dropped (no statement holds
    ``--`` or ``;``)."""
    text = resources.files("bot.queue").joinpath(name).read_text(encoding="utf-8")
    code = "\n".join(line.split("--", 1)[0] for line in text.splitlines())
    return [statement.strip() for statement in code.split(";") if statement.strip()]


def schema_statements() -> list[str]:
    """``schema.sql``: the current schema, for an empty database."""
    return _statements("schema.sql")


def _upgrade(version: int, dialect: Literal["sqlite", "postgres"]) -> list[str]:
    own = f"upgrades/{version}.{dialect}.sql"
    if resources.files("bot.queue").joinpath(own).is_file():
        return _statements(own)
    return _statements(f"upgrades/{version}.sql")


def upgrade_statements(
    found: list[int], where: str, advice: str, dialect: Literal["sqlite", "postgres"]
) -> list[str]:
    """The statements that bring a database of version ``found`` to the current one on the
    ``dialect``'s backend (none when it is current); ``SchemaMismatch`` when no upgrade leads
    there (``where`` names the database, ``advice`` says what to do instead)."""
    if found == [SCHEMA_VERSION]:
        return []
    if len(found) == 1 and OLDEST_UPGRADABLE <= found[0] < SCHEMA_VERSION:
        return [
            statement
            for version in range(found[0] + 1, SCHEMA_VERSION + 1)
            for statement in _upgrade(version, dialect)
        ]
    made = ", ".join(map(str, found)) or "none"
    raise SchemaMismatch(
        f"the queue database {where} has schema version {made}; this pa-bot reads version "
        f"{SCHEMA_VERSION} (and upgrades versions {OLDEST_UPGRADABLE} to {SCHEMA_VERSION - 1}). "
        f"{advice}"
    )
