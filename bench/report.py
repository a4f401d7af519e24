"""Figures from the runs: per-request statistics, the JSON document and the table."""

from __future__ import annotations

import math
import statistics
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.baseline import Timed
from bench.cli_run import CliRun
from bench.memory import Memory
from bench.netlog import NetLog
from bot.steps import Step


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def spread(values: list[float]) -> dict[str, float]:
    return {"median": round(median(values), 1), "p95": round(p95(values), 1)}


def split(netlog: NetLog, windows: list[tuple[float, float]]) -> dict[str, Any]:
    """Each window's wall, portal, network and the rest (the client's own time), in ms."""
    walls, portal, network, own = [], [], [], []
    for start, end in windows:
        share = netlog.share(start, end)
        wall = (end - start) * 1000
        walls.append(wall)
        portal.append(share.portal_ms)
        network.append(share.network_ms)
        own.append(wall - share.portal_ms - share.network_ms)
    return {
        "wall_ms": spread(walls),
        "portal_ms": spread(portal),
        "network_ms": spread(network),
        "overhead_ms": spread(own),
        "totals_s": {
            "wall": round(sum(walls) / 1000, 2),
            "portal": round(sum(portal) / 1000, 2),
            "network": round(sum(network) / 1000, 2),
        },
    }


def bot_figures(run: CliRun, logins_s: list[float], netlog: NetLog) -> dict[str, Any]:
    """The watched run's per-request split; total from its first claim to its last finish."""
    figures = split(netlog, run.windows)
    steps: dict[str, float] = {"login": round(median(logins_s) * 1000, 1)}
    for step in (s for s in Step if s not in (Step.LOGIN, Step.RECONCILE)):
        spent = [item[step] * 1000 for item in run.steps if step in item]
        steps[step] = round(median(spent), 1)
    total = max(end for _, end in run.windows) - min(start for start, _ in run.windows)
    return {
        **figures,
        "step_ms_median": steps,
        "logins": len(logins_s),
        "total_s": round(total, 2),
    }


def baseline_figures(
    login_s: float, timed: list[Timed], netlog: NetLog, memory: Memory
) -> dict[str, Any]:
    """The baseline's split; its memory is Playwright's driver and Chromium only (its Python is
    the bench itself), with Playwright's defaults: the floor of any Playwright client."""
    figures = split(netlog, [(t.start_s, t.end_s) for t in timed])
    states: dict[str, int] = {}
    for t in timed:
        states[t.outcome] = states.get(t.outcome, 0) + 1
    total = login_s + sum(t.end_s - t.start_s for t in timed)
    return {
        **figures,
        "login_ms": round(login_s * 1000, 1),
        "total_s": round(total, 2),
        "states": states,
        "peak_pss_mb_driver_and_chromium": round(memory.pss_mb, 1),
        "peak_uss_mb_driver_and_chromium": round(memory.uss_mb, 1),
    }


def cli_figures(run: CliRun) -> dict[str, Any]:
    return {
        "requests": run.requests,
        "exit_code": run.exit_code,
        "command_s": round(run.command_s, 2),
        "first_claim_s": round(run.first_claim_s, 2),
        "first_submission_s": round(run.first_submission_s, 2),
        "last_final_s": round(run.last_final_s, 2),
        "per_hour": round(run.per_hour),
        "per_hour_draining": round(run.per_hour_draining),
        "item_wall_ms": spread([w * 1000 for w in run.item_walls_s]),
        "states": run.states,
        "peak_rss_mb": round(run.memory.rss_mb, 1),
        "peak_pss_mb": round(run.memory.pss_mb, 1),
        "peak_uss_mb": round(run.memory.uss_mb, 1),
        "processes": run.memory.processes,
        "cpu_s_per_request": round(run.memory.cpu_s / run.requests, 3) if run.requests else 0.0,
        "cpu_s_by_process": run.memory.cpu_s_by_kind,
        "portal_cpu_s": run.portal_cpu_s,
        **({"queue_calls_on_the_loop": run.queue_calls} if run.queue_calls else {}),
    }


