"""``pa-bot replay PATH...``: replay QA scenarios, print a table, write JUnit XML and HTML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.config import Settings
from bot.errors import ConfigError, ExitCode
from bot.replay.html import write_html
from bot.replay.junit import write_junit
from bot.replay.runner import Options, Result, UsageError, replay_all, run_folder, select

_STYLES = {"pass": "green", "fail": "red", "malformed": "magenta"}


def replay(paths: list[Path], settings: Settings, console: Console, options: Options) -> ExitCode:
    """Exit 0 when every scenario passed, 1 when any did not, 2 for bad usage."""
    try:
        scenarios = select(paths, options.grep)
    except UsageError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        return ExitCode.USAGE
    started = datetime.now(UTC)
    out = run_folder(settings)
    console.print(f"Replaying {len(scenarios)} scenarios; artifacts in {out}")
    try:
        results = replay_all(scenarios, settings, out, options.slow_mo_ms, _progress(console))
    except ConfigError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        return ExitCode.USAGE
    print_results(console, results)
    if options.junit is not None:
        write_junit(options.junit, results)
        console.print(f"JUnit XML: {options.junit}")
    if options.html is not None:
        write_html(options.html, results, started)
        console.print(f"HTML report: {options.html}")
    return ExitCode.OK if all(r.passed for r in results) else ExitCode.FAILED


def _progress(console: Console) -> Callable[[Result], None]:
    def show(result: Result) -> None:
        style = _STYLES[result.verdict]
        console.print(
            f"[{style}]{result.verdict:>9}[/] {escape(result.name)} "
            f"[dim]({result.seconds:.1f} s)[/]"
        )

    return show


def print_results(console: Console, results: list[Result]) -> None:
    table = Table(title="pa-bot replay")
    table.add_column("verdict", no_wrap=True)
    table.add_column("scenario", no_wrap=True)
    table.add_column("s", justify="right", no_wrap=True)
    table.add_column("expected against got / what it proves", ratio=1, min_width=30)
    for result in sorted(results, key=lambda r: (r.passed, r.name)):
        style = _STYLES[result.verdict]
        what = "\n".join(result.messages) if result.messages else result.description
        for evidence in result.evidence:
            what += f"\n{evidence}"
        table.add_row(
            f"[{style}]{result.verdict}[/]",
            escape(result.name),
            f"{result.seconds:.1f}",
            escape(what),
        )
    console.print(table)
    passed = sum(r.passed for r in results)
    summary_style = "green" if passed == len(results) else "red"
    console.print(
        f"[bold {summary_style}]{passed} of {len(results)} scenarios passed[/]"
        + ("" if passed == len(results) else f", {len(results) - passed} failed")
    )
