"""The morning report: what the run did to each item, and what needs a person and why.

The same rows go to the terminal (a rich table), to JSON and to a standalone HTML page in the
artifacts directory. Rows carry queue keys, never member names or ids.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.appeals import AppealBook
from bot.browser import private_dir
from bot.deadlines import (
    DECISION_WINDOWS,
    decision_due,
    decision_overdue,
    documents_owed,
    urgency,
)
from bot.display import STATE_STYLES, print_wide
from bot.errors import KnownIneligible
from bot.holder import Holder
from bot.models import Outcome
from bot.queue import Item, State
from bot.queue.appeals import AppealState
from bot.queued import documentation_of, outcome_of


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
    overdue: bool = False
    action: str = "Nothing to do"
    due: str | None = None
    """When the payer's decision is due (ISO, UTC), for a request still waiting for one."""
    proof: str | None = None
    """The proof of submission (PDF, or PNG from a headed browser), as saved."""
    documentation: tuple[str, ...] = ()
    """The documentation check's warnings for the request (``bot.documentation``)."""
    appeal: str | None = None
    """Where the appeal of a denied or cut request stands (``AppealState``), if started."""
    appeal_due: str | None = None
    """The appeal's deadline (ISO date) while nothing is filed."""
    appeal_overdue: bool = False
    """That deadline has passed (``overdue`` is the payer's decision clock)."""


SEND, APPEAL, FIX, WAIT, NOTHING = (
    "Send documents",
    "Appeal or accept a denial",
    "Fix and resubmit",
    "Wait for a decision",
    "Nothing to do",
)
ACTIONS = (SEND, APPEAL, FIX, WAIT, NOTHING)
"""The report's groups, in the order a front office works them."""


def _message(error: str | None) -> str:
    """The words of a stored ``reason: message`` error, without its machine-readable reason."""
    reason, _, message = (error or "").partition(": ")
    return message if message and reason.replace("_", "").isalnum() else error or ""


def _short(source: str) -> str:
    """A source path relative to the working directory when it lies below it."""
    return source.removeprefix(f"{Path.cwd()}{os.sep}")


def _held_elsewhere(item: Item, now: datetime) -> str | None:
    """Who holds a leased item, and since when: another worker, on this machine or another."""
    if item.state not in (State.IN_PROGRESS, State.SUBMITTING) or item.lease_expires_at is None:
        return None
    if item.lease_expires_at <= now:
        return None
    holder = Holder.parse(item.holder)
    who = f"host {holder.host}, pid {holder.pid}" if holder else "another worker"
    doing = "submitting" if item.state == State.SUBMITTING else "working on it"
    return (
        f"Held by another worker ({who}), {doing} since {item.updated_at:%Y-%m-%d %H:%M:%S} UTC; "
        f"its lease runs to {item.lease_expires_at:%H:%M:%S} UTC and is renewed while it lives."
    )


def attention(
    item: Item, now: datetime | None = None, book: AppealBook | None = None
) -> tuple[bool, str]:
    """Whether a person must look at the item, and the reason in plain words."""
    outcome = outcome_of(item)
    due = decision_due(item)
    if due is not None and (now or datetime.now(UTC)) > due:
        kind = urgency(item)
        window = DECISION_WINDOWS[kind]
        limit = f"{window.days} days" if window.days >= 7 else f"{window.days * 24} hours"
        return True, (
            f"Decision overdue since {due:%Y-%m-%d %H:%M} UTC: a {kind} request is due a "
            f"decision within {limit} of submission (CMS-0057-F). Call the payer."
        )
    if item.state == State.REJECTED and (item.error or "").startswith(f"{KnownIneligible.reason}:"):
        return True, f"Not submitted: {_message(item.error)}"
    if item.state == State.REJECTED:
        return True, f"The portal refused it: {_message(item.error)}"
    if item.state == State.FAILED:
        return True, f"Failed after {item.attempts} attempts: {_message(item.error)}"
    if item.state == State.INVALID:
        return True, f"Invalid request ({_short(item.source)}): {item.error}"
    held = _held_elsewhere(item, now or datetime.now(UTC))
    if held:
        return False, held
    if item.state == State.SUBMITTING:
        return True, "Submit was clicked but no result was read; the next run reconciles it."
    if item.state in (State.PENDING, State.IN_PROGRESS):
        return False, "Not processed in this run; stays queued."
    if item.state == State.NOT_REQUIRED:
        return False, "No authorization required; nothing was submitted."
    if item.state == State.CANCELLED:
        return False, "Cancelled from the console before it was taken up; nothing was submitted."
    status = item.portal_status
    if status == "pended" and not (outcome and outcome.uploaded):
        return True, "Pended: send clinical documents within one business day."
    if status == "pended":
        return False, "Pended for clinical review; documents uploaded."
    if status in ("denied", "partially_approved"):
        return _appeal_attention(item, outcome, now or datetime.now(UTC), book)
    if status == "no_decision_yet":
        return False, "Awaiting the payer's decision; follow up later."
    return False, "Approved."


