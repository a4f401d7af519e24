"""``python -m bench`` (``make bench``): the bot's own cost beside the portal's time.

For each latency (0 ms: the bot's own cost; 300 ms: a realistic portal) on a fresh mock portal:
the straight-line baseline, ``pa-bot run --workers 1`` watched by ``bench.probe`` (per-request
split into portal, network and the bot's own time; steps; first submission; peak memory), then
plain ``pa-bot run`` with more workers for throughput (up to 8 at 300 ms: memory per worker,
scaling, CPU per request). Last, a resident ``pa-bot worker``'s pickup time. Prints tables and
writes the JSON.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from rich.console import Console

from bench import report
from bench.baseline import run_baseline
from bench.cli_run import run_cli
from bench.machine import machine
from bench.memory import Sampler, playwright_driver
from bench.netlog import NetLog
from bench.pickup import run_pickup
from bench.probe import load
from bench.workload import stage, workload
from bot.browser import LAUNCH_ARGS, find_chromium

WORKERS = (1, 2, 4)
"""Worker counts at 0 ms."""
WORKERS_300 = (1, 2, 4, 8)
"""Worker counts at 300 ms, where the portal's latency is what more workers hide."""
ROUNDS_300 = 5
"""Requests per worker at 300 ms for 2 workers and more: every worker takes several."""


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--requests", type=int, default=40, help="N at 0 ms latency")
    parser.add_argument(
        "--scaled", type=int, default=16, help="N for 2 and 4 workers at 0 ms (time budget)"
    )
    parser.add_argument(
        "--requests-300", type=int, default=6, help="N at 300 ms latency (at least 5 per worker)"
    )
    parser.add_argument("--pickups", type=int, default=5, help="timed pickups of a resident worker")
    parser.add_argument("--out", type=Path, default=Path("var/bench/bench.json"))
    return parser.parse_args(argv)


def scenario(folder: Path, latency: int, counts: dict[int, int]) -> dict[str, Any]:
    """Baseline, watched single worker and plain multi-worker runs at one latency."""
    requests = workload(counts[1])
    with stage(folder / "baseline", latency) as place, sync_playwright() as playwright:
        # The baseline is a plain script: Playwright's sync API, the bot's Chromium and flags.
        browser = playwright.chromium.launch(
            executable_path=str(find_chromium(playwright)), args=LAUNCH_ARGS
        )
        netlog = NetLog()
        with Sampler(playwright_driver()) as sampler:
            login_s, timed = run_baseline(browser, place.portal_url, requests, netlog)
        browser.close()
    baseline = report.baseline_figures(login_s, timed, netlog, sampler.peak)
    cli: dict[str, Any] = {}
    bot: dict[str, Any] = {}
    for workers in counts:
        with stage(folder / f"bot-{workers}", latency) as place:
            run = run_cli(
                place,
                workload(counts[workers]),
                workers,
                watch=workers == 1,
                time_queue=workers == max(counts),
            )
        cli[str(workers)] = report.cli_figures(run)
        if run.watched is not None:
            logins, seen = load(run.watched)
            bot = report.bot_figures(run, logins, seen)
    return {
        "requests": {str(w): n for w, n in counts.items()},
        "baseline": baseline,
        "bot": bot,
        "bot_over_baseline": round(bot["total_s"] / baseline["total_s"], 3),
        "wall_over_portal_and_network": round(
            bot["totals_s"]["wall"] / (bot["totals_s"]["portal"] + bot["totals_s"]["network"]), 3
        ),
        "cli": cli,
    }


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    console = Console()
    started = time.monotonic()
    counts = {
        0: {1: args.requests, 2: args.scaled, 4: args.scaled},
        300: {w: max(args.requests_300, ROUNDS_300 * w) for w in WORKERS_300},
    }
    latency: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pa-bench-") as tmp:
        for ms, count in counts.items():
            console.print(f"[bold]latency {ms} ms[/]: {count} requests per worker count")
            latency[str(ms)] = scenario(Path(tmp) / f"latency-{ms}", ms, count)
        console.print(f"[bold]resident worker[/]: {args.pickups} timed pickups")
        with stage(Path(tmp) / "pickup", 0) as place:
            pickup = run_pickup(place, workload(args.pickups + 1))
    document = report.document(latency, pickup, machine(), time.monotonic() - started)
    report.print_tables(console, document)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    console.print_json(json.dumps({k: v for k, v in document.items() if k != "latency"}))
    console.print(f"Written: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
