"""On the page of a denied or partially approved request: its appeal. "Prepare appeal packet"
prints the packet (``bot.appeals``, one at a time, with a headless Chromium) and records the
appeal ``prepared``; "Open the appeal packet" downloads it; "Mark appeal filed", "Mark
overturned", "Mark upheld" and "Accept the decision (no appeal)" record the appeal's next step.
Every step is audited and in the appeal's history.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from bot.appeals import MARKS, NotAppealable, packet_path, prepare
from bot.console.request_page import act, item_or_none, show_request
from bot.console.web import Signed, checked_form, console_of, page
from bot.errors import PaBotError
from bot.queue import IllegalTransition
from bot.queue.appeals import appeal_queue


def appeal_routes(app: FastAPI) -> None:
    @app.post("/requests/{item_id}/appeal/packet", dependencies=[Depends(checked_form)])
    async def make_packet(request: Request, user: Signed, item_id: int) -> Response:
        item = item_or_none(request, item_id)
        if item is None:
            return page(request, "not_found.html", status=404, user=user)
        console = console_of(request)
        try:
            await prepare(console.queue, item, console.settings, f"console:{user.name}")
        except (NotAppealable, IllegalTransition) as refused:
            return show_request(request, user, item, problem=str(refused), status=409)
        except PaBotError as trouble:  # no Chromium, or it failed: nothing was recorded
            problem = f"The packet could not be printed: {trouble}"
            return show_request(request, user, item, problem=problem, status=503)
        console.queue.audit(user.name, "appeal_prepared", item_id, None)
        return RedirectResponse(f"/requests/{item_id}", status_code=303)

    @app.get("/requests/{item_id}/appeal.pdf")
    async def packet(request: Request, user: Signed, item_id: int) -> Response:
        item = item_or_none(request, item_id)
        console = console_of(request)
        path = packet_path(console.settings, item.reference_id or "") if item else None
        root = console.settings.artifacts_dir.resolve()
        inside = path is not None and path.resolve().is_relative_to(root)  # no symlink out
        if item is None or path is None or not inside or not path.is_file():
            return page(request, "not_found.html", status=404, user=user)
        console.queue.audit(user.name, "viewed", item.id, "appeal packet")
        return FileResponse(path, media_type="application/pdf", filename=path.name)

    @app.post("/requests/{item_id}/appeal", dependencies=[Depends(checked_form)])
    async def mark(request: Request, user: Signed, item_id: int) -> Response:
        form = await request.form()
        wanted = MARKS.get(str(form.get("step")))
        if wanted is None:
            item = item_or_none(request, item_id)
            if item is None:
                return page(request, "not_found.html", status=404, user=user)
            problem = "Choose filed, overturned, upheld or declined."
            return show_request(request, user, item, problem=problem, status=422)
        appeals = appeal_queue(console_of(request).queue)
        return act(
            request,
            user,
            item_id,
            lambda: appeals.record_appeal(item_id, wanted, f"console:{user.name}"),
            f"The appeal cannot be marked {wanted} now",
            f"appeal_{wanted}",
        )
