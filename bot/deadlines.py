"""When the payer owes a decision, and when the practice owes clinical documents.

CMS-0057-F (in force from 2026): a payer decides an expedited prior-authorization request within
72 hours and a standard one within 7 calendar days of its submission. A request the portal pended
for review wants its clinical documents within one business day. Items carry their submission
time (``submitting_at``: when Submit was first about to be clicked) and the request's ``urgency``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Final

from bot.queue import Item, State
from bot.queued import outcome_of

DECISION_WINDOWS: Final = {
    "expedited": timedelta(hours=72),
    "standard": timedelta(days=7),
}
UNDECIDED: Final = frozenset({"pended", "no_decision_yet"})
"""Portal statuses that still wait for the payer's decision."""


def is_undecided(item: Item) -> bool:
    return item.state == State.SUBMITTED and item.portal_status in UNDECIDED


def submitted_at(item: Item) -> datetime:
    """When the request went in: the first Submit click, else when it was queued."""
    return item.submitting_at or item.created_at


def urgency(item: Item) -> str:
    """``standard`` or ``expedited``, as the request says (standard when it says nothing)."""
    try:
        value = json.loads(item.payload).get("urgency")
    except (ValueError, AttributeError):
        return "standard"
    return value if value in DECISION_WINDOWS else "standard"


def decision_due(item: Item) -> datetime | None:
    """When the payer's decision is due, for an item still waiting for one; else None."""
    if not is_undecided(item):
        return None
    return submitted_at(item) + DECISION_WINDOWS[urgency(item)]


def decision_overdue(item: Item, now: datetime) -> bool:
    due = decision_due(item)
    return due is not None and now > due


def next_business_day(moment: datetime) -> datetime:
    """The same time on the next weekday (Saturday and Sunday are skipped)."""
    later = moment + timedelta(days=1)
    while later.weekday() >= 5:
        later += timedelta(days=1)
    return later


def documents_owed(item: Item) -> bool:
    """Pended for review and no clinical document uploaded yet."""
    outcome = outcome_of(item)
    uploaded = outcome.uploaded if outcome else []
    return item.state == State.SUBMITTED and item.portal_status == "pended" and not uploaded


def documents_due(item: Item) -> datetime | None:
    """When the clinical documents of a pended item are due (one business day); else None."""
    return next_business_day(submitted_at(item)) if documents_owed(item) else None