def _appeal_attention(
    item: Item, outcome: Outcome | None, now: datetime, book: AppealBook | None
) -> tuple[bool, str]:
    """A denied or cut request: the reason, and where its appeal stands."""
    reason = outcome.denial_reason if outcome else None
    said = f" The payer's reason: {reason}" if reason else ""
    what = (
        "Denied: review the reason and consider an appeal."
        if item.portal_status == "denied"
        else "Partially approved: fewer units authorized than requested."
    )
    state = book.state(item) if book else None
    if state == AppealState.FILED:
        return False, f"Appeal filed; waiting for the payer's answer.{said}"
    if state == AppealState.OVERTURNED:
        return False, "Overturned on appeal."
    if state == AppealState.DECLINED:
        return False, f"Decision accepted: not appealed.{said}"
    if state == AppealState.UPHELD:
        return True, (
            "Upheld on appeal: consider a peer-to-peer review with the payer's medical "
            f"director, then an external review.{said}"
        )
    due = book.open_deadline(item) if book else None
    if due is None:
        return True, f"{what}{said}"
    prepared = " Packet prepared, not filed yet." if state == AppealState.PREPARED else ""
    if due.overdue(_day(now)):
        return True, f"Appeal deadline passed on {due.due} ({due.plan}).{prepared}{said}"
    return True, f"{what} Appeal by {due.due} ({due.days} days, {due.plan}).{prepared}{said}"


def action(item: Item, book: AppealBook | None = None) -> str:
    """What the front office does next about the item: the report's group."""
    status = item.portal_status
    if item.state in (State.REJECTED, State.FAILED, State.INVALID):
        return FIX
    if documents_owed(item):
        return SEND
    appeal = book.state(item) if book else None
    if status in ("denied", "partially_approved") and appeal == AppealState.FILED:
        return WAIT
    if status in ("denied", "partially_approved") and appeal in (
        AppealState.OVERTURNED,
        AppealState.DECLINED,
    ):
        return NOTHING
    if status in ("denied", "partially_approved"):
        return APPEAL
    if item.state in (State.PENDING, State.IN_PROGRESS, State.SUBMITTING) or status in (
        "pended",
        "no_decision_yet",
    ):
        return WAIT
    return NOTHING


def rows_for(
    items: list[Item], now: datetime | None = None, book: AppealBook | None = None
) -> list[ReportRow]:
    """The report's rows, grouped by :data:`ACTIONS`; in a group, decisions due soonest first,
    then what needs a person, then the order of the queue. With ``book``, appeals too."""
    moment = now or datetime.now(UTC)
    rows = []
    for item in items:
        needs, why = attention(item, moment, book)
        appeal = book.state(item) if book else None
        appeal_due = book.open_deadline(item) if book else None
        due = decision_due(item)
        outcome = outcome_of(item)
        reconciled = outcome is not None and outcome.reconciled
        proofs = [p for p in (outcome.artifacts if outcome else []) if "proof." in p]
        if reconciled:
            why += " Reconciled: found on the Status tab after an unclear Submit, not sent again."
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
                reconciled=reconciled,
                overdue=decision_overdue(item, moment),
                appeal_overdue=appeal_due is not None and appeal_due.overdue(_day(moment)),
                action=action(item, book),
                due=due.isoformat(timespec="minutes") if due else None,
                proof=proofs[0] if proofs else None,
                documentation=tuple(documentation_of(item)),
                appeal=str(appeal) if appeal else None,
                appeal_due=appeal_due.due.isoformat() if appeal_due else None,
            )
        )
    return sorted(
        rows,
        key=lambda r: (
            ACTIONS.index(r.action),
            r.due or r.appeal_due or "~",
            not r.needs_person,
            r.id,
        ),
    )


def _day(moment: datetime) -> date:
    """The practice's calendar day of ``moment`` (this machine's time zone): appeal deadlines
    count days as the practice does."""
    return moment.astimezone().date()


def by_action(rows: list[ReportRow]) -> list[tuple[str, list[ReportRow]]]:
    """The groups that hold rows, in :data:`ACTIONS` order, their rows in report order."""
    return [
        (name, [r for r in rows if r.action == name])
        for name in ACTIONS
        if any(r.action == name for r in rows)
    ]


