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
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, cast

from bot.queue.base import Queue

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
    """None when the check could not be made (``error`` says why)."""
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
                    None if answered.eligible is None else int(answered.eligible),
                    answered.plan,
                    _day(answered.coverage_start),
                    _day(answered.coverage_end),
                    answered.other_payer,
                    answered.error,
                    batch,
                ),
            ).fetchone()
        return _check_of(row)

    def latest_eligibility(self, member_key: str, date_of_service: date) -> EligibilityCheck | None:
        with self._write() as tx:
            row = tx.run(
                "SELECT * FROM eligibility_checks WHERE member_key = ? AND date_of_service = ?"
                " AND eligible IS NOT NULL ORDER BY id DESC LIMIT 1",
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


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


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
