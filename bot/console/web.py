"""What every console page shares: the console's state, the signed-in account, the CSRF check
of a form, and the rendering of a page with what every page needs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.config import Settings
from bot.console.security import CSRF_FIELD, csrf_matches, csrf_token
from bot.queue import open_queue
from bot.queue.console_store import ConsoleQueue, ConsoleUser, console_queue

HERE = Path(__file__).parent


class SignInNeeded(Exception):
    """No live session (or its account was disabled since): the sign-in page, or 401 for the
    API."""


class CsrfRefused(Exception):
    """A form without this session's CSRF token."""


class Console:
    """The console's state: the settings and the queue, opened on the thread that serves (the
    SQLite connection stays on the thread that made it; every page handler is ``async``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: ConsoleQueue | None = None

    @property
    def queue(self) -> ConsoleQueue:
        if self._queue is None:
            self._queue = console_queue(open_queue(self.settings.queue_url))
        return self._queue

    def close(self) -> None:
        if self._queue is not None:
            self._queue.close()


templates = Jinja2Templates(directory=HERE / "templates")


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with what every page needs: the CSRF token and the signed-in account."""
    context.setdefault("user", None)
    return templates.TemplateResponse(
        request, name, {"csrf": csrf_token(request.session), **context}, status_code=status
    )


def console_of(request: Request) -> Console:
    found: Console = request.app.state.console
    return found


async def current_user(request: Request) -> ConsoleUser:
    name = request.session.get("user")
    user = console_of(request).queue.user(name) if isinstance(name, str) else None
    if user is None or user.disabled:
        request.session.clear()
        raise SignInNeeded
    return user


async def checked_form(request: Request) -> None:
    form = await request.form()
    if not csrf_matches(request.session, form.get(CSRF_FIELD)):
        raise CsrfRefused


Signed = Annotated[ConsoleUser, Depends(current_user)]


class AdminsOnly(Exception):
    """A page of the admin's, asked for by staff."""


async def current_admin(user: Signed) -> ConsoleUser:
    if user.role != "admin":
        raise AdminsOnly
    return user


Admin = Annotated[ConsoleUser, Depends(current_admin)]
