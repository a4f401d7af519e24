"""Eligibility checks (schema.sql's ``eligibility_checks``): what the portal's Member Eligibility
screen said of a member on a date of service, kept apart from the queue's items. ``pa-bot
eligibility`` records them; the morning report and the console show tomorrow's uninsured
visits; a worker reads the newest one for a request's member and date before it searches the
portal (``bot.eligibility.known_ineligible``).

A member is looked up by the identifier it was given with (``member_key``): a check made by
CareSource ID is found for requests that name the member by CareSource ID.
"""

from __future__ import annotations

from abc import abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol, cast

from bot.queue.base import IllegalTransition, Queue, to_text

if TYPE_CHECKING:
    from bot.queue.rows import Row
    from bot.queue.sql import Tx


@dataclass(frozen=True)
class EligibilityCheck:
    """One member checked on one date of service, and what the portal said (or why not)."""

    id: int
    member_key: str
    member: str
    """The member as given (JSON)."""
    date_of_service: date
    checked_at: datetime
    eligible: bool | None
    """None when the check could not be made (``error`` says why), or is still asked for."""
    plan: str | None
    coverage_start: date | None
    coverage_end: date | None
    other_payer: str | None
    error: str | None
    batch: str | None
    """The file or upload it came from, to show one schedule's answers together."""


@dataclass(frozen=True)
class Answered:
    """What to record of one check."""

    eligible: bool | None
    plan: str | None = None
    coverage_start: date | None = None
    coverage_end: date | None = None
    other_payer: str | None = None
    error: str | None = None


class EligibilityRecords(Protocol):
    def record_eligibility(
        self,
        member_key: str,
        member: str,
        date_of_service: date,
        answered: Answered,
        batch: str | None = None,
    ) -> EligibilityCheck:
        """Keep one check's answer (checked now)."""

    def ask_eligibility(
        self, member_key: str, member: str, date_of_service: date, batch: str
    ) -> EligibilityCheck:
        """A check for a resident worker to make (from the console)."""

    def take_eligibility(self, worker: str, lease_seconds: float) -> EligibilityCheck | None:
        """The oldest check asked for that no live worker holds, now held by ``worker``."""

    def answer_eligibility(
        self, check_id: int, worker: str, answered: Answered
    ) -> EligibilityCheck:
        """The held check answered (checked now)."""

    def release_eligibility(self, check_id: int, worker: str) -> None:
        """The held check given back unanswered, for the next worker."""

    def open_eligibility(self) -> int:
        """How many asked checks wait for a worker (the resident worker's cheap poll)."""

    def latest_eligibility(self, member_key: str, date_of_service: date) -> EligibilityCheck | None:
        """The newest answered check of the member on that date, if any."""

    def eligibility_checks(
        self, *, batch: str | None = None, on: date | None = None
    ) -> list[EligibilityCheck]:
        """The checks, oldest first: of one batch, or for one date of service."""


class EligibilityQueue(Queue, EligibilityRecords, Protocol):
    """A queue whose database keeps eligibility checks too (every backend's)."""


def eligibility_queue(queue: Queue) -> EligibilityQueue:
    if not isinstance(queue, EligibilityStore):
        raise TypeError(f"{type(queue).__name__} keeps no eligibility checks")
    return cast(EligibilityQueue, queue)


