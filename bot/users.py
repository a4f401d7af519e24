"""``pa-bot users``: the staff console's accounts, kept in the queue's database.

Passwords are read from standard input (a prompt, twice, on a terminal; the first line of a
pipe otherwise), never from the command line, where they would land in the shell's history.
Every change is in the console's audit log, by ``cli:<the OS user>``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.config import Settings
from bot.console.passwords import hash_password, new_token, password_problem, token_digest
from bot.errors import ExitCode
from bot.queue import QueueError, open_queue
from bot.queue.console_store import ROLES, ConsoleQueue, Role, console_queue

users_app = typer.Typer(
    help="The staff console's accounts (staff, admin, system).", no_args_is_help=True
)
console = Console()
errors = Console(stderr=True, soft_wrap=True)
_settings: Callable[[], Settings] = Settings


def use_settings(load: Callable[[], Settings]) -> None:
    """How the commands read the settings (the CLI's loader, which exits 2 on a bad one)."""
    global _settings
    _settings = load


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(int(ExitCode.USAGE))


def _queue() -> ConsoleQueue:
    try:
        return console_queue(open_queue(_settings().queue_url))
    except QueueError as exc:
        raise _fail(str(exc)) from None


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise _fail("the two passwords differ; nothing was changed")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(first)
    if problem:
        raise _fail(f"{problem}; nothing was changed")
    return first


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The account's username.")],
    role: Annotated[str, typer.Option(help="staff, admin or system.")] = "staff",
) -> None:
    """Add an account; staff and admin get a password from standard input, system accounts a
    token (``users token``)."""
    if role not in ROLES:
        raise _fail(f"--role must be one of {', '.join(ROLES)}")
    chosen: Role = role
    hashed = None if chosen == "system" else hash_password(_read_password())
    queue = _queue()
    try:
        queue.user_add(name, chosen, hashed)
        queue.audit(_actor(), "user_added", None, f"{name} ({chosen})")
    except QueueError as exc:
        raise _fail(str(exc)) from None
    finally:
        queue.close()
    console.print(f"Added {chosen} account {escape(name)}.")


@users_app.command("list")
def list_users() -> None:
    """The accounts, their roles and whether each is active, disabled or locked."""
    queue = _queue()
    try:
        users, now = queue.users(), queue.now()
    finally:
        queue.close()
    table = Table("Name", "Role", "State", "API token")
    for user in users:
        state = "disabled" if user.disabled else "active"
        if user.locked_at(now) and user.locked_until is not None:
            state = f"locked until {user.locked_until:%H:%M} UTC"
        table.add_row(escape(user.name), user.role, state, "yes" if user.token_hash else "")
    console.print(table)


def _change(name: str, action: str, change: Callable[[ConsoleQueue], object], said: str) -> None:
    queue = _queue()
    try:
        change(queue)
        queue.audit(_actor(), action, None, name)
    except QueueError as exc:
        raise _fail(str(exc)) from None
    finally:
        queue.close()
    console.print(said)


@users_app.command("disable")
def disable(name: str) -> None:
    """Disable an account: its sessions and token stop working at their next request."""
    _change(
        name,
        "user_disabled",
        lambda q: q.user_set(name, disabled=True),
        f"Disabled {escape(name)}.",
    )


@users_app.command("passwd")
def passwd(name: str) -> None:
    """Set an account's password (from standard input)."""
    hashed = hash_password(_read_password())
    _change(
        name,
        "password_set",
        lambda q: q.user_set(name, password_hash=hashed),
        f"Set the password of {escape(name)}.",
    )


@users_app.command("unlock")
def unlock(name: str) -> None:
    """End the lock that five wrong passwords put on an account."""
    _change(name, "user_unlocked", lambda q: q.user_unlock(name), f"Unlocked {escape(name)}.")


@users_app.command("token")
def token(name: str) -> None:
    """Issue an API token for a system account (printed once; a new one replaces the old)."""
    queue = _queue()
    try:
        user = queue.user(name)
        if user is None or user.role != "system":
            raise _fail(f"{name!r} is not a system account: tokens are for system accounts")
        issued = new_token()
        queue.user_set(name, token_hash=token_digest(issued))
        queue.audit(_actor(), "token_issued", None, name)
    except QueueError as exc:
        raise _fail(str(exc)) from None
    finally:
        queue.close()
    print(issued)
