"""``pa-bot users`` as an administrator runs it: passwords from standard input, never on the
command line; roles; tokens for system accounts only, stored as digests; each change audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.console.passwords import password_matches, token_digest
from bot.queue import open_queue
from bot.queue.console_store import console_queue
from tests.support.cli import pa_bot


@pytest.fixture
def where(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, queue_url=f"sqlite:///{tmp_path / 'queue.db'}")


def test_accounts_are_added_listed_changed_and_disabled(where: Settings) -> None:
    added = pa_bot(where, "users", "add", "ann", "--role", "admin", stdin="Long-enough-pw1\n")
    short = pa_bot(where, "users", "add", "bob", stdin="short\n")
    again = pa_bot(where, "users", "add", "ann", stdin="Long-enough-pw1\n")
    bad_role = pa_bot(where, "users", "add", "cy", "--role", "boss", stdin="Long-enough-pw1\n")
    changed = pa_bot(where, "users", "passwd", "ann", stdin="Another-long-pw2\n")
    disabled = pa_bot(where, "users", "disable", "ann")
    listed = pa_bot(where, "users", "list")
    nobody = pa_bot(where, "users", "unlock", "nobody")

    assert added.returncode == 0 and "Added admin account ann." in added.stdout
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert again.returncode == 2 and "exists already" in again.stderr
    assert bad_role.returncode == 2 and "--role must be one of" in bad_role.stderr
    assert changed.returncode == disabled.returncode == 0
    assert "ann" in listed.stdout and "admin" in listed.stdout and "disabled" in listed.stdout
    assert nobody.returncode == 2 and "no console account" in nobody.stderr
    queue = console_queue(open_queue(where.queue_url))
    try:
        ann = queue.user("ann")
        assert ann is not None and ann.disabled and queue.user("bob") is None
        assert password_matches("Another-long-pw2", ann.password_hash)
        assert ann.password_hash is not None and "Another" not in ann.password_hash
        audited = [(e.action, e.detail) for e in reversed(queue.audit_entries())]
    finally:
        queue.close()
    assert audited == [
        ("user_added", "ann (admin)"),
        ("password_set", "ann"),
        ("user_disabled", "ann"),
    ]


def test_a_token_is_printed_once_and_kept_only_as_a_digest(where: Settings) -> None:
    assert pa_bot(where, "users", "add", "ehr", "--role", "system").returncode == 0
    assert pa_bot(where, "users", "add", "ann", stdin="Long-enough-pw1\n").returncode == 0

    issued = pa_bot(where, "users", "token", "ehr")
    refused = pa_bot(where, "users", "token", "ann")

    token = issued.stdout.strip()
    assert issued.returncode == 0 and token.startswith("pab_") and len(token) > 40
    assert refused.returncode == 2 and "not a system account" in refused.stderr
    queue = console_queue(open_queue(where.queue_url))
    try:
        ehr = queue.user_by_token(token_digest(token))
        assert ehr is not None and ehr.name == "ehr" and ehr.password_hash is None
        assert ehr.token_hash != token
    finally:
        queue.close()
