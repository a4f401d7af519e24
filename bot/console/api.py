"""The console's JSON API for programs (an EHR, an integration engine): a system account's
bearer token (``pa-bot users token NAME``) on every call; the same intake as request files.

``POST /api/requests`` answers 201 with the queued item (200 when its key was queued before: it
is never queued twice), or 422 with every field error. A request sent here cannot attach files:
an attachment is a path, and the API never reads paths on the server (the console's upload
form takes the files themselves).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from bot.console.passwords import token_digest
from bot.display import item_record
from bot.intake import Accepted, read_record
from bot.queue.console_store import ConsoleQueue, ConsoleUser
from bot.queued import payload, priority_of

NO_ATTACHMENTS = (
    "attachments: the API takes no attachments (they are paths, and it never reads the "
    "server's files); upload them in the console"
)


class TokenRefused(Exception):
    """No bearer token, or one no active account holds."""


def _queue(request: Request) -> ConsoleQueue:
    found: ConsoleQueue = request.app.state.console.queue
    return found


async def token_user(request: Request) -> ConsoleUser:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRefused
    user = _queue(request).user_by_token(token_digest(token.strip()))
    if user is None or user.disabled:
        raise TokenRefused
    return user


Caller = Annotated[ConsoleUser, Depends(token_user)]


def api_routes(app: FastAPI) -> None:
    @app.exception_handler(TokenRefused)
    async def _refused(request: Request, exc: TokenRefused) -> JSONResponse:
        return JSONResponse(
            {"detail": "send Authorization: Bearer <token> (pa-bot users token NAME)"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )

    @app.post("/api/requests")
    async def add_request(
        request: Request, caller: Caller, body: Annotated[Any, Body()]
    ) -> JSONResponse:
        queue = _queue(request)
        settings = request.app.state.console.settings
        if isinstance(body, dict) and body.get("attachments"):
            return JSONResponse({"errors": [NO_ATTACHMENTS]}, status_code=422)
        entry = read_record(
            body,
            f"api:{caller.name}",
            base_dir=settings.artifacts_dir / "no-server-files",
            private_dirs=[settings.artifacts_dir],
        )
        if not isinstance(entry, Accepted):
            return JSONResponse({"errors": entry.errors}, status_code=422)
        made = entry.request
        done = queue.enqueue(made.key, payload(made), entry.source, priority=priority_of(made))
        queue.audit(caller.name, "queued" if done.created else "queued_again", done.item.id, None)
        record = item_record(done.item)
        return JSONResponse(record, status_code=201 if done.created else 200)

    @app.get("/api/requests/{key}")
    async def get_request(request: Request, caller: Caller, key: str) -> JSONResponse:
        queue = _queue(request)
        item = queue.get_by_key(key)
        if item is None:
            return JSONResponse({"detail": "no request has this key"}, status_code=404)
        queue.audit(caller.name, "viewed", item.id, "api")
        return JSONResponse(item_record(item))
