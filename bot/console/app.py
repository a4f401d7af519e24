"""The staff console: server-rendered pages over the queue (``pa-bot serve``).

Pages work without JavaScript. Every answer carries the security headers of
``bot.console.security``; every form its CSRF token; the session is a signed cookie that ends
after ``PA_BOT_CONSOLE_IDLE_MINUTES`` without a request (each answer signs it anew). No member
data in URLs: requests are addressed by their queue id.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from bot.appeals import appeal_book
from bot.codes import load_code_set
from bot.config import Settings
from bot.console.admin import admin_routes
from bot.console.api import api_routes
from bot.console.appeal_page import appeal_routes
from bot.console.eligibility_page import eligibility_routes
from bot.console.fhir import fhir_routes
from bot.console.follow_ups import follow_up_routes
from bot.console.live import live_routes
from bot.console.metrics_page import metrics_routes
from bot.console.request_page import request_page_routes
from bot.console.requests import request_routes
from bot.console.security import SecurityHeaders
from bot.console.signin import Refused, sign_in
from bot.console.web import (
    HERE,
    Console,
    CsrfRefused,
    Signed,
    SignInNeeded,
    checked_form,
    console_of,
    page,
)
from bot.console.worklist import CATEGORIES, PORTAL_STATUSES, Filters, worklist
from bot.queue import State, open_queue
from bot.queue.console_store import console_queue

SESSION_COOKIE = "pa_bot_console"


def create_app(settings: Settings) -> FastAPI:
    console = Console(settings)
    secret_queue = console_queue(open_queue(settings.queue_url))
    try:
        secret = secret_queue.console_secret()
    finally:
        secret_queue.close()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=load_code_set, name="code-set", daemon=True).start()
        yield
        console.close()

    app = FastAPI(
        title="pa-bot console", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.console = console
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.console_idle_minutes * 60,
        same_site="strict",
        https_only=settings.console_secure_cookie,
    )
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _routes(app)
    api_routes(app)
    fhir_routes(app)
    admin_routes(app)
    request_routes(app)
    request_page_routes(app)
    follow_up_routes(app)
    appeal_routes(app)
    eligibility_routes(app)
    live_routes(app)
    metrics_routes(app)
    return app


def _routes(app: FastAPI) -> None:
    @app.exception_handler(SignInNeeded)
    async def _sign_in_needed(request: Request, exc: SignInNeeded) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "sign in or send a bearer token"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return page(request, "refused.html", status=403)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        return page(request, "login.html", problem=None, username="")

    @app.post("/login", response_class=HTMLResponse, dependencies=[Depends(checked_form)])
    async def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
    ) -> Response:
        found = await sign_in(console_of(request).queue, username.strip(), password)
        if isinstance(found, Refused):
            return page(request, "login.html", status=401, problem=found.message, username=username)
        request.session.clear()  # a fresh session (and CSRF token) for the signed-in account
        request.session["user"] = found.name
        return RedirectResponse("/", status_code=303)

    @app.post("/logout", dependencies=[Depends(checked_form)])
    async def logout(request: Request) -> Response:
        name = request.session.get("user")
        if isinstance(name, str):
            console_of(request).queue.audit(name, "signed_out", None, None)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request, user: Signed) -> Response:
        filters = Filters.of(dict(request.query_params))
        console = console_of(request)
        queue = console.queue
        return page(
            request,
            "worklist.html",
            user=user,
            work=worklist(queue.items(), filters, appeal_book(queue, console.settings)),
            filters=filters,
            states=[str(state) for state in State],
            statuses=PORTAL_STATUSES,
            categories=CATEGORIES,
        )
