"""Text from the portal or a request reaches spreadsheets and the terminal as plain text:
CSV cells cannot start a formula, and rich markup in it is shown, never interpreted."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from bot.display import CSV_FIELDS, csv_cell, item_record, print_items, write_csv
from bot.queue import Item, State
from bot.report import print_report, rows_for

SUBMITTED = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
MARKUP = "bad [/x] text [bold]"


def item(*, state: State = State.FAILED, error: str | None = None, **changes: object) -> Item:
    base = Item(
        id=1,
        key="REQ-1",
        state=state,
        payload=json.dumps({"urgency": "standard"}),
        source="test.json",
        attempts=1,
        error=error,
        portal_status=None,
        reference_id=None,
        outcome={"state": "submitted", "uploaded": []},
        lease_owner=None,
        lease_expires_at=None,
        created_at=SUBMITTED - timedelta(hours=1),
        updated_at=SUBMITTED,
        submitting_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def csv_rows(items: list[Item]) -> list[dict[str, str]]:
    out = io.StringIO()
    write_csv(out, items)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_a_formula_gets_a_leading_quote(start: str) -> None:
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", [None, "", "plain text", "a=b", 3, True])
def test_other_cells_are_unchanged(value: object) -> None:
    assert csv_cell(value) == value


def test_the_status_csv_neutralises_formulas_and_leaves_the_rest() -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    rows = csv_rows(
        [
            item(error=formula, key="@SUM(A1)", source="-2+3"),
            item(id=2, key="REQ-2", state=State.PENDING),
        ]
    )
    assert list(rows[0]) == list(CSV_FIELDS) == list(item_record(item()))
    assert rows[0]["error"] == f"'{formula}"
    assert rows[0]["key"] == "'@SUM(A1)"
    assert rows[0]["source"] == "'-2+3"
    assert rows[1]["key"] == "REQ-2"
    assert rows[1]["source"] == "test.json"
    assert rows[1]["error"] == ""
    assert rows[1]["portal_status"] == ""
    assert rows[1]["created_at"] == (SUBMITTED - timedelta(hours=1)).isoformat()


def recorded() -> Console:
    return Console(record=True, width=200)


def test_the_status_table_shows_markup_in_portal_text_literally() -> None:
    console = recorded()
    print_items(
        console,
        [item(error=MARKUP, key="K[/]1", portal_status="[red]x", reference_id="[/b]")],
        show_artifacts=True,
    )
    text = console.export_text()
    assert MARKUP in text
    assert "K[/]1" in text
    assert "[red]x" in text
    assert "[/b]" in text


def test_the_report_table_shows_markup_in_portal_text_literally() -> None:
    console = recorded()
    rows = rows_for([item(error=f"portal_error: {MARKUP}", key="K[/]1")], SUBMITTED)
    print_report(console, rows)
    text = console.export_text()
    assert MARKUP in text
    assert "K[/]1" in text
