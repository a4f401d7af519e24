"""The admin's pages: the accounts (unlock, disable) and the audit log, filterable. Staff who
ask for them get 403; every change is in the audit log, by the admin who made it."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.web import Admin, AdminsOnly, checked_form, console_of, page
from bot.queue import QueueError


def admin_routes(app: FastAPI) -> None:
    @app.exception_handler(AdminsOnly)
    async def _admins_only(request: Request, exc: AdminsOnly) -> Response:
        return page(request, "admins_only.html", status=403)

    @app.get("/admin/users", response_class=HTMLResponse)
    async def accounts(request: Request, user: Admin) -> Response:
        queue = console_of(request).queue
        return page(request, "users.html", user=user, users=queue.users(), now=queue.now())

    @app.post("/admin/users/{name}/unlock", dependencies=[Depends(checked_form)])
    async def unlock(request: Request, user: Admin, name: str) -> Response:
        return _change(request, user.name, name, "user_unlocked")

    @app.post("/admin/users/{name}/disable", dependencies=[Depends(checked_form)])
    async def disable(request: Request, user: Admin, name: str) -> Response:
        return _change(request, user.name, name, "user_disabled")

    @app.get("/admin/audit", response_class=HTMLResponse)
    async def audit(request: Request, user: Admin) -> Response:
        params = request.query_params
        item = params.get("item", "").strip()
        chosen = {
            "actor": params.get("actor", "").strip(),
            "action": params.get("action", "").strip(),
            "item": item if item.isdigit() else "",
        }
        entries = console_of(request).queue.audit_entries(
            actor=chosen["actor"] or None,
            action=chosen["action"] or None,
            item_id=int(chosen["item"]) if chosen["item"] else None,
        )
        return page(request, "audit.html", user=user, entries=entries, chosen=chosen)


def _change(request: Request, admin: str, name: str, action: str) -> Response:
    queue = console_of(request).queue
    try:
        if action == "user_unlocked":
            queue.user_unlock(name)
        else:
            queue.user_set(name, disabled=True)
    except QueueError:
        return page(request, "admins_only.html", status=404)
    queue.audit(admin, action, None, name)
    return RedirectResponse("/admin/users", status_code=303)
