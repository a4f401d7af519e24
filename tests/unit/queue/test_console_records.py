"""The console's records in the queue's database, on each backend: accounts, the wrong-password
count that locks an account, the audit log and its filters, the cookie secret kept once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.queue import Queue
from bot.queue.console_store import UserExists, UserNotFound, console_queue
from tests.unit.queue.conftest import FakeClock


def test_accounts_are_kept_and_changed(queue: Queue) -> None:
    records = console_queue(queue)
    records.user_add("ann", "staff", "hash-1")
    records.user_add("ehr", "system", None)

    with pytest.raises(UserExists):
        records.user_add("ann", "admin", "hash-2")
    with pytest.raises(UserNotFound):
        records.user_set("nobody", disabled=True)
    records.user_set("ehr", token_hash="digest")
    records.user_set("ann", password_hash="hash-3", disabled=True)

    assert [(u.name, u.role) for u in records.users()] == [("ann", "staff"), ("ehr", "system")]
    ann = records.user("ann")
    assert ann is not None and ann.disabled and ann.password_hash == "hash-3"
    found = records.user_by_token("digest")
    assert found is not None and found.name == "ehr"
    assert records.user_by_token("other") is None


def test_the_fifth_wrong_password_in_a_row_locks_the_account(
    queue: Queue, clock: FakeClock
) -> None:
    records = console_queue(queue)
    records.user_add("ann", "staff", "hash")
    for _ in range(4):
        counted = records.user_failed_login("ann", 5, 900)
        assert counted is not None and not counted.locked_at(clock.now)

    locked = records.user_failed_login("ann", 5, 900)

    assert locked is not None and locked.locked_at(clock.now)
    clock.advance(899)
    assert locked.locked_at(clock.now)
    clock.advance(2)
    assert not locked.locked_at(clock.now)
    assert records.user_failed_login("nobody", 5, 900) is None
    unlocked = records.user_unlock("ann")
    assert unlocked.failed_logins == 0 and unlocked.locked_until is None


def test_the_audit_log_is_newest_first_and_filtered(queue: Queue) -> None:
    records = console_queue(queue)
    records.audit("ann", "signed_in", None, None)
    records.audit("ann", "viewed", 7, None)
    records.audit("bob", "viewed", 8, None)
    records.audit("bob", "cancelled", 8, "by request")

    assert [e.action for e in records.audit_entries()] == [
        "cancelled",
        "viewed",
        "viewed",
        "signed_in",
    ]
    assert [e.item_id for e in records.audit_entries(action="viewed")] == [8, 7]
    assert [e.action for e in records.audit_entries(actor="bob", item_id=8)] == [
        "cancelled",
        "viewed",
    ]
    assert records.audit_entries(limit=1)[0].detail == "by request"


def test_the_cookie_secret_is_made_once(connect: Callable[[str], Queue], queue_url: str) -> None:
    first = console_queue(connect(queue_url)).console_secret()
    second = console_queue(connect(queue_url)).console_secret()

    assert first == second and len(first) >= 40
