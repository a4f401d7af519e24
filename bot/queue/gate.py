"""The login gate's statements: one row per portal account in ``login_gate`` (schema.sql).

Each operation is one write transaction that locks the account's row (Postgres: ``FOR UPDATE``;
SQLite: ``BEGIN IMMEDIATE`` holds the whole file), so that two workers anywhere can never both
believe they hold the account's one login attempt. ``bot.login_gate`` gives these their meaning.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.queue.base import GateRecord, GateVerdict, LoginOutcome, to_text

if TYPE_CHECKING:
    from bot.queue.rows import Row
    from bot.queue.sql import Tx

_NO_ATTEMPT = "attempt_holder = NULL, attempt_since = NULL, attempt_until = NULL"


class GateStore:
    """The ``Queue`` protocol's ``login_*`` operations, over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def login_enter(
        self, account: str, digest: str, holder: str, lease_seconds: float, *, force: bool = False
    ) -> GateVerdict:
        with self._write() as tx:
            found = _locked(tx, account)
            record = None if found is None else gate_record(found)
            if record is not None:
                standing = record.rejected_digest == digest and not force
                in_flight = (
                    record.attempt_holder not in (None, holder)
                    and record.attempt_until is not None
                    and record.attempt_until > tx.now
                )
                if standing or in_flight:
                    return GateVerdict(granted=False, record=record)
            until = to_text(tx.now + timedelta(seconds=lease_seconds))
            if record is None:
                inserted = tx.run(
                    "INSERT INTO login_gate (account, attempt_holder, attempt_since, attempt_until)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (account) DO NOTHING RETURNING account",
                    (account, holder, tx.stamp, until),
                ).fetchone()
                # Another machine inserted the row between our read and our write (Postgres
                # cannot lock a row that did not exist): its attempt is in flight.
                return GateVerdict(granted=inserted is not None, record=None)
            tx.run(
                "UPDATE login_gate SET attempt_holder = ?, attempt_since = ?, attempt_until = ?"
                " WHERE account = ?",
                (holder, tx.stamp, until, account),
            )
            return GateVerdict(granted=True, record=record)

    def login_leave(
        self, account: str, digest: str, holder: str, outcome: LoginOutcome, reason: str = ""
    ) -> None:
        with self._write() as tx:
            found = _locked(tx, account)
            if found is None or found["attempt_holder"] != holder:
                return  # taken over after our lease ran out: the new holder's outcome stands
            if outcome == "succeeded":
                tx.run(
                    f"UPDATE login_gate SET {_NO_ATTEMPT}, succeeded_at = ? WHERE account = ?",
                    (tx.stamp, account),
                )
                if found["rejected_digest"] == digest:
                    tx.run(
                        "UPDATE login_gate SET rejected_digest = NULL, rejected_at = NULL,"
                        " rejected_reason = NULL WHERE account = ?",
                        (account,),
                    )
            elif outcome == "rejected":
                tx.run(
                    f"UPDATE login_gate SET {_NO_ATTEMPT}, rejected_digest = ?, rejected_at = ?,"
                    " rejected_reason = ? WHERE account = ?",
                    (digest, tx.stamp, reason, account),
                )
            else:
                tx.run(f"UPDATE login_gate SET {_NO_ATTEMPT} WHERE account = ?", (account,))

    def login_record(self, account: str) -> GateRecord | None:
        with self._write() as tx:
            found = tx.run("SELECT * FROM login_gate WHERE account = ?", (account,)).fetchone()
        return None if found is None else gate_record(found)

    def login_take_totp_step(self, account: str, step: int) -> bool:
        with self._write() as tx:
            found = _locked(tx, account)
            if found is None:
                tx.run("INSERT INTO login_gate (account, totp_step) VALUES (?, ?)", (account, step))
                return True
            if found["totp_step"] is not None and found["totp_step"] >= step:
                return False
            tx.run("UPDATE login_gate SET totp_step = ? WHERE account = ?", (step, account))
            return True

    def login_take_turns(self, account: str) -> None:
        with self._write() as tx:
            if _locked(tx, account) is None:
                tx.run(
                    "INSERT INTO login_gate (account, turns_since) VALUES (?, ?)"
                    " ON CONFLICT (account) DO NOTHING",
                    (account, tx.stamp),
                )
            tx.run(
                "UPDATE login_gate SET turns_since = ? WHERE account = ? AND turns_since IS NULL",
                (tx.stamp, account),
            )

    def turn_take(
        self, account: str, holder: str, lease_seconds: float, *, gone: Callable[[str], bool]
    ) -> str | None:
        with self._write() as tx:
            found = _locked(tx, account)
            if found is None:
                return None  # no row: nothing has ever said the account allows one session
            other = found["turn_holder"]
            if other not in (None, holder):
                until = datetime.fromisoformat(found["turn_until"])
                if until > tx.now and not gone(other):
                    return str(other)
            until_text = to_text(tx.now + timedelta(seconds=lease_seconds))
            tx.run(
                "UPDATE login_gate SET turn_holder = ?, turn_until = ? WHERE account = ?",
                (holder, until_text, account),
            )
            return None

    def turn_release(self, account: str, holder: str) -> None:
        with self._write() as tx:
            tx.run(
                "UPDATE login_gate SET turn_holder = NULL, turn_until = NULL"
                " WHERE account = ? AND turn_holder = ?",
                (account, holder),
            )


def _locked(tx: Tx, account: str) -> Row | None:
    row: Row | None = tx.run(
        "SELECT * FROM login_gate WHERE account = ?" + tx.dialect.lock_row, (account,)
    ).fetchone()
    return row


def gate_record(row: Row) -> GateRecord:
    values: dict[str, Any] = dict(row)
    for column in (
        "attempt_since",
        "attempt_until",
        "succeeded_at",
        "rejected_at",
        "turns_since",
        "turn_until",
    ):
        values[column] = None if values[column] is None else datetime.fromisoformat(values[column])
    return GateRecord(**values)
