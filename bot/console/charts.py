"""The Figures page's charts, drawn from the data on the server: shapes with their places and
classes (colours in console.css), which ``charts.html`` writes out as inline SVG. No chart
library, nothing fetched by the browser; each chart has an accessible name, and the page shows
the same numbers in tables."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.deadlines import DECISION_WINDOWS
from bot.metrics import URGENCIES, Figures, Metrics, hours_text, percent, window_text

RATE_BARS = (
    ("approval_rate", "approved", "Approved"),
    ("partial_rate", "partial", "Partially approved"),
    ("denial_rate", "denied", "Denied"),
    ("pend_rate", "pended", "Pended at submit"),
)
"""The rates the rate chart draws: key, CSS class (``bar-…``), legend."""
_LABELS = 200
"""Width of the labels' column."""
_PLOT = 400
_RIGHT = 90
_BAR = 12
_GAP = 3
_GROUP_GAP = 18
_TOP = 34
_BOTTOM = 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = "chart-text"


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    css: str = "chart-grid"


@dataclass
class Chart:
    id: str
    name: str
    """The accessible name (its ``<title>``)."""
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    marks: list[Rule] = field(default_factory=list)
    """Lines drawn over the bars (the decision clocks)."""

    def legend(self, entries: list[tuple[str, str]]) -> None:
        x = float(_LABELS)
        for css, text in entries:
            self.bars.append(Bar(x, 8, 12, 12, css, text))
            self.labels.append(Label(x + 16, 18, text))
            x += 28 + 7.5 * len(text)

    def axis(self, top: float, bottom: float, ticks: list[tuple[float, str]]) -> None:
        for x, text in ticks:
            self.rules.append(Rule(x, top, x, bottom))
            self.labels.append(Label(x, bottom + 16, text, "middle"))


def rates_chart(metrics: Metrics) -> Chart:
    """Approval, partial, denial and pend rates of all requests and of each category: one group of
    four horizontal bars each, 0 to 100 %."""
    groups: list[tuple[str, Figures]] = [("All requests", metrics)]
    groups += list(metrics["by_category"].items())
    band = len(RATE_BARS) * (_BAR + _GAP) + _GROUP_GAP
    height = _TOP + band * len(groups) + _BOTTOM
    chart = Chart(
        "rates",
        "Approval, partial approval, denial and pend rates, of all requests and by category",
        _LABELS + _PLOT + _RIGHT,
        height,
    )
    chart.legend([(f"bar-{css}", text) for _, css, text in RATE_BARS])
    for n, (name, group) in enumerate(groups):
        top = _TOP + n * band
        chart.labels.append(Label(_LABELS - 8, top + band / 2 - 4, name, "end"))
        for m, (key, css, text) in enumerate(RATE_BARS):
            rate = group.get(key)
            value = rate if isinstance(rate, float) else 0.0
            y = top + m * (_BAR + _GAP)
            shown = percent(rate if isinstance(rate, float) else None)
            chart.bars.append(
                Bar(_LABELS, y, value * _PLOT, _BAR, f"bar-{css}", f"{text}: {shown}")
            )
            chart.labels.append(Label(_LABELS + value * _PLOT + 4, y + _BAR - 2, shown))
    bottom = height - _BOTTOM
    chart.axis(_TOP - 4, bottom, [(_LABELS + _PLOT * p / 100, f"{p}%") for p in range(0, 101, 25)])
    return chart


def decision_chart(metrics: Metrics) -> Chart:
    """The median and 90th-percentile decision times of expedited and of standard requests,
    beside each one's CMS-0057-F clock (72 hours, 7 days), in hours on one scale."""
    windows = {kind: DECISION_WINDOWS[kind].total_seconds() / 3600 for kind in URGENCIES}
    longest = max(
        [*windows.values()]
        + [h[k] or 0.0 for h in metrics["decision_hours"].values() for k in ("median", "p90")]
    )
    step = 24 * max(1, math.ceil(longest / 24 / 7))
    scale = _PLOT / (step * math.ceil(longest / step))
    band = 2 * (_BAR + _GAP) + _GROUP_GAP + 8
    height = _TOP + band * len(URGENCIES) + _BOTTOM
    chart = Chart(
        "decisions",
        "Median and 90th-percentile decision times in hours, expedited and standard, "
        "against the 72-hour and 7-day clocks",
        _LABELS + _PLOT + _RIGHT,
        height,
    )
    chart.legend(
        [("bar-median", "Median"), ("bar-p90", "90th percentile"), ("legend-clock", "Clock")]
    )
    for n, kind in enumerate(URGENCIES):
        top = _TOP + n * band
        hours = metrics["decision_hours"][kind]
        chart.labels.append(
            Label(
                _LABELS - 8,
                top + _BAR + 2,
                f"{kind.capitalize()} ({hours['count']} decided)",
                "end",
            )
        )
        for m, key in enumerate(("median", "p90")):
            value = hours["median"] if key == "median" else hours["p90"]
            y = top + m * (_BAR + _GAP)
            width = (value or 0.0) * scale
            tip = (
                f"{kind} {'median' if key == 'median' else '90th percentile'}: {hours_text(value)}"
            )
            chart.bars.append(Bar(_LABELS, y, width, _BAR, f"bar-{key}", tip))
            chart.labels.append(Label(_LABELS + width + 4, y + _BAR - 2, hours_text(value)))
        x = _LABELS + windows[kind] * scale
        chart.marks.append(Rule(x, top - 4, x, top + 2 * (_BAR + _GAP) + 4, "clock"))
        chart.labels.append(
            Label(
                x + 4, top + 2 * (_BAR + _GAP) + 14, f"{window_text(kind)} clock", css="chart-small"
            )
        )
    ticks = range(0, int(_PLOT / scale) + 1, step)
    chart.axis(_TOP - 4, height - _BOTTOM, [(_LABELS + t * scale, f"{t} h") for t in ticks])
    return chart
