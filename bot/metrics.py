"""The practice's own outcome figures (``pa-bot metrics``, the console's Figures page): the same
figures payers publish under CMS-0057-F, from what the queue recorded, so that a practice can hold
the payer to them. Definitions (docs/METRICS.md):

- ``requests``: items ``submitted`` (the portal answered with a status), with ``since``: those
  submitted (``bot.deadlines.submitted_at``) on or after that day, 00:00 UTC.
- ``approval_rate``, ``partial_rate``, ``denial_rate``: the share whose current portal status is
  approved, partially approved, denied; ``pend_rate``: the share pended at Submit (the outcome's
  ``submitted_status``, else its current status for items recorded before that field).
- ``approved_after_appeal_rate``: overturned / (overturned + upheld), over requests whose appeal
  was decided.
- ``decision_hours``: per urgency, the median and the 90th percentile (nearest rank) of the hours
  from submission to the decision first seen.
- ``past_deadline``: decisions seen later than their window (72 h expedited, 7 days standard)
  after submission, plus undecided requests already past it.

Rates are fractions 0..1 rounded to 4 places, None without requests (or decided appeals); hours
are rounded to 2 places, None without decisions.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TypedDict

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.deadlines import DECISION_WINDOWS, decision_overdue, submitted_at, urgency
from bot.display import print_wide
from bot.queue import Item, Queue, State
from bot.queued import outcome_of, request_of

URGENCIES = ("expedited", "standard")
UNKNOWN_CATEGORY = "(unknown)"
"""The category of a submitted item whose stored request cannot be read back."""
RATES = (
    ("approval_rate", "Approved"),
    ("partial_rate", "Partially approved"),
    ("denial_rate", "Denied"),
    ("pend_rate", "Pended at submit"),
    ("approved_after_appeal_rate", "Approved after appeal"),
)
"""Each rate's key and its label, in the order tables and charts show them."""
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class Hours(TypedDict):
    median: float | None
    p90: float | None
    count: int


class Figures(TypedDict):
    """The figures of one group of requests (all, a category, a procedure code)."""

    requests: int
    approval_rate: float | None
    partial_rate: float | None
    denial_rate: float | None
    pend_rate: float | None
    approved_after_appeal_rate: float | None
    decision_hours: dict[str, Hours]
    past_deadline: int


class Metrics(Figures):
    """``Figures`` of all requests, and of each category and each procedure code."""

    by_category: dict[str, Figures]
    by_procedure: dict[str, Figures]
    since: str | None


@dataclass(frozen=True)
class _Request:
    """What the figures need of one submitted item."""

    category: str
    codes: tuple[str, ...]
    status: str | None
    at_submit: str | None
    urgency: str
    hours: float | None
    """Hours from submission to the decision first seen; None while undecided."""
    late: bool
    appeal: str | None