def summary(rows: list[ReportRow]) -> dict[str, int]:
    """Items per state, and ``needs_person``."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    counts["needs_person"] = sum(row.needs_person for row in rows)
    return counts


NOT_APPROVED = ("pended", "denied", "partially_approved")


def documentation_counts(rows: list[ReportRow]) -> dict[str, int]:
    """How the documentation check did, over the requests the portal answered: ``warned``, of
    them ``right`` (then pended, denied or cut), and ``missed`` (not warned, yet not approved)."""
    answered = [r for r in rows if r.portal_status is not None]
    warned = [r for r in answered if r.documentation]
    return {
        "warned": len(warned),
        "right": sum(r.portal_status in NOT_APPROVED for r in warned),
        "missed": sum(r.portal_status in NOT_APPROVED for r in answered if not r.documentation),
    }


def documentation_line(counts: dict[str, int]) -> str:
    warned, right, missed = counts["warned"], counts["right"], counts["missed"]
    share = f" ({right / warned:.0%})" if warned else ""
    return (
        f"Documentation check: {warned} answered requests were warned, {right} of them{share} "
        f"were then pended, denied or cut; {missed} not warned were too."
    )


def action_counts(rows: list[ReportRow]) -> dict[str, int]:
    return {name: len(group) for name, group in by_action(rows)}


def print_report(console: Console, rows: list[ReportRow], warnings: Sequence[str] = ()) -> None:
    """What staff read in the morning: the portal's warnings, the counts, then one table per
    thing to do, the rows that need a person marked with ``!``."""
    for warning in warnings:
        console.print(f"[bold yellow]Warning:[/] {escape(warning)}", soft_wrap=True)
    counts = summary(rows)
    needing = counts.pop("needs_person")
    todo = ", ".join(f"{name.lower()} {n}" for name, n in action_counts(rows).items())
    console.print(f"[bold]pa-bot run report[/]: {len(rows)} items: {todo}.", soft_wrap=True)
    totals = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
    console.print(f"By state: {totals}. [bold]{needing} need a person[/] (!).", soft_wrap=True)
    console.print(documentation_line(documentation_counts(rows)), soft_wrap=True)
    for name, group in by_action(rows):
        table = Table(title=f"{name} ({len(group)})", title_justify="left")
        table.add_column("!", no_wrap=True)
        table.add_column("key", no_wrap=True)
        table.add_column("state", no_wrap=True)
        table.add_column("portal status", no_wrap=True)
        table.add_column("reference id", no_wrap=True)
        table.add_column("decision due", no_wrap=True)
        table.add_column("what to do / why", ratio=1, min_width=24)
        for row in group:
            style = STATE_STYLES.get(State(row.state), "")
            table.add_row(
                "[bold red]![/]" if row.needs_person else "",
                escape(row.key),
                f"[{style}]{row.state}[/]" if style else row.state,
                escape(row.portal_status or ""),
                escape(row.reference_id or ""),
                (row.due or "").replace("T", " "),
                escape(" ".join([row.why, *(f"Documentation: {g}." for g in row.documentation)])),
            )
        print_wide(console, table)


def write_report(
    folder: Path,
    rows: list[ReportRow],
    started: datetime,
    finished: datetime | None = None,
    warnings: Sequence[str] = (),
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
        "warnings": list(warnings),
        "summary": summary(rows),
        "actions": action_counts(rows),
        "documentation_check": documentation_counts(rows),
        "items": [asdict(row) for row in rows],
    }
    json_path.write_text(json.dumps(document, indent=2))
    html_path.write_text(
        _TEMPLATES.get_template("report.html").render(
            groups=by_action(rows),
            count=len(rows),
            actions=action_counts(rows),
            proof_links={r.id: _link(r.proof, out) for r in rows if r.proof},
            totals=summary(rows),
            documentation=documentation_line(documentation_counts(rows)),
            warnings=warnings,
            started=started.isoformat(timespec="seconds"),
            finished=finished.isoformat(timespec="seconds"),
        )
    )
    return json_path, html_path


_TEMPLATES = Environment(
    loader=PackageLoader("bot", "templates"), autoescape=select_autoescape(default=True)
)


def _link(proof: str, reports: Path) -> str:
    """The proof's address relative to the report's folder, so the link survives a move of the
    whole artifacts folder."""
    return Path(os.path.relpath(Path(proof).resolve(), reports.resolve())).as_posix()
