"""What the terminal shows: the steps of a request as they pass, and tables of queue items."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.status import Status
from rich.table import Table

from bot import terminal
from bot.deadlines import decision_due, decision_overdue
from bot.queue import Item, State
from bot.queued import outcome_of
from bot.steps import step_label

STATE_STYLES = {
    State.SUBMITTED: "green",
    State.NOT_REQUIRED: "cyan",
    State.REJECTED: "yellow",
    State.FAILED: "red",
    State.INVALID: "magenta",
    State.CANCELLED: "dim",
}


class StepProgress:
    """A spinner naming the current step, and a tick line for each finished one."""

    def __init__(self, console: Console, title: str) -> None:
        self.console = console
        self.title = title
        self._status: Status | None = None
        self._current: str | None = None
        self._since = 0.0

    def __enter__(self) -> StepProgress:
        self._status = self.console.status(f"{self.title}: starting")
        self._status.__enter__()
        return self

    def step(self, name: str) -> None:
        terminal.show_new()
        self._finish_current()
        self._current = name
        self._since = time.perf_counter()
        if self._status is not None:
            self._status.update(f"{self.title}: {step_label(name)}…")

    def _finish_current(self) -> None:
        if self._current is not None:
            spent = time.perf_counter() - self._since
            label = step_label(self._current)
            self.console.print(f"  [green]✓[/] {label} [dim]({spent:.1f} s)[/]")
            self._current = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        terminal.show_new()
        if kind is None:
            self._finish_current()
        if self._status is not None:
            self._status.__exit__(kind, value, traceback)


def print_wide(console: Console, table: Table) -> None:
    """A table on a terminal fits the terminal; anywhere else (cron, systemd, a pipe, a file)
    it is drawn at its natural width, so no column is squeezed or cut at 80 columns."""
    if console.is_terminal:
        console.print(table)
        return
    natural = Measurement.get(console, console.options.update(width=100_000), table).maximum
    width = console.width
    console.width = max(width, natural)
    try:
        console.print(table)
    finally:
        console.width = width


def print_items(console: Console, items: list[Item], *, show_artifacts: bool = False) -> None:
    """A table of items: key, state, portal status, reference id, the decision's due date
    (flagged when overdue), and what needs a person."""
    now = datetime.now(UTC)
    table = Table(title=None, show_lines=False)
    columns = ("id", "key", "state", "portal status", "reference id", "attempts", "decision due")
    for column in (*columns, "note"):
        table.add_column(column)
    for item in items:
        style = STATE_STYLES.get(item.state, "")
        table.add_row(
            str(item.id),
            escape(item.key),
            f"[{style}]{item.state}[/]" if style else str(item.state),
            escape(item.portal_status or ""),
            escape(item.reference_id or ""),
            str(item.attempts),
            _due(item, now),
            escape(item.error or ""),
        )
    print_wide(console, table)
    if show_artifacts:
        for item in items:
            outcome = outcome_of(item)
            for path in outcome.artifacts if outcome else []:
                console.print(f"proof: {escape(str(path))}")


def _due(item: Item, now: datetime) -> str:
    due = decision_due(item)
    if due is None:
        return ""
    text = f"{due:%Y-%m-%d %H:%M}"
    return f"[bold red]OVERDUE[/] {text}" if decision_overdue(item, now) else text


def item_record(item: Item) -> dict[str, object]:
    """An item as ``pa-bot status --format json|csv`` prints it."""
    due = decision_due(item)
    outcome = outcome_of(item)
    return {
        "id": item.id,
        "key": item.key,
        "state": str(item.state),
        "portal_status": item.portal_status,
        "reference_id": item.reference_id,
        "attempts": item.attempts,
        "priority": item.priority,
        "step": item.step,
        "error": item.error,
        "source": item.source,
        "created_at": item.created_at.isoformat(),
        "updated_at": item.updated_at.isoformat(),
        "submitting_at": item.submitting_at.isoformat() if item.submitting_at else None,
        "decision_due": due.isoformat() if due else None,
        "overdue": decision_overdue(item, datetime.now(UTC)),
        "denial_reason": outcome.denial_reason if outcome else None,
        "decided_at": outcome.decided_at.isoformat() if outcome and outcome.decided_at else None,
    }


CSV_FIELDS = (
    "id",
    "key",
    "state",
    "portal_status",
    "reference_id",
    "attempts",
    "priority",
    "step",
    "error",
    "source",
    "created_at",
    "updated_at",
    "submitting_at",
    "decision_due",
    "overdue",
    "denial_reason",
    "decided_at",
)
"""The columns of ``pa-bot status --format csv``: the keys of :func:`item_record`."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """``value`` made safe for a spreadsheet (OWASP CSV injection): text that a spreadsheet
    would read as a formula gets a leading ``'``; everything else is left as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


def write_csv(stream: TextIO, items: Iterable[Item]) -> None:
    """``pa-bot status --format csv``: a header, then one row per item, formulas neutralised."""
    writer = csv.DictWriter(stream, fieldnames=list(CSV_FIELDS))
    writer.writeheader()
    for item in items:
        writer.writerow({key: csv_cell(value) for key, value in item_record(item).items()})


def print_invalid(console: Console, source: str, errors: list[str]) -> None:
    """One invalid request: its file and place, then every field error on a line of its own."""
    console.print(f"[red]invalid[/] {escape(source)}", soft_wrap=True)
    for message in errors:
        console.print(f"  - {escape(message)}", soft_wrap=True)


def print_documentation(console: Console, key: str, gaps: list[str]) -> None:
    """The documentation check's warnings for one request (queued all the same)."""
    for gap in gaps:
        console.print(f"[yellow]documentation[/] {escape(key)}: {escape(gap)}", soft_wrap=True)
