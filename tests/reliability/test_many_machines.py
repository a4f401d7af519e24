"""Many machines, one Postgres queue: four ``pa-bot run`` processes, each with its own artifacts
folder as if on its own machine, drain a day of requests from a portal that fails one request in
ten, while machines are killed (SIGKILL, browser and all) at random moments and started again.
Every request must be submitted exactly once: the portal's own record is the judge."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest

from bot.config import Settings
from bot.queue import FINAL_STATES, State, open_queue
from tests.support.admin import PortalAdmin
from tests.support.cli import pa_bot, pa_bot_env
from tests.support.postgres import pg_new_url as pg_new_url
from tests.support.postgres import pg_server as pg_server
from tests.support.requests import varied_requests

REQUESTS = 32
MACHINES = 4
KILLS = 4
SEED = 20261127
LEASE_SECONDS = 10  # the least the settings allow: a killed machine's items come back soon
# The mock records a Submit before it answers and its Status search does not lag, so a short
# grace is enough for it (docs/RELIABILITY.md: set the grace from what is known of the portal).
GRACE_SECONDS = 10
# A guard against a hang, not a target: four Chromiums do the work, so the drain takes what the
# CPU allows (about 6 minutes on 2 cores shared with other test runs, load average 20).
DEADLINE_SECONDS = 480


@dataclass
class Machine:
    """One bot machine: its own artifacts folder and log; at most one ``pa-bot run`` at a time."""

    name: str
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    boots: int = 0
    exits: list[int] = field(default_factory=list)
    exited_at: float = 0.0

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = (self.folder / f"run-{self.boots}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--workers", "1"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Chromium dies with it
        )
        self.boots += 1

    def working(self) -> bool:
        """Running, and past its start: it has taken an item (killing it while Python and
        Chromium start up would test little but slow the run down)."""
        if self.process is None or self.process.poll() is not None:
            return False
        log = self.folder / f"run-{self.boots - 1}.log"
        return b'"item_started"' in log.read_bytes()

    def reap(self) -> None:
        """Note the exit of a run that ended by itself."""
        if self.process is not None and self.process.poll() is not None:
            self.exits.append(self.process.returncode)
            self.process = None
            self.exited_at = time.monotonic()
            if self.log is not None:
                self.log.close()

    def kill(self) -> None:
        """Pull the plug: SIGKILL to the whole process group, no cleanup of any kind."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):  # already gone, group and all
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None
        self.exited_at = time.monotonic()
        if self.log is not None:
            self.log.close()

    def tracebacks(self) -> int:
        return sum(
            path.read_text(errors="replace").count("Traceback")
            for path in self.folder.glob("run-*.log")
        )


@pytest.mark.slow
@pytest.mark.e2e
def test_four_machines_killed_at_random_submit_every_request_exactly_once(
    settings: Settings,
    portal: PortalAdmin,
    pg_new_url: Callable[[], str],
    tmp_path: Path,
) -> None:
    url = pg_new_url()
    shared = settings.model_copy(update={"queue_url": url})
    day = tmp_path / "day.jsonl"
    day.write_text(
        "".join(
            r.model_dump_json(exclude_none=True) + "\n"
            for r in varied_requests(REQUESTS, prefix="MANY")
        )
    )
    enqueued = pa_bot(shared, "enqueue", str(day))
    assert enqueued.returncode == 0, enqueued.stdout + enqueued.stderr
    portal.configure(error_rate=0.1, seed=SEED)
    rng = random.Random(SEED)
    machines = []
    for n in range(MACHINES):
        own = shared.model_copy(update={"artifacts_dir": tmp_path / f"machine{n}" / "artifacts"})
        env = {
            **pa_bot_env(own),
            "PA_BOT_LEASE_SECONDS": str(LEASE_SECONDS),
            "PA_BOT_RECONCILE_GRACE_S": str(GRACE_SECONDS),
        }
        machines.append(Machine(f"machine{n}", env, tmp_path / f"machine{n}"))

    # The kills fall at random points of the drain (so many items done), on a random machine
    # among those at work: whatever step its item is at, the truth must stay in the queue.
    kill_at = sorted(rng.sample(range(3, REQUESTS * 3 // 4), KILLS))
    kills = 0
    watch = open_queue(url)
    started = time.monotonic()
    try:
        for machine in machines:
            machine.start()
        while (done := sum(watch.counts()[state] for state in FINAL_STATES)) < REQUESTS:
            now = time.monotonic()
            assert now - started < DEADLINE_SECONDS, watch.counts()
            working = [m for m in machines if m.working()]
            if kills < KILLS and done >= kill_at[kills] and working:
                rng.choice(working).kill()
                kills += 1
            for machine in machines:
                machine.reap()
                # A machine whose run ended while others' items still wait out their leases is
                # started again (as the nightly timer would), after a short pause.
                if machine.process is None and now - machine.exited_at > LEASE_SECONDS / 4:
                    machine.start()
            time.sleep(0.5)
        for machine in machines:
            if machine.process is not None:
                machine.process.wait(timeout=60)
                machine.reap()
    finally:
        watch.close()
        for machine in machines:
            machine.kill()
    elapsed = time.monotonic() - started

    watch = open_queue(url)
    items = watch.items()
    watch.close()
    recorded = portal.authorizations()
    by_content = Counter(
        (a["member_id"], tuple(sorted(a["procedure_codes"])), a["start_date"]) for a in recorded
    )
    duplicates = sum(n - 1 for n in by_content.values() if n > 1)
    submitted = {item.reference_id: item for item in items if item.state == State.SUBMITTED}
    refs = {a["reference_id"] for a in recorded}
    lost = [i.key for i in items if i.state not in FINAL_STATES] + [
        item.key for ref, item in submitted.items() if ref not in refs
    ]
    untracked = sorted(refs - set(submitted))
    states = Counter(str(item.state) for item in items)
    reconciled = sum(1 for i in items if i.outcome and i.outcome.get("reconciled"))
    figures = {
        "requests": len(items),
        "workers": MACHINES,
        "kills": kills,
        "boots": sum(m.boots for m in machines),
        "duplicates": duplicates,
        "lost": len(lost),
        "untracked_submissions": len(untracked),
        "reconciled": reconciled,
        "claimed_more_than_once": sum(1 for i in items if i.attempts > 1),
        "portal_faults": portal.stats()["faults_injected"],
        "worker_tracebacks": sum(m.tracebacks() for m in machines),
        "exit_codes": dict(Counter(code for m in machines for code in m.exits)),
        "states": dict(states),
        "seconds": round(elapsed, 1),
    }
    print("\nmany machines:", figures)

    assert len(items) == REQUESTS
    assert kills == KILLS
    assert duplicates == 0, [k for k, n in by_content.items() if n > 1]
    assert lost == [], lost
    assert untracked == [], "the portal holds submissions the queue does not know"
    assert len(submitted) >= REQUESTS // 2
