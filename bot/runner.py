"""``pa-bot run``: the overnight run. Start workers, drain the queue, stop cleanly, report.

Workers are processes (spawned, each with its own Chromium) claiming from the shared queue; one
worker runs in this process. SIGINT or SIGTERM asks every worker to finish or release its current
item and stop.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
import threading
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot import log, terminal
from bot.config import Settings
from bot.errors import ExitCode
from bot.login_gate import login_refusal
from bot.queue import FINAL_STATES, Item, QueueUnavailable, State, open_queue
from bot.report import print_report, rows_for, write_report
from bot.worker import WAITING, Budget, StopSignal, worker_loop

logger = log.get_logger(__name__)


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
    context = multiprocessing.get_context("spawn")
    stop = RunStop(context.Event())
    shared: Synchronized[int] = context.Value("i", -1 if max_items is None else max_items)
    previous = on_signals(stop)
    try:
        with _progress(console, total) as progress:
            if workers == 1:
                codes = [
                    worker_loop(settings, stop, Budget(shared), 0, lambda _item: progress.advance())
                ]
            else:
                codes = _run_processes(settings, context, stop, shared, workers, progress, before)
    finally:
        _restore_signals(previous)
    return _finish(settings, console, started, before, codes)


def _run_processes(
    settings: Settings,
    context: multiprocessing.context.SpawnContext,
    stop: RunStop,
    shared: Synchronized[int],
    workers: int,
    progress: RunProgress,
    before: set[int],
) -> list[ExitCode]:
    processes = [
        context.Process(
            target=_child,
            args=(settings, stop.event, shared, index, log.current_json(), terminal.current_file()),
            name=f"pa-bot-worker-{index}",
        )
        for index in range(workers)
    ]
    for process in processes:
        process.start()
    queue = open_queue(settings.queue_url)
    try:
        while any(process.is_alive() for process in processes):
            stop.is_set()  # passes a signal on to the workers
            for process in processes:
                process.join(timeout=0.5 / workers)
            terminal.show_new()
            with contextlib.suppress(QueueUnavailable):
                progress.update(
                    sum(1 for item in queue.items() if item.id in before and _settled(item))
                )
        terminal.show_new()
    finally:
        queue.close()
    return [_exit_code(process.exitcode) for process in processes]


def _child(
    settings: Settings,
    event: StopSignal,
    shared: Synchronized[int],
    index: int,
    log_json: bool | None,
    log_file: Path | None,
) -> None:
    """A worker process: its own logging (its parent's file, if it has one), its own Chromium,
    the shared stop signal."""
    if log_file is not None:
        terminal.append_to(log_file)
    else:
        log.configure(json=log_json, stream=sys.stderr)
    log.protect_secret(settings)
    stop = RunStop(event)
    on_signals(stop)
    sys.exit(int(worker_loop(settings, stop, Budget(shared), index)))


def _exit_code(code: int | None) -> ExitCode:
    try:
        return ExitCode(code if code is not None else ExitCode.FAILED)
    except ValueError:
        return ExitCode.FAILED


def _settled(item: Item) -> bool:
    return item.state in FINAL_STATES or (item.state == State.PENDING and item.attempts > 0)


def _finish(
    settings: Settings,
    console: Console,
    started: datetime,
    before: set[int],
    codes: list[ExitCode],
) -> ExitCode:
    try:
        night = _the_night(settings, started, before)
    except QueueUnavailable as exc:
        console.print(
            f"[red]The queue is unavailable:[/] {exc}. The run stopped early; items in "
            "progress return to the queue when their leases expire."
        )
        return ExitCode.PORTAL_UNAVAILABLE
    rows = rows_for(night)
    print_report(console, rows)
    json_path, html_path = write_report(settings.artifacts_dir, rows, started)
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

    def advance(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)

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


_Handler = signal.Handlers | int | None | object


class RunStop:
    """The run's stop signal: the Event that the worker processes share, and what a signal asked.

    A signal handler only records the signal. It runs between two bytecodes of the main thread,
    which may be holding the very lock that setting the Event takes (``Event.is_set`` takes it
    too), or the log's write lock, and would then wait for itself forever. ``is_set``, ordinary
    code, logs the request and passes it on to the Event.
    """

    def __init__(self, event: StopSignal) -> None:
        self.event = event
        self.requested: signal.Signals | None = None

    def is_set(self) -> bool:
        if self.requested is not None and not self.event.is_set():
            logger.warning("stop_requested", signal=self.requested.name)
            self.event.set()
        return self.event.is_set()

    def set(self) -> None:
        self.event.set()


def on_signals(stop: RunStop) -> dict[int, _Handler]:
    """SIGINT and SIGTERM ask for a clean stop: finish or release the current item, then exit."""
    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.requested = signal.Signals(signum)

    previous: dict[int, _Handler] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    return previous


def _restore_signals(previous: dict[int, _Handler]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]


NIGHT = timedelta(hours=16)
"""What the morning report covers: every item changed in the 16 hours before the run began (the
evening's enqueue, a 22:30 run, a 03:00 run), not only what this run touched."""


def _the_night(settings: Settings, started: datetime, before: set[int]) -> list[Item]:
    """The items the report shows: those this run could take and those changed since
    :data:`NIGHT` before it began."""
    queue = open_queue(settings.queue_url)
    try:
        return [
            item
            for item in queue.items()
            if item.id in before or item.updated_at >= started - NIGHT
        ]
    finally:
        queue.close()
