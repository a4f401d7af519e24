"""A request's own page, and what a person can do there by the request's state: retry a failed
request; edit a rejected or invalid one and send it as a new request linked to the old.

Every view and action is in the audit log. None can submit a request twice: each goes through
the queue's own transitions (a retried request that was ever about to be submitted goes back to
``submitting``, and is reconciled against the portal before anything else).
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.form import EDIT_SOURCE, EDITABLE, edit_of, values_of
from bot.console.requests import new_page
from bot.console.web import Signed, checked_form, console_of, page
from bot.queue import FINAL_STATES, IllegalTransition, Item, ItemNotFound, State
from bot.queue.console_store import ConsoleUser
from bot.steps import step_label

REFRESH_S = 2
"""Without JavaScript, a request being worked reloads its page this often (with it, the page
follows the steps live: ``bot.console.live``)."""
NEW_ID_SUFFIX = "-edit"


def request_page_routes(app: FastAPI) -> None:
    @app.get("/requests/{item_id}", response_class=HTMLResponse)
    async def one_request(request: Request, user: Signed, item_id: int) -> Response:
        item = _item(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        console_of(request).queue.audit(user.name, "viewed", item.id, None)
        return _page(request, user, item)

    @app.post("/requests/{item_id}/retry", dependencies=[Depends(checked_form)])
    async def retry(request: Request, user: Signed, item_id: int) -> Response:
        queue = console_of(request).queue
        item = _item(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        try:
            queue.retry(item_id, f"console:{user.name}")
        except IllegalTransition:
            problem = f"Only a failed request can be retried; this one is {item.state}."
            return _page(request, user, item, problem=problem, status=409)
        queue.audit(user.name, "retried", item_id, None)
        return RedirectResponse(f"/requests/{item_id}", status_code=303)

    @app.get("/requests/{item_id}/edit", response_class=HTMLResponse)
    async def edit(request: Request, user: Signed, item_id: int) -> Response:
        item = _item(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        if item.state not in EDITABLE:
            problem = f"Only a rejected or invalid request can be edited; this one is {item.state}."
            return _page(request, user, item, problem=problem, status=409)
        console_of(request).queue.audit(user.name, "viewed", item.id, "to edit")
        filled = values_of(item.payload)
        if filled is not None:
            filled.values["id"] = item.key[: 64 - len(NEW_ID_SUFFIX)] + NEW_ID_SUFFIX
        return new_page(request, user, form={"filled": filled, "errors": {}, "edit_of": item})


def _item(request: Request, item_id: int) -> Item | None:
    try:
        return console_of(request).queue.get(item_id)
    except ItemNotFound:
        return None


def _page(
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
        can_retry=item.state == State.FAILED,
        can_edit=item.state in EDITABLE,
    )