class EligibilityStore:
    """``EligibilityRecords`` over a backend's transactions."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Tx]: ...

    def record_eligibility(
        self,
        member_key: str,
        member: str,
        date_of_service: date,
        answered: Answered,
        batch: str | None = None,
    ) -> EligibilityCheck:
        with self._write() as tx:
            row = tx.run(
                "INSERT INTO eligibility_checks (member_key, member, date_of_service, checked_at,"
                " eligible, plan, coverage_start, coverage_end, other_payer, error, batch)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    member_key,
                    member,
                    date_of_service.isoformat(),
                    tx.stamp,
                    *_answer(answered),
                    batch,
                ),
            ).fetchone()
        return _check_of(row)

    def ask_eligibility(
        self, member_key: str, member: str, date_of_service: date, batch: str
    ) -> EligibilityCheck:
        with self._write() as tx:
            row = tx.run(
                "INSERT INTO eligibility_checks (member_key, member, date_of_service, checked_at,"
                " batch) VALUES (?, ?, ?, ?, ?) RETURNING *",
                (member_key, member, date_of_service.isoformat(), tx.stamp, batch),
            ).fetchone()
            tx.ring()
        return _check_of(row)

    def take_eligibility(self, worker: str, lease_seconds: float) -> EligibilityCheck | None:
        with self._write() as tx:
            until = to_text(tx.now + timedelta(seconds=lease_seconds))
            row = tx.run(
                # The condition again outside: a worker that took it meanwhile wins.
                "UPDATE eligibility_checks SET taken_by = ?, taken_until = ? WHERE id = ("
                f" SELECT id FROM eligibility_checks WHERE {_WAITING} ORDER BY id LIMIT 1"
                f") AND {_WAITING} RETURNING *",
                (worker, until, tx.stamp, tx.stamp),
            ).fetchone()
        return None if row is None else _check_of(row)

    def answer_eligibility(
        self, check_id: int, worker: str, answered: Answered
    ) -> EligibilityCheck:
        with self._write() as tx:
            row = tx.run(
                "UPDATE eligibility_checks SET checked_at = ?, eligible = ?, plan = ?,"
                " coverage_start = ?, coverage_end = ?, other_payer = ?, error = ?,"
                " taken_until = NULL WHERE id = ? AND taken_by = ? AND eligible IS NULL"
                " AND error IS NULL RETURNING *",
                (
                    tx.stamp,
                    *_answer(answered),
                    check_id,
                    worker,
                ),
            ).fetchone()
            if row is None:
                raise IllegalTransition(f"eligibility check {check_id} is not {worker}'s")
        return _check_of(row)

    def release_eligibility(self, check_id: int, worker: str) -> None:
        with self._write() as tx:
            tx.run(
                "UPDATE eligibility_checks SET taken_by = NULL, taken_until = NULL"
                " WHERE id = ? AND taken_by = ? AND eligible IS NULL AND error IS NULL",
                (check_id, worker),
            )
            tx.ring()

    def open_eligibility(self) -> int:
        with self._write() as tx:
            found = tx.run(
                f"SELECT COUNT(*) AS n FROM eligibility_checks WHERE {_WAITING}", (tx.stamp,)
            ).fetchone()
        return int(found["n"])

    def latest_eligibility(self, member_key: str, date_of_service: date) -> EligibilityCheck | None:
        with self._write() as tx:
            row = tx.run(
                "SELECT * FROM eligibility_checks WHERE member_key = ? AND date_of_service = ?"
                " AND eligible IS NOT NULL ORDER BY checked_at DESC, id DESC LIMIT 1",
                (member_key, date_of_service.isoformat()),
            ).fetchone()
        return None if row is None else _check_of(row)

    def eligibility_checks(
        self, *, batch: str | None = None, on: date | None = None
    ) -> list[EligibilityCheck]:
        where, params = ["1 = 1"], []
        if batch is not None:
            where.append("batch = ?")
            params.append(batch)
        if on is not None:
            where.append("date_of_service = ?")
            params.append(on.isoformat())
        with self._write() as tx:
            rows = tx.run(
                f"SELECT * FROM eligibility_checks WHERE {' AND '.join(where)} ORDER BY id",
                tuple(params),
            ).fetchall()
        return [_check_of(row) for row in rows]


_WAITING = "eligible IS NULL AND error IS NULL AND (taken_until IS NULL OR taken_until <= ?)"


def _answer(a: Answered) -> tuple[object, ...]:
    """The answer's columns: eligible, plan, coverage_start, coverage_end, other_payer, error."""
    eligible = None if a.eligible is None else int(a.eligible)
    start, end = (None if d is None else d.isoformat() for d in (a.coverage_start, a.coverage_end))
    return (eligible, a.plan, start, end, a.other_payer, a.error)


def _check_of(row: Row) -> EligibilityCheck:
    return EligibilityCheck(
        id=int(row["id"]),
        member_key=row["member_key"],
        member=row["member"],
        date_of_service=date.fromisoformat(row["date_of_service"]),
        checked_at=datetime.fromisoformat(row["checked_at"]),
        eligible=None if row["eligible"] is None else bool(row["eligible"]),
        plan=row["plan"],
        coverage_start=date.fromisoformat(row["coverage_start"]) if row["coverage_start"] else None,
        coverage_end=date.fromisoformat(row["coverage_end"]) if row["coverage_end"] else None,
        other_payer=row["other_payer"],
        error=row["error"],
        batch=row["batch"],
    )
