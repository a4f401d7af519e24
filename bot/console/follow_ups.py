"""On the page of a request still waiting for the payer's decision: "Follow up now", and, when it
is pended, "Add attachment" (a document the payer wants). Both are asks the resident worker
does in its turn (``bot.queue.follow_ups``, ``bot.followup.follow_asked``): it looks the request
up on the portal's Status tab, records the decision it finds and uploads the file. The page
follows the ask (``/requests/{id}/asked``, server-sent events; without JavaScript it refreshes
itself) and shows what became of it.

The file is kept in a private folder under ``ARTIFACTS_DIR`` and checked as a request's
attachments are (type by extension and content, the portal's size limit) before it is asked
for; its name is on the request's page, never in the audit log or the server's log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sse_starlette.sse import EventSourceResponse
from starlette.datastructures import UploadFile

from bot.console.live import PING_S, polls
from bot.console.request_page import act, item_or_none, show_request
from bot.console.requests import private_folder
from bot.console.web import Signed, checked_form, console_of, page
from bot.models import attachment_file
from bot.queue import IllegalTransition
from bot.queue.follow_ups import FollowUpQueue, follow_up_queue


def follow_up_routes(app: FastAPI) -> None:
    @app.post("/requests/{item_id}/follow-up", dependencies=[Depends(checked_form)])
    async def follow_up(request: Request, user: Signed, item_id: int) -> Response:
        asks = follow_up_queue(console_of(request).queue)
        return act(
            request,
            user,
            item_id,
            lambda: asks.ask_follow_up(item_id, f"console:{user.name}"),
            "Only a submitted request still waiting for the payer's decision can be followed up",
            "follow_up_asked",
        )

    @app.post("/requests/{item_id}/attachment", dependencies=[Depends(checked_form)])
    async def attachment(request: Request, user: Signed, item_id: int) -> Response:
        item = item_or_none(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        form = await request.form()
        chosen = form.get("attachment")
        if not isinstance(chosen, UploadFile) or not chosen.filename:
            problem = "Choose the file to send (Word, Excel, PDF, text or TIFF)."
            return show_request(request, user, item, problem=problem, status=422)
        console = console_of(request)
        folder = private_folder(console.settings.artifacts_dir / "uploads")
        saved = folder / Path(chosen.filename).name
        saved.write_bytes(await chosen.read())
        try:
            checked = attachment_file(saved, folder, [])
            follow_up_queue(console.queue).ask_follow_up(
                item_id, f"console:{user.name}", str(checked)
            )
        except (ValueError, IllegalTransition) as exc:
            saved.unlink()
            problem = (
                str(exc)
                if isinstance(exc, ValueError)
                else "Only a pended request can get an attachment owed; "
                f"this one is {item.state} ({item.portal_status or 'no status'})."
            )
            return show_request(request, user, item, problem=problem, status=422)
        console.queue.audit(user.name, "attachment_added", item_id, None)
        return RedirectResponse(f"/requests/{item_id}", status_code=303)

    @app.get("/requests/{item_id}/asked")
    async def asked(request: Request, user: Signed, item_id: int) -> Response:
        if item_or_none(request, item_id) is None:
            return Response(status_code=404)
        asks = follow_up_queue(console_of(request).queue)
        return EventSourceResponse(_until_done(request, asks, item_id), ping=PING_S)


async def _until_done(
    request: Request, asks: FollowUpQueue, item_id: int
) -> AsyncIterator[dict[str, str]]:
    """``done`` once no ask of the item is open (the page then reloads to show what was found)."""
    async for _ in polls(request):
        if all(ask.done_at is not None for ask in asks.follow_ups(item_id)):
            yield {"event": "done", "data": "followed up"}
            return