def document(
    latency: dict[str, Any],
    pickup: dict[str, Any],
    machine: dict[str, object],
    elapsed_s: float,
) -> dict[str, Any]:
    """The JSON: headline figures first (zero latency unless named), then the detail."""
    zero, slow = latency["0"], latency["300"]
    single = zero["cli"]["1"]
    # Throughput at 300 ms from each run's first claim to its last finish: with a few requests
    # per worker, the 2 s start of the command would otherwise weigh on 8 workers 8 times more.
    slow_per_hour = {w: run["per_hour_draining"] for w, run in slow["cli"].items()}
    eight = slow["cli"]["8"]
    values = {
        "bot_over_baseline": zero["bot_over_baseline"],
        "wall_over_portal_300ms": slow["wall_over_portal_and_network"],
        "overhead_ms_median": zero["bot"]["overhead_ms"]["median"],
        # Resident memory with shared pages divided among the processes sharing them (PSS): the
        # footprint of one worker with its driver and Chromium. The plain sum of RSS beside it
        # counts Chromium's shared pages once per process (see bench/memory.py).
        "peak_rss_mb_per_worker": single["peak_pss_mb"],
        "peak_rss_sum_mb_per_worker": single["peak_rss_mb"],
        "peak_uss_mb_per_worker": single["peak_uss_mb"],
        "baseline_peak_pss_mb_driver_and_chromium": zero["baseline"][
            "peak_pss_mb_driver_and_chromium"
        ],
        "first_submission_s": single["first_submission_s"],
        "throughput_per_hour": {w: run["per_hour"] for w, run in zero["cli"].items()},
        "throughput_per_hour_300ms": slow_per_hour,
        "scaling_300ms_8_over_1": round(slow_per_hour["8"] / slow_per_hour["1"], 2),
        "peak_pss_mb_per_worker_at_8": round(eight["peak_pss_mb"] / 8, 1),
        "cpu_s_per_request_300ms_8": eight["cpu_s_per_request"],
        "pickup_s_median": pickup["pickup_s_median"],
        "bot_over_baseline_300ms": slow["bot_over_baseline"],
    }
    limits = {
        "bot_over_baseline": 1.10,
        "wall_over_portal_300ms": 1.10,
        "peak_rss_mb_per_worker": 350,
        "first_submission_s": 3.0,
        "peak_pss_mb_per_worker_at_8": 150,
        "pickup_s_median": 0.5,
        "bot_over_baseline_300ms": 1.0,
    }
    floors = {"scaling_300ms_8_over_1": 6.0}
    targets = {
        name: {"limit": limit, "value": values[name], "met": values[name] <= limit}
        for name, limit in limits.items()
    }
    targets |= {
        name: {"at_least": floor, "value": values[name], "met": values[name] >= floor}
        for name, floor in floors.items()
    }
    return {
        **values,
        "targets": targets,
        "pickup": pickup,
        "machine": machine,
        "elapsed_s": round(elapsed_s, 1),
        "scaled_down": {ms: scenario["requests"] for ms, scenario in latency.items()},
        "latency": latency,
    }


def print_tables(console: Console, document: dict[str, Any]) -> None:
    for latency, scenario in document["latency"].items():
        table = Table(title=f"Per request at MOCK_PORTAL_LATENCY_MS={latency} (ms)")
        table.add_column("who")
        for column in ("wall med", "wall p95", "portal", "network", "overhead", "total s"):
            table.add_column(column, justify="right")
        for who in ("baseline", "bot"):
            row = scenario[who]
            table.add_row(
                who,
                str(row["wall_ms"]["median"]),
                str(row["wall_ms"]["p95"]),
                str(row["portal_ms"]["median"]),
                str(row["network_ms"]["median"]),
                str(row["overhead_ms"]["median"]),
                str(row["total_s"]),
            )
        console.print(table)
        steps = Table(title=f"Bot steps, median ms (latency {latency})")
        for name in scenario["bot"]["step_ms_median"]:
            steps.add_column(name, justify="right")
        steps.add_row(*(str(v) for v in scenario["bot"]["step_ms_median"].values()))
        console.print(steps)
        runs = Table(title=f"pa-bot run (latency {latency})")
        for column in ("workers", "requests", "req/hour", "first submit s", "peak RSS MB", "PSS"):
            runs.add_column(column, justify="right")
        for workers, run in scenario["cli"].items():
            runs.add_row(
                workers,
                str(run["requests"]),
                str(run["per_hour"]),
                str(run["first_submission_s"]),
                str(run["peak_rss_mb"]),
                str(run["peak_pss_mb"]),
            )
        console.print(runs)
    targets = Table(title="Targets (issues 7 and 15)")
    for column in ("target", "limit", "value", "met"):
        targets.add_column(column)
    for name, target in document["targets"].items():
        limit = f"≤ {target['limit']}" if "limit" in target else f"≥ {target['at_least']}"
        targets.add_row(name, limit, str(target["value"]), str(target["met"]))
    console.print(targets)
