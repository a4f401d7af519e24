"""The morning report on an item another worker holds: who, since when, till when (not "stays
queued"); an item whose lease ran out is not said to be held."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from rich.console import Console

from bot.queue import Item, State
from bot.report import ReportRow, attention, print_report

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
HOLDER = "ws-2|boot-1|pidns-1|4242|123456"


def held(state: State, lease_left: timedelta) -> Item:
    return Item(
        id=1,
        key="REQ-1",
        state=state,
        payload=json.dumps({}),
        source="test.json",
        attempts=1,
        error=None,
        portal_status=None,
        reference_id=None,
        outcome=None,
        lease_owner="ws-2:4242#0",
        lease_expires_at=NOW + lease_left,
        created_at=NOW - timedelta(hours=1),
        updated_at=NOW - timedelta(minutes=2),
        submitting_at=None,
        holder=HOLDER,
    )


def test_an_item_held_elsewhere_names_its_holder_and_since_when() -> None:
    needs_person, why = attention(held(State.IN_PROGRESS, timedelta(seconds=20)), NOW)

    assert not needs_person
    assert "Held by another worker (host ws-2, pid 4242)" in why
    assert "since 2026-12-03 02:58:00 UTC" in why
    assert "03:00:20 UTC" in why

    _, submitting = attention(held(State.SUBMITTING, timedelta(seconds=20)), NOW)
    assert "submitting since" in submitting


def test_an_expired_lease_is_not_held() -> None:
    needs_person, why = attention(held(State.SUBMITTING, -timedelta(seconds=1)), NOW)

    assert needs_person
    assert "reconciles" in why
    _, pending = attention(held(State.IN_PROGRESS, -timedelta(seconds=1)), NOW)
    assert pending == "Not processed in this run; stays queued."


def test_without_a_terminal_the_report_keeps_its_why_column_whole() -> None:
    why = "Denied: review the reason and consider an appeal; " * 3
    row = ReportRow(1, "REQ-2026-1202-01", "submitted", "denied", "123456789", 1, True, why, False)
    out = io.StringIO()

    print_report(Console(file=out, width=80), [row])

    assert any(why.strip() in line for line in out.getvalue().splitlines()), out.getvalue()


def test_a_cancelled_item_needs_nobody_and_says_nothing_was_submitted() -> None:
    cancelled = replace(held(State.PENDING, timedelta(0)), state=State.CANCELLED)

    needs, why = attention(replace(cancelled, lease_owner=None, lease_expires_at=None), NOW)

    assert not needs
    assert "Cancelled" in why and "nothing was submitted" in why
