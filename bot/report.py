"""The morning report: what the run did to each item, and what needs a person and why.

The same rows go to the terminal (a rich table), to JSON and to a standalone HTML page in the
artifacts directory. Rows carry queue keys, never member names or ids.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, select_autoescape
from rich.console import Console
from rich.table import Table

from bot.browser import private_dir
from bot.display import STATE_STYLES
from bot.queue import Item, State


@dataclass(frozen=True)
class ReportRow:
    """One item as the morning report shows it."""

    id: int
    key: str
    state: str
    portal_status: str | None
    reference_id: str | None
    attempts: int
    needs_person: bool
    why: str
    reconciled: bool


def attention(item: Item) -> tuple[bool, str]:
    """Whether a person must look at the item, and the reason in plain words."""
    outcome = item.outcome or {}
    if item.state == State.REJECTED:
        return True, f"The portal refused it: {item.error}"
    if item.state == State.FAILED:
        return True, f"Failed after retries: {item.error}"
    if item.state == State.INVALID:
        return True, f"Invalid request file: {item.error}"
    if item.state == State.SUBMITTING:
        return True, "Submit was clicked but no result was read; the next run reconciles it."
    if item.state in (State.PENDING, State.IN_PROGRESS):
        return False, "Not processed in this run; stays queued."
    if item.state == State.NOT_REQUIRED:
        return False, "No authorization required; nothing was submitted."
    status = item.portal_status
    if status == "pended" and not outcome.get("uploaded"):
        return True, "Pended: send clinical documents within one business day."
    if status == "pended":
        return False, "Pended for clinical review; documents uploaded."
    if status == "denied":
        return True, "Denied: review the reason and consider an appeal."
    if status == "partially_approved":
        return True, "Partially approved: fewer units authorized than requested."
    if status == "no_decision_yet":
        return False, "Awaiting the payer's decision; follow up later."
    return False, "Approved."


def rows_for(items: list[Item]) -> list[ReportRow]:
    rows = []
    for item in items:
        needs, why = attention(item)
        rows.append(
            ReportRow(
                id=item.id,
                key=item.key,
                state=str(item.state),
                portal_status=item.portal_status,
                reference_id=item.reference_id,
                attempts=item.attempts,
                needs_person=needs,
                why=why,
                reconciled=bool((item.outcome or {}).get("reconciled")),
            )
        )
    return rows


def summary(rows: list[ReportRow]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    counts["needs_person"] = sum(row.needs_person for row in rows)
    return counts


def print_report(console: Console, rows: list[ReportRow]) -> None:
    table = Table(title="pa-bot run report")
    for column in ("key", "state", "portal status", "reference id", "attempts", "needs a person"):
        table.add_column(column)
    for row in rows:
        style = STATE_STYLES.get(State(row.state), "")
        note = ("[bold]yes[/]: " if row.needs_person else "") + row.why
        table.add_row(
            row.key,
            f"[{style}]{row.state}[/]" if style else row.state,
            row.portal_status or "",
            row.reference_id or "",
            str(row.attempts),
            note,
        )
    console.print(table)
    totals = ", ".join(f"{k}: {v}" for k, v in sorted(summary(rows).items()))
    console.print(f"[bold]{len(rows)} items[/] ({totals})")


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pa-bot run report {{ started }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left}
th{background:#f0f3f7}tr.attention td{background:#fff4e5}.state{font-weight:600}
</style></head><body>
<h1>pa-bot run report</h1>
<p>Run started {{ started }}, finished {{ finished }}. {{ rows|length }} items;
{% for k, v in totals.items() %}{{ k }}: {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}.</p>
<table><thead><tr><th>Key</th><th>State</th><th>Portal status</th><th>Reference ID</th>
<th>Attempts</th><th>Needs a person</th><th>Why</th></tr></thead><tbody>
{% for r in rows %}<tr class="{{ 'attention' if r.needs_person else '' }}">
<td>{{ r.key }}</td><td class="state">{{ r.state }}</td><td>{{ r.portal_status or '' }}</td>
<td>{{ r.reference_id or '' }}</td><td>{{ r.attempts }}</td>
<td>{{ 'yes' if r.needs_person else 'no' }}</td><td>{{ r.why }}</td></tr>
{% endfor %}</tbody></table></body></html>
"""


def write_report(
    folder: Path, rows: list[ReportRow], started: datetime, finished: datetime | None = None
) -> tuple[Path, Path]:
    """Write the JSON and HTML reports into ``folder/reports``; return their paths."""
    finished = finished or datetime.now(UTC)
    out = private_dir(folder / "reports")
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    json_path = out / f"run-{stamp}.json"
    html_path = out / f"run-{stamp}.html"
    document = {
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "summary": summary(rows),
        "items": [asdict(row) for row in rows],
    }
    json_path.write_text(json.dumps(document, indent=2))
    template = Environment(autoescape=select_autoescape(default=True)).from_string(_HTML)
    html_path.write_text(
        template.render(
            rows=rows,
            totals=summary(rows),
            started=started.isoformat(timespec="seconds"),
            finished=finished.isoformat(timespec="seconds"),
        )
    )
    return json_path, html_path