def appeal_states(queue: Queue) -> dict[int, str]:
    """Each appealed item's latest appeal state (``bot.queue.appeals``), by item id."""
    from bot.queue.appeals import appeal_queue

    return {item_id: str(state) for item_id, state in appeal_queue(queue).appeal_states().items()}


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` as a date; ``ValueError`` with a message a person can act on."""
    try:
        if not _DAY.fullmatch(text.strip()):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date: {text!r}; give the day as YYYY-MM-DD") from None


def compute(
    items: Iterable[Item],
    appeals: Mapping[int, str],
    now: datetime,
    since: date | None = None,
) -> Metrics:
    """The figures of the submitted ``items`` (those submitted from ``since`` on, if given);
    ``appeals`` maps an item id to its appeal's latest state."""
    start = None if since is None else datetime.combine(since, time.min, tzinfo=UTC)
    requests = [
        _request(item, appeals, now)
        for item in items
        if item.state == State.SUBMITTED and (start is None or submitted_at(item) >= start)
    ]
    overall = _figures(requests)
    return Metrics(
        requests=overall["requests"],
        approval_rate=overall["approval_rate"],
        partial_rate=overall["partial_rate"],
        denial_rate=overall["denial_rate"],
        pend_rate=overall["pend_rate"],
        approved_after_appeal_rate=overall["approved_after_appeal_rate"],
        decision_hours=overall["decision_hours"],
        past_deadline=overall["past_deadline"],
        by_category=_by(requests, lambda r: (r.category,)),
        by_procedure=_by(requests, lambda r: r.codes),
        since=None if since is None else since.isoformat(),
    )


def _figures(requests: list[_Request]) -> Figures:
    total = len(requests)

    def rate(count: int, of: int = total) -> float | None:
        return round(count / of, 4) if of else None

    def share(status: str) -> float | None:
        return rate(sum(1 for r in requests if r.status == status))

    appealed = [r.appeal for r in requests if r.appeal in ("overturned", "upheld")]
    return Figures(
        requests=total,
        approval_rate=share("approved"),
        partial_rate=share("partially_approved"),
        denial_rate=share("denied"),
        pend_rate=rate(sum(1 for r in requests if r.at_submit == "pended")),
        approved_after_appeal_rate=rate(appealed.count("overturned"), len(appealed)),
        decision_hours={
            kind: _hours([r.hours for r in requests if r.urgency == kind and r.hours is not None])
            for kind in URGENCIES
        },
        past_deadline=sum(1 for r in requests if r.late),
    )


def nearest_rank(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the value at rank ceil(fraction * n) of the sorted values."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def _hours(values: list[float]) -> Hours:
    if not values:
        return Hours(median=None, p90=None, count=0)
    return Hours(
        median=round(statistics.median(values), 2),
        p90=round(nearest_rank(values, 0.9), 2),
        count=len(values),
    )


def _request(item: Item, appeals: Mapping[int, str], now: datetime) -> _Request:
    request = request_of(item)
    outcome = outcome_of(item)
    kind = urgency(item)
    went_in = submitted_at(item)
    hours = None
    late = decision_overdue(item, now)
    if outcome is not None and outcome.decided_at is not None:
        taken = outcome.decided_at - went_in
        hours = max(taken.total_seconds(), 0.0) / 3600  # clocks of two machines may disagree
        late = taken > DECISION_WINDOWS[kind]
    at_submit = outcome.submitted_status if outcome is not None else None
    return _Request(
        category=request.category if request is not None else UNKNOWN_CATEGORY,
        codes=tuple(line.code for line in request.procedures) if request is not None else (),
        status=item.portal_status,
        at_submit=at_submit.value if at_submit is not None else item.portal_status,
        urgency=kind,
        hours=hours,
        late=late,
        appeal=appeals.get(item.id),
    )


def _by(requests: list[_Request], keys: Callable[[_Request], Iterable[str]]) -> dict[str, Figures]:
    groups: dict[str, list[_Request]] = {}
    for request in requests:
        for key in dict.fromkeys(keys(request)):
            groups.setdefault(key, []).append(request)
    return {key: _figures(groups[key]) for key in sorted(groups)}


def percent(rate: float | None) -> str:
    """``0.1667`` → ``16.7%``; "n/a" when there is nothing to count."""
    return "n/a" if rate is None else f"{rate * 100:.1f}%"


def hours_text(value: float | None) -> str:
    """Hours as a person reads them: ``3.5 h``; under an hour in minutes (``12 min``)."""
    if value is None:
        return "n/a"
    return f"{value * 60:.0f} min" if value < 1 else f"{value:.1f} h"


def window_text(kind: str) -> str:
    """``72 h`` (expedited) or ``7 days`` (standard)."""
    window = DECISION_WINDOWS[kind]
    return f"{window.days} days" if window.days >= 7 else f"{window.total_seconds() / 3600:.0f} h"


def print_metrics(console: Console, metrics: Metrics) -> None:
    """The figures as tables: all requests, then by category, then by procedure code."""
    period = f" submitted since {metrics['since']}" if metrics["since"] else ""
    console.print(f"Outcome figures: {metrics['requests']} requests{period}.")
    overall = Table(title="All requests", title_justify="left")
    overall.add_column("figure")
    overall.add_column("value", justify="right")
    overall.add_row("Requests", str(metrics["requests"]))
    for key, label in RATES:
        overall.add_row(label, percent(_rate(metrics, key)))
    for kind in URGENCIES:
        hours = metrics["decision_hours"][kind]
        overall.add_row(
            f"Decision time, {kind}: median / 90th percentile (of {hours['count']})",
            f"{hours_text(hours['median'])} / {hours_text(hours['p90'])}",
        )
    overall.add_row(
        f"Past the decision clock ({window_text('expedited')} expedited, "
        f"{window_text('standard')} standard)",
        str(metrics["past_deadline"]),
    )
    print_wide(console, overall)
    for title, groups in (
        ("By category", metrics["by_category"]),
        ("By procedure code", metrics["by_procedure"]),
    ):
        if groups:
            print_wide(console, _group_table(title, groups))


def _group_table(title: str, groups: dict[str, Figures]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(title.removeprefix("By ").lower(), no_wrap=True)
    table.add_column("requests", justify="right")
    for _, label in RATES:
        table.add_column(label.lower(), justify="right")
    for kind in URGENCIES:
        table.add_column(f"{kind} median / p90", justify="right")
    table.add_column("past deadline", justify="right")
    for name, group in groups.items():
        times = [
            f"{hours_text(group['decision_hours'][k]['median'])} / "
            f"{hours_text(group['decision_hours'][k]['p90'])}"
            for k in URGENCIES
        ]
        table.add_row(
            escape(name),
            str(group["requests"]),
            *(percent(_rate(group, key)) for key, _ in RATES),
            *times,
            str(group["past_deadline"]),
        )
    return table


def _rate(group: Figures, key: str) -> float | None:
    value = group.get(key)
    return value if isinstance(value, float) else None
