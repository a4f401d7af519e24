"""The Figures page (``/metrics``): the practice's outcome figures (``bot.metrics``, the same as
``pa-bot metrics``) as tables, and drawn as charts (``bot.console.charts``); ``?since=YYYY-MM-DD``
counts only the requests submitted from that day. Staff sign-in required."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from bot.console.charts import decision_chart, rates_chart
from bot.console.web import Signed, console_of, page
from bot.metrics import (
    RATES,
    URGENCIES,
    appeal_states,
    compute,
    hours_text,
    parse_day,
    percent,
    window_text,
)


def metrics_routes(app: FastAPI) -> None:
    @app.get("/metrics", response_class=HTMLResponse)
    async def figures(request: Request, user: Signed) -> Response:
        queue = console_of(request).queue
        since = request.query_params.get("since", "").strip()
        problem = None
        try:
            day = parse_day(since) if since else None
        except ValueError as exc:
            day, problem = None, f"Submitted from: {exc}"
        metrics = compute(queue.items(), appeal_states(queue), queue.now(), since=day)
        return page(
            request,
            "metrics.html",
            status=422 if problem else 200,
            user=user,
            metrics=metrics,
            charts=[rates_chart(metrics), decision_chart(metrics)] if metrics["requests"] else [],
            since=since,
            problem=problem,
            rates=RATES,
            urgencies=URGENCIES,
            percent=percent,
            hours=hours_text,
            window=window_text,
        )
