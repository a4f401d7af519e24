"""``pa-bot serve``: the staff console and a resident worker on the same queue, one process.

The console serves on a thread of its own; the resident worker (``bot.resident``) runs on the
main thread, where it handles SIGTERM and Ctrl-C, and the console stops with it.
"""

from __future__ import annotations

from rich.console import Console

from bot.config import Settings
from bot.console.server import ConsoleServer
from bot.errors import ExitCode
from bot.resident import serve_queue


def serve_console(
    settings: Settings, console: Console, *, host: str, port: int, workers: int | None
) -> ExitCode:
    server = ConsoleServer(settings, host=host, port=port)
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        console.print(f"[red]The console could not start on {host}:{port}:[/] {exc}")
        return ExitCode.USAGE
    try:
        console.print(f"Console: {server.url}/ (sign in with a pa-bot users account)")
        return serve_queue(settings, console, workers=workers or settings.workers)
    finally:
        server.stop()
