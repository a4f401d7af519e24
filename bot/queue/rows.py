"""Rows of the ``items`` and ``item_events`` tables as the queue's types."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.queue.base import Action, Event, Item, LeaseLost, State

Row = Mapping[str, Any]

NO_LEASE: Mapping[str, None] = {"lease_owner": None, "lease_expires_at": None, "holder": None}
"""The columns that clear an item's lease."""


def check_holder(row: Row, worker: str | None) -> None:
    if row["lease_owner"] != worker:
        holder = row["lease_owner"] or "nobody"
        raise LeaseLost(f"item {row['id']} is leased to {holder}, not to {worker}")


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def item_of(row: Row) -> Item:
    """The row as an ``Item``, whose fields are the ``items`` columns."""
    values = dict(row)
    times = (
        "lease_expires_at",
        "created_at",
        "updated_at",
        "submitting_at",
        "clicked_at",
        "available_at",
    )
    values.update({column: _time(values[column]) for column in times})
    values["state"] = State(values["state"])
    values["outcome"] = None if row["outcome"] is None else json.loads(row["outcome"])
    return Item(**values)


def event_of(row: Row) -> Event:
    return Event(
        item_id=row["item_id"],
        at=datetime.fromisoformat(row["happened_at"]),
        action=Action(row["action"]),
        from_state=None if row["from_state"] is None else State(row["from_state"]),
        to_state=State(row["to_state"]),
        worker=row["worker"],
        note=row["note"],
    )
