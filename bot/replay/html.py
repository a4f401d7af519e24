"""The HTML report of a replay: every scenario's verdict, each failure linked to its evidence
(the flow's trace and failure screenshot, the results proof, a screenshot at the mismatch)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, select_autoescape

from bot.replay.runner import Result

_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pa-bot replay {{ when }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f3f7}.pass{color:#17692a}.fail,.malformed{color:#a11}
tr.bad td{background:#fff4e5}ul{margin:0;padding-left:1.2rem}code{font-size:.9em}
</style></head><body>
<h1>pa-bot replay</h1>
<p>{{ when }}: {{ results|length }} scenarios, {{ passed }} passed, {{ results|length - passed }}
failed. Open a trace with <code>playwright show-trace trace.zip</code>.</p>
<table><thead><tr><th>Scenario</th><th>Verdict</th><th>Seconds</th><th>What it proves</th>
<th>Expected against got</th><th>Evidence</th></tr></thead><tbody>
{% for r in rows %}<tr class="{{ '' if r.result.passed else 'bad' }}">
<td><code>{{ r.result.name }}</code><br><small>{{ r.result.file }}</small></td>
<td class="{{ r.result.verdict }}">{{ r.result.verdict }}</td>
<td>{{ '%.1f'|format(r.result.seconds) }}</td><td>{{ r.result.description }}</td>
<td>{% if r.result.messages %}<ul>{% for m in r.result.messages %}<li>{{ m }}</li>{% endfor %}
</ul>{% endif %}</td>
<td>{% for name, href in r.links %}<a href="{{ href }}">{{ name }}</a><br>{% endfor %}</td></tr>
{% endfor %}</tbody></table></body></html>
"""


def write_html(path: Path, results: list[Result], when: datetime) -> None:
    """Write the report; evidence links are relative to the report's folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.parent.resolve()
    rows = [
        {
            "result": result,
            "links": [
                (evidence.name, Path(os.path.relpath(evidence.resolve(), base)).as_posix())
                for evidence in result.evidence
            ],
        }
        for result in results
    ]
    template = Environment(autoescape=select_autoescape(default=True)).from_string(_HTML)
    path.write_text(
        template.render(
            rows=rows,
            results=results,
            passed=sum(r.passed for r in results),
            when=when.isoformat(timespec="seconds"),
        ),
        encoding="utf-8",
    )
