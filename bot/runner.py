"""``pa-bot run``: the overnight run. Start the engine, drain the queue, stop cleanly, report.

The engine (``bot.engine``) runs every worker in this process, each a browser context of one
Chromium. SIGINT or SIGTERM asks every worker to finish or release its current item and stop.
"""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot import log, portal_notices, terminal
from bot.appeals import AppealBook, appeal_book
from bot.config import Settings
from bot.eligibility import uninsured_warnings
from bot.engine import Engine
from bot.errors import ExitCode, UiDrift
from bot.login_gate import login_refusal
from bot.queue import FINAL_STATES, Item, QueueUnavailable, State, open_queue
from bot.report import print_report, rows_for, write_report
from bot.throttle import rate_warnings
from bot.turns import session_warnings
from bot.worker import WAITING, Budget

logger = log.get_logger(__name__)

LOG_ECHO_S = 0.5
"""How often ``-v`` shows the log lines written meanwhile."""


def run(settings: Settings, console: Console, *, workers: int, max_items: int | None) -> ExitCode:
    """Drain the queue with ``workers`` workers; print and write the morning report."""
    started = datetime.now(UTC)
    queue = open_queue(settings.queue_url)
    try:
        refusal = login_refusal(queue, settings)
        if refusal is not None:
            console.print(f"[red]{refusal[0]}:[/] {escape(refusal[1])}", soft_wrap=True)
            return refusal[2]
        before = {item.id for item in queue.items() if item.state in WAITING}
    finally:
        queue.close()
    total = len(before) if max_items is None else min(len(before), max_items)
    logger.info("run_started", workers=workers, waiting=len(before), max_items=max_items)
    with _progress(console, total) as progress:
        settled: set[int] = set()

        def on_item(item: Item) -> None:
            if item.id in before and _settled(item) and item.id not in settled:
                settled.add(item.id)
                progress.update(len(settled))

        engine = Engine(settings, workers, budget=Budget(max_items), on_item=on_item)
        codes = asyncio.run(run_engine(engine))
    return _finish(settings, console, started, before, codes, engine)


async def run_engine(engine: Engine) -> list[ExitCode]:
    """The engine until it is done, with SIGINT and SIGTERM asking it to stop, and ``-v``'s
    log lines shown as they come."""
    loop = asyncio.get_running_loop()

    def stop_requested(signum: signal.Signals) -> None:
        logger.warning("stop_requested", signal=signum.name)
        engine.stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop_requested, signum)
    echo = asyncio.create_task(_echo_logs())
    try:
        return await engine.run()
    finally:
        echo.cancel()
        terminal.show_new()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def _echo_logs() -> None:
    while True:
        terminal.show_new()
        await asyncio.sleep(LOG_ECHO_S)


def _settled(item: Item) -> bool:
    return item.state in FINAL_STATES or (item.state == State.PENDING and item.attempts > 0)


def _finish(
    settings: Settings,
    console: Console,
    started: datetime,
    before: set[int],
    codes: list[ExitCode],
    engine: Engine,
) -> ExitCode:
    try:
        night, book, uninsured = _the_night(settings, started, before)
    except QueueUnavailable as exc:
        console.print(
            f"[red]The queue is unavailable:[/] {exc}. The run stopped early; items in "
            "progress return to the queue when their leases expire."
        )
        return ExitCode.PORTAL_UNAVAILABLE
    rows = rows_for(night, book=book)
    drift = drift_warnings(night, started) if ExitCode.UI_DRIFT in codes else []
    warned = (
        drift
        + portal_notices.warnings(settings, started - NIGHT)
        + rate_warnings(engine.throttle)
        + session_warnings(engine.sessions)
        + uninsured
    )
    print_report(console, rows, warned)
    json_path, html_path = write_report(settings.artifacts_dir, rows, started, warnings=warned)
    console.print(f"Report: {html_path} (JSON: {json_path})", soft_wrap=True)
    if ExitCode.USAGE in codes:
        console.print("[red]Configuration error:[/] the run stopped; see the log for what to fix.")
        return ExitCode.USAGE
    if ExitCode.LOGIN_REJECTED in codes:
        queue = open_queue(settings.queue_url)
        try:
            refusal = login_refusal(queue, settings)
        finally:
            queue.close()
        why = refusal[1] if refusal else "the run stopped; no further login attempts made."
        console.print(f"[red]Login rejected:[/] {escape(why)}", soft_wrap=True)
        return ExitCode.LOGIN_REJECTED
    if ExitCode.UI_DRIFT in codes:
        console.print(
            "[red]The portal's screens changed:[/] the run stopped; update the page object "
            "named above (docs/PORTAL_UI.md, UI drift). The items wait in the queue."
        )
        return ExitCode.UI_DRIFT
    if ExitCode.PORTAL_UNAVAILABLE in codes:
        console.print("[red]The portal is unavailable:[/] the run stopped early.")
        return ExitCode.PORTAL_UNAVAILABLE
    mine = [item for item in night if item.id in before or item.updated_at >= started]
    failed = any(item.state == State.FAILED for item in mine)
    return ExitCode.FAILED if failed or ExitCode.FAILED in codes else ExitCode.OK


class RunProgress:
    """A progress bar on a terminal; nothing otherwise (the log lines tell the story)."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.task = progress.add_task("Submitting", total=total) if progress else None

    def update(self, done: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done)

    def __enter__(self) -> RunProgress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _progress(console: Console, total: int) -> RunProgress:
    if not console.is_terminal:
        return RunProgress(None, total)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    return RunProgress(Progress(*columns, console=console), total)


NIGHT = timedelta(hours=16)
"""What the morning report covers: every item changed in the 16 hours before the run began (the
evening's enqueue, a 22:30 run, a 03:00 run), not only what this run touched."""
APPEALS_AHEAD = timedelta(days=7)
"""An appeal due within this many days shows in every morning report until it is filed."""


def drift_warnings(items: list[Item], since: datetime) -> list[str]:
    """The report's first line when the run stopped for UI drift: what changed, where, and
    that it is not a network problem (the item's error names the screen and the control)."""
    said = {
        item.error.removeprefix(f"{UiDrift.reason}: ")
        for item in items
        if item.error and item.error.startswith(f"{UiDrift.reason}: ") and item.updated_at >= since
    }
    return [
        f"The portal changed, this is not a network problem: {text}. The run stopped; a person "
        "must update the bot before the next run."
        for text in sorted(said)
    ]


def _the_night(
    settings: Settings, started: datetime, before: set[int]
) -> tuple[list[Item], AppealBook, list[str]]:
    """The items the report shows: those this run could take, those changed since
    :data:`NIGHT` before it began, and appeals due within :data:`APPEALS_AHEAD` or overdue;
    with the appeals, and the visits of today and tomorrow found not covered."""
    queue = open_queue(settings.queue_url)
    try:
        book = appeal_book(queue, settings)
        soon = started.date() + APPEALS_AHEAD
        night = [
            item
            for item in queue.items()
            if item.id in before
            or item.updated_at >= started - NIGHT
            or ((due := book.open_deadline(item)) is not None and due.due <= soon)
        ]
        return night, book, uninsured_warnings(queue, datetime.now().astimezone().date())
    finally:
        queue.close()
