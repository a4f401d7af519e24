"""``pa-bot restored``: after the queue's database was restored from a backup.

A copy knows nothing of what happened after it was made: a request submitted since looks
pending (or in progress) in it, and would be submitted again. So every request the copy shows
open is made ``submitting``, as if Submit had just been clicked for it, and the next worker looks
it up on the portal's Status tab before anything else (``Queue.restored``): found, it is recorded
with the portal's reference ID and status; not found after the reconciliation grace, it is
submitted, once. Refused while a resident worker runs on the queue: the service is stopped
first, so that nothing is in flight.
"""

from __future__ import annotations

import getpass

from rich.console import Console
from rich.markup import escape

from bot.config import Settings
from bot.errors import ExitCode
from bot.queue import open_queue
from bot.resident import PRESENCE_FRESH_S


def reconcile_restored(settings: Settings, console: Console) -> ExitCode:
    """Make every open item of the restored queue be reconciled first; exit 2 while a resident
    worker runs on it."""
    queue = open_queue(settings.queue_url)
    try:
        running = queue.residents(fresh_seconds=PRESENCE_FRESH_S)
        if running:
            names = ", ".join(escape(resident.name) for resident in running)
            console.print(
                f"[red]A resident worker runs on this queue ({names}):[/] stop the service (and "
                "every pa-bot on this queue) before marking a restored queue.",
                soft_wrap=True,
            )
            return ExitCode.USAGE
        moved = queue.restored(f"cli:{getpass.getuser()}")
    finally:
        queue.close()
    if not moved:
        console.print("Nothing is open in the queue: nothing to look up.")
        return ExitCode.OK
    console.print(
        f"{len(moved)} open request(s) will be looked up on the portal's Status tab before "
        "anything is submitted again: " + ", ".join(escape(item.key) for item in moved),
        soft_wrap=True,
    )
    console.print("Start the service (or pa-bot run) to do it.")
    return ExitCode.OK
