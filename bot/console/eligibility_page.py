"""The Eligibility page (``/eligibility``): upload tomorrow's schedule (the file ``pa-bot
eligibility`` reads), see the answers as the resident worker gets them from the portal's Member
Eligibility screen, export them as CSV. The checks are asks in ``eligibility_checks``
(``bot.queue.eligibility``); while some wait, the page reloads as each answer comes (server-sent
events from ``/eligibility/answered``; without JavaScript it refreshes itself).
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse
from starlette.datastructures import UploadFile

from bot.console.live import PING_S, polls
from bot.console.web import Signed, checked_form, console_of, page
from bot.display import csv_cell
from bot.eligibility import MEMBER_COLUMNS, looks_csv, member_key, read_text
from bot.models import Member
from bot.queue.eligibility import EligibilityCheck, EligibilityQueue, eligibility_queue

REFRESH_S = 2
"""How often the page reloads itself while checks wait for the worker."""
EXPORT_COLUMNS = (
    *MEMBER_COLUMNS,
    "date_of_service",
    "eligible",
    "plan",
    "coverage_start",
    "coverage_end",
    "other_payer",
    "error",
)


def eligibility_routes(app: FastAPI) -> None:
    @app.get("/eligibility", response_class=HTMLResponse)
    async def eligibility(request: Request, user: Signed) -> Response:
        batch = request.query_params.get("batch") or None
        return _page(request, user, batch)

    @app.post("/eligibility", dependencies=[Depends(checked_form)])
    async def upload(request: Request, user: Signed) -> Response:
        form = await request.form()
        chosen = form.get("schedule")
        if not isinstance(chosen, UploadFile) or not chosen.filename:
            return _page(request, user, None, problem="Choose the schedule file.", status=422)
        try:
            text = (await chosen.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            return _page(request, user, None, problem="The file is not UTF-8 text.", status=422)
        name = Path(chosen.filename).name
        lines = read_text(text, "the file", is_csv=looks_csv(name, text))
        bad = [f"{line.source}: {'; '.join(line.errors)}" for line in lines if line.ask is None]
        if bad or not lines:
            problems = bad or ["The file holds no member and date of service."]
            return _page(request, user, None, problem=" ".join(problems), status=422)
        console = console_of(request)
        checks = eligibility_queue(console.queue)
        batch = f"console-{secrets.token_hex(4)}"
        for line in lines:
            assert line.ask is not None
            member = line.ask.member
            checks.ask_eligibility(
                member_key(member),
                member.model_dump_json(exclude_none=True),
                line.ask.date_of_service,
                batch,
            )
        console.queue.audit(user.name, "eligibility_asked", None, f"{len(lines)} checks")
        return RedirectResponse(f"/eligibility?batch={batch}", status_code=303)

    @app.get("/eligibility/answered")
    async def answered(request: Request, user: Signed) -> Response:
        """``done`` once more checks of the batch are answered than the page showed: the page
        then reloads to show them (``static/live.js``)."""
        checks = eligibility_queue(console_of(request).queue)
        batch = request.query_params.get("batch") or ""
        try:
            seen = int(request.query_params.get("seen", "0"))
        except ValueError:
            seen = 0
        return EventSourceResponse(_until_more(request, checks, batch, seen), ping=PING_S)

    @app.get("/eligibility.csv")
    async def export(request: Request, user: Signed) -> Response:
        console = console_of(request)
        batch = request.query_params.get("batch") or ""
        rows = eligibility_queue(console.queue).eligibility_checks(batch=batch)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        for check in rows:
            writer.writerow({k: csv_cell(v) for k, v in _export_row(check).items()})
        console.queue.audit(user.name, "viewed", None, "eligibility export")
        headers = {"content-disposition": 'attachment; filename="eligibility.csv"'}
        return Response(out.getvalue(), media_type="text/csv", headers=headers)


async def _until_more(
    request: Request, checks: EligibilityQueue, batch: str, seen: int
) -> AsyncIterator[dict[str, str]]:
    async for _ in polls(request):
        rows = checks.eligibility_checks(batch=batch)
        if sum(c.eligible is not None or c.error is not None for c in rows) > seen:
            yield {"event": "done", "data": "answered"}
            return


def _page(
    request: Request,
    user: Signed,
    batch: str | None,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    checks = eligibility_queue(console_of(request).queue).eligibility_checks(batch=batch or "")
    rows = [(Member.model_validate_json(c.member), c) for c in checks] if batch else []
    waiting = sum(c.eligible is None and c.error is None for _, c in rows)
    return page(
        request,
        "eligibility.html",
        status=status,
        user=user,
        batch=batch,
        rows=rows,
        waiting=waiting,
        refresh=REFRESH_S if waiting else None,
        problem=problem,
    )


def _export_row(check: EligibilityCheck) -> dict[str, object]:
    member = Member.model_validate_json(check.member)
    waiting = check.eligible is None and check.error is None
    return {
        **{column: getattr(member, column) for column in MEMBER_COLUMNS},
        "date_of_service": check.date_of_service.isoformat(),
        "eligible": "" if check.eligible is None else str(check.eligible).lower(),
        "plan": check.plan,
        "coverage_start": check.coverage_start,
        "coverage_end": check.coverage_end,
        "other_payer": check.other_payer,
        "error": "waiting" if waiting else check.error,
    }
