"""The pieces every route shares: the ``Portal`` (state, data, templates), page rendering with
the current UI variant, and the session and CSRF guards."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlencode

import jinja2
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from mock_portal.auth import SESSION_COOKIE, Auth, csrf_matches
from mock_portal.catalog import Catalog
from mock_portal.faults import Faults
from mock_portal.rate_limit import RateLimiter
from mock_portal.settings import PortalSettings
from mock_portal.store import SessionRow, Store
from mock_portal.validation import us

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_FIELD_CHARS = 2000


def _kebab(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()


def _camel(value: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", value))


@functools.cache
def make_environment() -> jinja2.Environment:
    """The templates, compiled once per process (they never change at run time)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["kebab"] = _kebab
    env.filters["camel"] = _camel
    env.filters["us"] = us
    return env


@dataclass
class Portal:
    """Everything a request handler needs, kept on ``app.state.portal``."""

    settings: PortalSettings
    store: Store
    catalog: Catalog
    faults: Faults
    auth: Auth
    env: jinja2.Environment
    clock: Callable[[], float]
    limiter: RateLimiter = field(default_factory=RateLimiter)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock()).replace(microsecond=0)

    def render(
        self,
        template: str,
        *,
        session: SessionRow | None = None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """Render a page in the current UI variant (``f`` is that variant's field macros)."""
        variant = self.faults.config.ui_variant
        fields = self.env.get_template(f"v{variant}/fields.html").module
        html = self.env.get_template(template).render(
            f=fields,
            variant=variant,
            drift=self.faults.config.ui_drift,
            user=session.username if session else None,
            csrf=session.csrf if session else "",
            warn_after_s=self._warn_after_s() if session else None,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def _warn_after_s(self) -> int | None:
        """When a logged-in page shows "Your session will expire in 60 seconds": 60 s before
        the idle timeout, as real portals warn; never for a timeout of a minute or less."""
        timeout = self.faults.config.session_timeout_s
        return timeout - WARNING_S if timeout > WARNING_S else None

    def error_page(
        self,
        status_code: int,
        heading: str,
        text: str,
        *,
        alert: str | None = None,
        session: SessionRow | None = None,
    ) -> HTMLResponse:
        return self.render(
            "error.html",
            session=session,
            status_code=status_code,
            title=heading,
            heading=heading,
            text=text,
            alert=alert,
        )

    def not_found(self, session: SessionRow | None, what: str = "page") -> HTMLResponse:
        return self.error_page(
            404,
            "Page Not Found",
            f"The {what} you requested could not be found.",
            session=session,
        )


WARNING_S = 60
"""How long before the idle timeout the session-timeout warning shows."""


def portal_of(request: Request) -> Portal:
    return cast(Portal, request.app.state.portal)


def login_redirect(request: Request, *, expired: bool, elsewhere: bool = False) -> RedirectResponse:
    """To the login page, coming back here afterwards; the page says why the session ended."""
    target = request.url.path
    if request.method == "GET" and request.url.query:
        target += "?" + request.url.query
    query = {"next": target}
    if elsewhere:
        query["ended"] = "elsewhere"
    elif expired:
        query["expired"] = "1"
    return RedirectResponse(f"/login?{urlencode(query)}", status_code=303)


def require_session(request: Request, *, notices: bool = True) -> SessionRow | Response:
    """The live session, or the redirect to the login page; with ``notices``, the redirect to
    the notices after login that the session has not answered yet."""
    portal = portal_of(request)
    state = portal.auth.resolve(request.cookies.get(SESSION_COOKIE))
    if state.session is None:
        return login_redirect(request, expired=state.expired, elsewhere=state.elsewhere)
    if notices and portal.store.pending_notices(state.session.id):
        return redirect(f"/notice?next={quote(request.url.path, safe='/')}")
    return state.session


def form_expired(portal: Portal) -> HTMLResponse:
    return portal.error_page(
        403,
        "Form expired",
        "For your security, forms expire when a session ends.",
        alert="Your form has expired. Please go back, reload the page and try again.",
    )


async def require_post(
    request: Request, *, notices: bool = True
) -> tuple[SessionRow, FormData] | Response:
    """The live session and the posted form, whose CSRF token must be the session's."""
    session = require_session(request, notices=notices)
    if isinstance(session, Response):
        return session
    form = await request.form()
    if not csrf_matches(session.csrf, text(form, "csrf_token")):
        return form_expired(portal_of(request))
    return session, form


def text(form: FormData, name: str) -> str:
    """A posted text field, trimmed (a file where text was expected counts as empty)."""
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    return value.strip()[:MAX_FIELD_CHARS]


def texts(form: FormData, name: str) -> list[str]:
    return [
        value.strip()[:MAX_FIELD_CHARS]
        for value in form.getlist(name)
        if isinstance(value, str) and value.strip()
    ]


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
