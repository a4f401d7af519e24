"""The worklist: the queue's items grouped as the morning report groups them (what needs a
person first), filtered by state, portal status, category and date, searched by request id or
reference id. Filters are query parameters: none of them is member data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import get_args

from bot.appeals import AppealBook
from bot.models import Category
from bot.queue import Item, State
from bot.report import ReportRow, by_action, rows_for

CATEGORIES: tuple[str, ...] = get_args(Category)
PORTAL_STATUSES = ("approved", "partially_approved", "pended", "denied", "no_decision_yet")


@dataclass(frozen=True)
class Filters:
    state: str = ""
    status: str = ""
    category: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""

    @classmethod
    def of(cls, params: dict[str, str]) -> Filters:
        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(params.get(name, ""))
            except ValueError:
                return None

        state = params.get("state", "")
        status = params.get("status", "")
        category = params.get("category", "")
        return cls(
            state=state if state in set(State) else "",
            status=status if status in PORTAL_STATUSES else "",
            category=category if category in CATEGORIES else "",
            since=day("since"),
            until=day("until"),
            q=params.get("q", "").strip()[:80],
        )

    def keeps(self, item: Item) -> bool:
        made = item.created_at.date()
        return (
            (not self.state or item.state == self.state)
            and (not self.status or item.portal_status == self.status)
            and (not self.category or category_of(item) == self.category)
            and (self.since is None or made >= self.since)
            and (self.until is None or made <= self.until)
            and (not self.q or self.q in (item.key, item.reference_id))
        )


def category_of(item: Item) -> str | None:
    try:
        payload = json.loads(item.payload)
    except ValueError:
        return None  # an invalid request's raw text
    found = payload.get("category") if isinstance(payload, dict) else None
    return found if isinstance(found, str) else None


@dataclass(frozen=True)
class Worklist:
    groups: list[tuple[str, list[ReportRow]]]
    counts: dict[str, int]
    """Per group, of the filtered items; and ``needs_person``, ``shown`` and ``total``."""


def worklist(items: list[Item], filters: Filters, book: AppealBook | None = None) -> Worklist:
    kept = [item for item in items if filters.keeps(item)]
    rows = rows_for(kept, book=book)
    groups = by_action(rows)
    counts = {name: len(group) for name, group in groups}
    counts["needs_person"] = sum(row.needs_person for row in rows)
    counts["shown"], counts["total"] = len(rows), len(items)
    return Worklist(groups=groups, counts=counts)
