"""The bot as a practice runs it: ``python -m bot run --workers W`` in its own process, with
``PA_BOT_*`` settings, timed from the command's start; the queue's history tells the rest."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from bench.memory import Memory, Sampler, cpu_seconds
from bench.queue_probe import figures as queue_figures
from bench.workload import Stage, bot_env, enqueue
from bot.models import AuthRequest
from bot.queue import Action, open_queue

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CliRun:
    """What one ``pa-bot run`` did, in seconds from the command's start."""

    workers: int
    requests: int
    exit_code: int
    command_s: float
    first_claim_s: float
    first_submission_s: float
    last_final_s: float
    windows: list[tuple[float, float]]
    """Each item's first claim and last finish, epoch seconds."""
    steps: list[dict[str, float]]
    """Each finished item's step times (``Outcome.step_seconds``)."""
    states: dict[str, int]
    memory: Memory
    watched: Path | None
    """What ``bench.probe`` saw, when the run was watched."""
    queue_calls: dict[str, float] | None = None
    """How long queue transactions held the event loop (``bench.queue_probe``), when timed."""
    portal_cpu_s: float = 0.0
    """The CPU seconds the mock portal used meanwhile (it shares the machine's cores)."""

    @property
    def item_walls_s(self) -> list[float]:
        return [end - start for start, end in self.windows]

    @property
    def per_hour(self) -> float:
        """Requests per hour over the whole command (start-up included)."""
        return self.requests / self.last_final_s * 3600 if self.last_final_s else 0.0

    @property
    def per_hour_draining(self) -> float:
        """Requests per hour from the first claim to the last finish (start-up left out)."""
        draining = self.last_final_s - self.first_claim_s
        return self.requests / draining * 3600 if draining > 0 else 0.0


def run_cli(
    stage: Stage,
    requests: list[AuthRequest],
    workers: int,
    *,
    watch: bool = False,
    time_queue: bool = False,
) -> CliRun:
    """Queue ``requests`` and drain them with ``workers``; ``watch`` runs it under bench.probe,
    ``time_queue`` under bench.queue_probe."""
    enqueue(stage.queue_url, requests)
    env = bot_env(stage, ROOT) | {"PA_BOT_WORKERS": str(workers)}
    watched = stage.folder / "watched.json" if watch else None
    queue_timed = stage.folder / "queue.json" if time_queue else None
    program = ["bot"]
    if watched:
        program = ["bench.probe", str(watched)]
    elif queue_timed:
        program = ["bench.queue_probe", str(queue_timed)]
    command = [sys.executable, "-m", *program, "run", "--workers", str(workers)]
    with (stage.folder / "bot.log").open("wb") as log:
        started = time.time()
        portal_before = cpu_seconds(stage.portal_pid)
        # cwd: the stage folder, so that a developer's .env does not change the run.
        process = subprocess.Popen(
            command, env=env, cwd=stage.folder, stdout=log, stderr=subprocess.STDOUT
        )
        with Sampler(process.pid) as sampler:
            code = process.wait()
        ended = time.time()
        portal_cpu_s = round(cpu_seconds(stage.portal_pid) - portal_before, 2)
    run = _from_queue(stage, started, ended, workers, len(requests), code, sampler.peak)
    queue_calls = queue_figures(queue_timed) if queue_timed else None
    return replace(run, watched=watched, portal_cpu_s=portal_cpu_s, queue_calls=queue_calls)


def _from_queue(
    stage: Stage,
    started: float,
    ended: float,
    workers: int,
    count: int,
    code: int,
    memory: Memory,
) -> CliRun:
    queue = open_queue(stage.queue_url)
    try:
        items = queue.items()
        history = {item.id: queue.history(item.id) for item in items}
    finally:
        queue.close()

    def since(moment: datetime) -> float:
        return moment.timestamp() - started

    claims = [e.at for events in history.values() for e in events if e.action == Action.CLAIM]
    finals = [e.at for events in history.values() for e in events if e.action == Action.FINISH]
    submitting = [item.submitting_at for item in items if item.submitting_at is not None]
    windows = []
    for events in history.values():
        claim = next((e.at for e in events if e.action == Action.CLAIM), None)
        final = next((e.at for e in reversed(events) if e.action == Action.FINISH), None)
        if claim and final:
            windows.append((claim.timestamp(), final.timestamp()))
    steps = [dict(item.outcome.get("step_seconds", {})) for item in items if item.outcome]
    states: dict[str, int] = {}
    for item in items:
        states[str(item.state)] = states.get(str(item.state), 0) + 1
    return CliRun(
        workers=workers,
        requests=count,
        exit_code=code,
        command_s=ended - started,
        first_claim_s=since(min(claims)) if claims else 0.0,
        first_submission_s=since(min(submitting)) if submitting else 0.0,
        last_final_s=since(max(finals)) if finals else 0.0,
        windows=sorted(windows),
        steps=steps,
        states=states,
        memory=memory,
        watched=None,
    )
