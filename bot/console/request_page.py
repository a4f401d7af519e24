"""A request's own page (its facts, its lines, the proof PDF, the failure's screenshot, its
timeline), and what a person can do there by the request's state: retry a failed request; edit a
rejected or invalid one and send it as a new request linked to the old; cancel a pending one;
ask for a follow-up, or add an attachment owed (``bot.console.follow_ups``).

Every view and action is in the audit log. None can submit a request twice: each goes through
the queue's own transitions (a retried request that was ever about to be submitted goes back to
``submitting``, and is reconciled against the portal before anything else).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from bot.appeals import appeal_view
from bot.console.form import EDIT_SOURCE, EDITABLE, edit_of, values_of
from bot.console.requests import new_page
from bot.console.web import Signed, checked_form, console_of, page
from bot.deadlines import decision_due
from bot.queue import FINAL_STATES, IllegalTransition, Item, ItemNotFound, State
from bot.queue.console_store import ConsoleUser
from bot.queue.follow_ups import UNDECIDED, follow_up_queue
from bot.queued import documentation_of, outcome_of
from bot.steps import step_label

REFRESH_S = 2
"""Without JavaScript, a request being worked reloads its page this often (with it, the page
follows the steps live: ``bot.console.live``)."""
NEW_ID_SUFFIX = "-edit"
FRAMED_HERE = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
    "content-disposition": 'inline; filename="proof.pdf"',
}
"""The proof PDF is shown inside the request's page: only this console may frame it."""


def request_page_routes(app: FastAPI) -> None:
    @app.get("/requests/{item_id}", response_class=HTMLResponse)
    async def one_request(request: Request, user: Signed, item_id: int) -> Response:
        item = item_or_none(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        console_of(request).queue.audit(user.name, "viewed", item.id, None)
        return show_request(request, user, item)

    @app.get("/requests/{item_id}/proof.pdf")
    async def proof(request: Request, user: Signed, item_id: int) -> Response:
        return _file(request, user, item_id, "proof")

    @app.get("/requests/{item_id}/failure.png")
    async def failure(request: Request, user: Signed, item_id: int) -> Response:
        return _file(request, user, item_id, "failure")

    @app.post("/requests/{item_id}/retry", dependencies=[Depends(checked_form)])
    async def retry(request: Request, user: Signed, item_id: int) -> Response:
        queue = console_of(request).queue
        return act(
            request,
            user,
            item_id,
            lambda: queue.retry(item_id, f"console:{user.name}"),
            "Only a failed request can be retried",
            "retried",
        )

    @app.post("/requests/{item_id}/cancel", dependencies=[Depends(checked_form)])
    async def cancel(request: Request, user: Signed, item_id: int) -> Response:
        queue = console_of(request).queue
        return act(
            request,
            user,
            item_id,
            lambda: queue.cancel(item_id, f"console:{user.name}"),
            "Only a request no worker has taken up yet can be cancelled",
            "cancelled",
        )

    @app.get("/requests/{item_id}/edit", response_class=HTMLResponse)
    async def edit(request: Request, user: Signed, item_id: int) -> Response:
        item = item_or_none(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        if item.state not in EDITABLE:
            problem = f"Only a rejected or invalid request can be edited; this one is {item.state}."
            return show_request(request, user, item, problem=problem, status=409)
        console_of(request).queue.audit(user.name, "viewed", item.id, "to edit")
        filled = values_of(item.payload)
        if filled is not None:
            filled.values["id"] = item.key[: 64 - len(NEW_ID_SUFFIX)] + NEW_ID_SUFFIX
        return new_page(request, user, form={"filled": filled, "errors": {}, "edit_of": item})


def act(
    request: Request,
    user: ConsoleUser,
    item_id: int,
    change: Callable[[], object],
    refusal: str,
    audited: str,
) -> Response:
    """A person's action on a request, through the queue's own transition (``change``): audited
    and back to the request's page; refused with 409 and ``refusal`` (with the state the
    request is in now) when its state does not allow it."""
    item = item_or_none(request, item_id)
    if item is None:
        return page(request, "not_found.html", status=404, user=user)
    try:
        change()
    except IllegalTransition:
        now = item_or_none(request, item_id) or item
        status = f" ({now.portal_status})" if now.portal_status else ""
        problem = f"{refusal}; this one is {now.state}{status}."
        return show_request(request, user, now, problem=problem, status=409)
    console_of(request).queue.audit(user.name, audited, item_id, None)
    return RedirectResponse(f"/requests/{item_id}", status_code=303)


def item_or_none(request: Request, item_id: int) -> Item | None:
    try:
        return console_of(request).queue.get(item_id)
    except ItemNotFound:
        return None


SERVED = {
    "proof": ("application/pdf", FRAMED_HERE, "proof"),
    "failure": ("image/png", {}, "failure screenshot"),
}
"""Per kind of evidence: its media type, its own headers, what the audit log says was viewed."""


def _file(request: Request, user: ConsoleUser, item_id: int, kind: str) -> Response:
    item = item_or_none(request, item_id)
    path = None if item is None else _evidence(request, item, kind)
    if item is None or path is None:
        return page(request, "not_found.html", status=404, user=user)
    media_type, headers, viewed = SERVED[kind]
    console_of(request).queue.audit(user.name, "viewed", item.id, viewed)
    return FileResponse(path, media_type=media_type, headers=headers)


def _evidence(request: Request, item: Item, kind: str) -> Path | None:
    """The item's proof PDF or failure screenshot, if there is one inside the artifacts folder
    (an outcome naming a file elsewhere is never served)."""
    root = console_of(request).settings.artifacts_dir.resolve()
    if kind == "proof":
        outcome = outcome_of(item)
        named = [Path(p) for p in (outcome.artifacts if outcome else []) if p.endswith(".pdf")]
    else:
        named = [root / item.key / "failure.png"]
    for path in named:
        found = path.resolve()
        if found.is_relative_to(root) and found.is_file():
            return found
    return None


def show_request(
    request: Request,
    user: ConsoleUser,
    item: Item,
    *,
    problem: str | None = None,
    status: int = 200,
) -> Response:
    queue = console_of(request).queue
    final = item.state in FINAL_STATES
    source = f"{EDIT_SOURCE}{item.id}"
    outcome = outcome_of(item)
    asks = follow_up_queue(queue).follow_ups(item.id)
    waiting = item.state == State.SUBMITTED and item.portal_status in UNDECIDED
    return page(
        request,
        "request.html",
        status=status,
        user=user,
        item=item,
        history=queue.history(item.id),
        refresh=None if final else REFRESH_S,
        step=None if final or item.step is None else step_label(item.step),
        problem=problem,
        edit_of=edit_of(item),
        edits=[other for other in queue.items() if other.source == source],
        lines=outcome.lines if outcome else [],
        outcome=outcome,
        gaps=documentation_of(item),
        appeal=appeal_view(queue, console_of(request).settings, item),
        due=decision_due(item),
        has_proof=_evidence(request, item, "proof") is not None,
        has_failure=_evidence(request, item, "failure") is not None,
        can_retry=item.state == State.FAILED,
        can_edit=item.state in EDITABLE,
        can_cancel=item.state == State.PENDING,
        can_follow_up=waiting,
        can_attach=waiting and item.portal_status == "pended",
        asks=asks,
        asking=any(ask.done_at is None for ask in asks),
        uploaded=outcome.uploaded if outcome else [],
    )
