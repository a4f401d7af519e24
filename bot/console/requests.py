"""New requests from the console: a request file with its attachments, uploaded; or one
request entered field by field (``bot.console.form``), perhaps the edit of a rejected one.

Uploaded files are written to a fresh private folder under the artifacts directory; a request's
attachments must name files uploaded with it (matched by file name): no path on the server is
ever read. "Submit now" queues as urgent (a person waits: the resident worker takes it first)
and opens the request's page; "Add to queue" queues at the request's own priority.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from bot.codes import describe_diagnosis, describe_procedure, split_codes
from bot.console.form import EDIT_SOURCE, EDITABLE, GROUPS, MEMBER_WAYS, errors_by_field, filled
from bot.console.web import Signed, checked_form, console_of, page
from bot.intake import Entry, Rejected, read_cells, read_requests
from bot.queue import Item, ItemNotFound, Priority
from bot.queue.console_store import ConsoleUser
from bot.queued import payload, priority_of

MAX_UPLOAD_FILES = 50
MAX_CODES = 20
LABELS = {f.name: f.label for group in GROUPS for f in group.fields} | {
    "member": "Member",
    "request": "Request",
    "attachments": "Attachment files",
}


def request_routes(app: FastAPI) -> None:
    @app.get("/requests/new", response_class=HTMLResponse)
    async def new_request(request: Request, user: Signed) -> Response:
        return new_page(request, user)

    @app.post("/requests/form", dependencies=[Depends(checked_form)])
    async def by_hand(request: Request, user: Signed) -> Response:
        form = await request.form()
        sent = filled({k: v for k, v in form.items() if isinstance(v, str)})
        files = [f for f in form.getlist("attachment_files") if isinstance(f, UploadFile)]
        folder = private_folder(console_of(request).settings.artifacts_dir / "uploads")
        names = await _save(files[:MAX_UPLOAD_FILES], folder)
        if names:
            sent.cells["attachments"] = ";".join(names)
        edited = _edited(request, form.get("edit_of"))
        source = "console form" if edited is None else f"{EDIT_SOURCE}{edited.id}"
        entry = read_cells(sent.cells, source, uploaded=folder)
        if isinstance(entry, Rejected):
            shown = {"filled": sent, "errors": errors_by_field(entry.errors), "edit_of": edited}
            return new_page(request, user, status=422, form=shown)
        now = form.get("submit") == "now"
        (row,) = _queue_entries(request, user.name, [entry], folder, now=now)
        if edited is not None and row["item_id"] is not None:
            console_of(request).queue.audit(user.name, "edited", edited.id, f"as {row['item_id']}")
        if now:
            return RedirectResponse(f"/requests/{row['item_id']}", status_code=303)
        return new_page(request, user, rows=[row])

    @app.get("/codes/{kind}")
    async def codes(request: Request, user: Signed, kind: str, codes: str = "") -> Response:
        describe = {"diagnosis_codes": describe_diagnosis, "procedures": describe_procedure}
        if kind not in describe:
            return JSONResponse([], status_code=404)
        pairs = [describe[kind](code) for code in split_codes(codes)[:MAX_CODES]]
        return JSONResponse(pairs)

    @app.post("/requests/upload", dependencies=[Depends(checked_form)])
    async def upload(request: Request, user: Signed) -> Response:
        form = await request.form()
        files = [f for f in form.getlist("request_file") if isinstance(f, UploadFile)]
        extra = [f for f in form.getlist("attachments") if isinstance(f, UploadFile)]
        if not files or not files[0].filename or len(extra) > MAX_UPLOAD_FILES:
            problem = "Choose a request file (JSON, JSON Lines or CSV)."
            return new_page(request, user, status=422, problem=problem)
        folder = private_folder(console_of(request).settings.artifacts_dir / "uploads")
        await _save(extra, folder)
        request_file = folder / ("request-" + Path(files[0].filename or "file").name)
        request_file.write_bytes(await files[0].read())
        now = form.get("submit") == "now"
        entries = read_requests(request_file, uploaded=folder)
        rows = _queue_entries(request, user.name, entries, folder, now=now)
        queued = [row for row in rows if row["item_id"] is not None]
        if now and len(rows) == 1 and queued:
            return RedirectResponse(f"/requests/{queued[0]['item_id']}", status_code=303)
        return new_page(request, user, status=200 if queued else 422, rows=rows)


def new_page(request: Request, user: ConsoleUser, status: int = 200, **shown: Any) -> Response:
    return page(
        request,
        "new_request.html",
        status=status,
        user=user,
        groups=GROUPS,
        ways=MEMBER_WAYS,
        labels=LABELS,
        **shown,
    )


async def _save(files: list[UploadFile], folder: Path) -> list[str]:
    """The files chosen, written to ``folder`` under their own names (never a path)."""
    names: list[str] = []
    for chosen in files:
        if chosen.filename:
            name = Path(chosen.filename).name
            (folder / name).write_bytes(await chosen.read())
            names.append(name)
    return names


def _edited(request: Request, sent: object) -> Item | None:
    """The rejected or invalid request a form edits (its queue id in the form), if any."""
    if not isinstance(sent, str) or not sent.isdigit():
        return None
    try:
        item = console_of(request).queue.get(int(sent))
    except ItemNotFound:
        return None
    return item if item.state in EDITABLE else None


def private_folder(parent: Path) -> Path:
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = parent / secrets.token_hex(8)
    folder.mkdir(mode=0o700)
    return folder


def _queue_entries(
    request: Request, actor: str, entries: list[Entry], folder: Path, *, now: bool
) -> list[dict[str, object]]:
    """Queue the accepted entries; a result row per entry (its errors, or its queue item)."""
    queue = console_of(request).queue
    rows: list[dict[str, object]] = []
    for entry in entries:
        source = entry.source.replace(str(folder) + "/request-", "upload:")
        if isinstance(entry, Rejected):
            rows.append({"source": source, "errors": entry.errors, "item_id": None, "key": None})
            continue
        made = entry.request
        priority = Priority.URGENT if now else priority_of(made)
        done = queue.enqueue(made.key, payload(made), source, priority=priority)
        if now and not done.created:
            queue.prioritize(done.item.id, Priority.URGENT)
        action = ("submitted_now" if now else "queued") if done.created else "queued_again"
        queue.audit(actor, action, done.item.id, None)
        rows.append(
            {
                "source": source,
                "errors": [],
                "item_id": done.item.id,
                "key": made.key,
                "said": "queued" if done.created else f"already queued ({done.item.state})",
            }
        )
    return rows
