"""``create_app(settings)``: the mock CareSource Provider Portal as a FastAPI application."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.staticfiles import StaticFiles

from mock_portal import admin
from mock_portal.auth import Auth
from mock_portal.catalog import Catalog
from mock_portal.faults import Faults
from mock_portal.middleware import SERVER_ERROR, PortalMiddleware
from mock_portal.routes import (
    account,
    api,
    details,
    eligibility,
    lookup,
    notices,
    results,
    summary,
)
from mock_portal.settings import PortalSettings
from mock_portal.store import Store
from mock_portal.web import Portal, make_environment, portal_of

STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger("mock_portal")

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Page Not Found",
    405: "Method Not Allowed",
    413: "Request Too Large",
    422: "Bad Request",
}


def build_portal(settings: PortalSettings, clock: Callable[[], float] | None = None) -> Portal:
    now = clock or time.time
    store = Store(settings.db)
    faults = Faults(settings)
    return Portal(
        settings=settings,
        store=store,
        catalog=Catalog(settings.fixtures),
        faults=faults,
        auth=Auth(
            store,
            now,
            lambda: faults.config.session_timeout_s,
            lambda: faults.config.single_session,
        ),
        env=make_environment(),
        clock=now,
    )


def create_app(
    settings: PortalSettings | None = None, *, clock: Callable[[], float] | None = None
) -> FastAPI:
    """The portal app; ``clock`` (seconds, like ``time.time``) lets tests move time."""
    portal = build_portal(settings or PortalSettings(), clock)
    app = FastAPI(
        title="CareSource Provider Portal (mock)", docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.portal = portal
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (account, notices, lookup, eligibility, details, summary, results, api, admin):
        app.include_router(module.router)
    app.add_middleware(PortalMiddleware, portal=lambda: portal)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith(("/_mock", "/api")):
            return JSONResponse({"detail": exc.detail}, exc.status_code)
        title = TITLES.get(exc.status_code, "Request Error")
        return portal_of(request).error_page(
            exc.status_code, title, "The request could not be processed."
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return portal_of(request).error_page(400, "Bad Request", "The request was not valid.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return portal_of(request).error_page(500, *SERVER_ERROR)

    return app
