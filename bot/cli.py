"""``pa-bot``: the command line (DESIGN.md's CLI contract and exit codes)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.markup import escape

from bot import log
from bot.config import Settings, env_problems, not_json
from bot.errors import ConfigError, ExitCode
from bot.intake import request_schema
from bot.users import use_settings, users_app

if TYPE_CHECKING:
    from bot.queue import Queue

app = typer.Typer(
    name="pa-bot",
    help="Submit prior-authorization requests through the CareSource Provider Portal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays one line, whatever the width
app.add_typer(users_app, name="users")


def load_settings() -> Settings:
    """Settings from the environment and .env; a bad value is a usage error (exit 2)."""
    try:
        settings = Settings()
    except ValidationError as exc:
        raise ConfigError(env_problems(exc, "PA_BOT_")) from None
    except SettingsError as exc:  # a JSON setting that is not JSON (PA_BOT_APPEAL_DAYS)
        raise ConfigError(not_json(exc, "PA_BOT_")) from None
    log.protect_secret(settings)
    return settings


def _fail(message: str, code: ExitCode) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(int(code))


@app.command()
def portal(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Run the mock portal in the foreground."""
    from mock_portal.server import serve
    from mock_portal.settings import PortalSettings

    settings = PortalSettings()
    serve(
        settings.model_copy(
            update={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
        )
    )


DRY_RUN_HELP = (
    "Walk every screen up to the summary (Document Clinical answered), a screenshot of each, "
    "then cancel: nothing is submitted and no queue item changes."
)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a request file."""
    console.print_json(json.dumps(request_schema()))


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="A request file (JSON).", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the log lines above the live display.")
    ] = False,
) -> None:
    """Submit one request now, recorded in the queue too."""
    from bot.submit import submit_file

    settings = _settings_or_exit(verbose=verbose)
    raise typer.Exit(int(submit_file(file, settings, console, dry_run=dry_run)))


@app.command()
def enqueue(
    files: Annotated[
        list[Path],
        typer.Argument(help="Request files: JSON, JSONL or CSV, or a Da Vinci PAS request Bundle."),
    ],
) -> None:
    """Validate requests and queue the valid ones; print each invalid one with its field errors."""
    from bot.enqueue import enqueue_files

    settings = _settings_or_exit()
    queue = _queue_or_exit(settings)
    try:
        summary = enqueue_files(
            queue, files, console, private_dirs=[settings.artifacts_dir], settings=settings
        )
    finally:
        queue.close()
    raise typer.Exit(int(ExitCode.USAGE if summary.invalid else ExitCode.OK))


@app.command("run")
def run_queue(
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="Workers (browser contexts; default: settings)."),
    ] = None,
    max_items: Annotated[
        int | None, typer.Option(min=1, help="Stop after taking this many items.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=DRY_RUN_HELP)] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the log lines above the live display.")
    ] = False,
) -> None:
    """Drain the queue (the overnight run) and write the morning report."""
    from bot.dry_run import rehearse_queue
    from bot.runner import run

    settings = _settings_or_exit(verbose=verbose)
    _queue_or_exit(settings).close()
    size = workers or settings.workers
    if dry_run:
        raise typer.Exit(int(rehearse_queue(settings, console, workers=size, max_items=max_items)))
    code = run(settings, console, workers=size, max_items=max_items)
    raise typer.Exit(int(code))


@app.command()
def worker(
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="Workers (browser contexts; default: settings)."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the log lines as they are written.")
    ] = False,
) -> None:
    """A resident worker: work the queue as requests arrive, urgent first, until SIGTERM."""
    from bot.resident import serve_queue

    settings = _settings_or_exit(verbose=verbose)
    _queue_or_exit(settings).close()
    raise typer.Exit(int(serve_queue(settings, console, workers=workers or settings.workers)))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port.")] = 8700,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=16, help="Workers of the resident worker (default: settings)."),
    ] = None,
) -> None:
    """The staff console on http://HOST:PORT, and a resident worker on the same queue."""
    from bot.serve import serve_console

    settings = _settings_or_exit()
    _queue_or_exit(settings).close()
    code = serve_console(settings, console, host=host, port=port, workers=workers)
    raise typer.Exit(int(code))


@app.command()
def status(
    state: Annotated[str | None, typer.Option(help="Only items in this state.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
) -> None:
    """The queue's items."""
    from bot.display import item_record, print_items, write_csv
    from bot.queue import State

    if fmt not in {"table", "json", "csv"}:
        raise _fail("--format must be table, json or csv", ExitCode.USAGE)
    try:
        wanted = State(state) if state else None
    except ValueError:
        names = ", ".join(s.value for s in State)
        raise _fail(f"unknown state {state!r}; one of: {names}", ExitCode.USAGE) from None
    settings = _settings_or_exit()
    queue = _queue_or_exit(settings)
    try:
        items = queue.items(wanted)
    finally:
        queue.close()
    if fmt == "table":
        print_items(console, items)
    elif fmt == "json":
        print(json.dumps([item_record(item) for item in items], indent=2))
    else:
        write_csv(sys.stdout, items)


@app.command("restored")
def restored() -> None:
    """After restoring the queue from a backup: every open request is looked up on the portal
    before anything is submitted again."""
    from bot.restored import reconcile_restored

    settings = _settings_or_exit()
    _queue_or_exit(settings).close()
    raise typer.Exit(int(reconcile_restored(settings, console)))


@app.command()
def appeal(
    reference_id: Annotated[
        str, typer.Argument(help="The reference ID of a denied or partially approved request.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="The packet's file (default ARTIFACTS_DIR/appeals/<reference>.pdf)."),
    ] = None,
    mark: Annotated[
        str | None,
        typer.Option(help="Record the appeal filed, overturned, upheld or declined (no packet)."),
    ] = None,
) -> None:
    """Write the appeal packet (PDF) of a denied or cut request, or record its appeal's step."""
    from bot.appeals import appeal_command

    settings = _settings_or_exit()
    queue = _queue_or_exit(settings)
    try:
        code = appeal_command(queue, settings, console, errors, reference_id, out=out, mark=mark)
    finally:
        queue.close()
    raise typer.Exit(int(code))


@app.command("eligibility")
def eligibility_check(
    file: Annotated[Path, typer.Argument(help="Members and dates of service: JSON Lines or CSV.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Check members' eligibility on their dates of service on the portal; keep the answers."""
    from bot.eligibility import eligibility_command

    settings = _settings_or_exit()
    queue = _queue_or_exit(settings)
    try:
        code = eligibility_command(queue, settings, console, errors, file, fmt)
    finally:
        queue.close()
    raise typer.Exit(int(code))


@app.command("login")
def login() -> None:
    """Make one login attempt on purpose; on success it clears a recorded rejection."""
    from bot.manual_login import log_in_once

    raise typer.Exit(int(log_in_once(_settings_or_exit(), console)))


@app.command("follow-up")
def follow_up() -> None:
    """Refresh the status of undecided requests; upload attachments still owed."""
    from bot.followup import follow_up as follow_up_items

    settings = _settings_or_exit()
    _queue_or_exit(settings).close()
    raise typer.Exit(int(follow_up_items(settings, console)))


@app.command()
def metrics(
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    since: Annotated[
        str | None,
        typer.Option(help="Only requests submitted on or after this day (YYYY-MM-DD, UTC)."),
    ] = None,
) -> None:
    """Outcome figures: approval, denial and pend rates, approval after appeal, decision times."""
    from bot.metrics import appeal_states, compute, parse_day, print_metrics

    if fmt not in {"table", "json"}:
        raise _fail("--format must be table or json", ExitCode.USAGE)
    try:
        day = parse_day(since) if since is not None else None
    except ValueError as exc:
        raise _fail(f"--since: {escape(str(exc))}", ExitCode.USAGE) from None
    settings = _settings_or_exit()
    queue = _queue_or_exit(settings)
    try:
        figures = compute(queue.items(), appeal_states(queue), queue.now(), since=day)
    finally:
        queue.close()
    if fmt == "json":
        print(json.dumps(figures, indent=2))
    else:
        print_metrics(console, figures)


@app.command()
def replay(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Scenario files, or folders searched for *.yaml.", show_default=False),
    ] = None,
    junit: Annotated[Path | None, typer.Option(help="Write JUnit XML here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write the HTML report here.")] = None,
    headed: Annotated[bool, typer.Option(help="Show the browser.")] = False,
    slow_mo: Annotated[
        int, typer.Option("--slow-mo", min=0, help="Slow each browser action (ms).")
    ] = 0,
    grep: Annotated[
        str | None, typer.Option(help="Only scenarios whose name or description match.")
    ] = None,
    print_schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of a scenario file.")
    ] = False,
) -> None:
    """Replay QA scenarios against a freshly reset mock portal."""
    from bot.replay.command import replay as replay_scenarios
    from bot.replay.runner import Options
    from bot.replay.scenario import schema as scenario_schema

    if print_schema:
        console.print_json(json.dumps(scenario_schema()))
        raise typer.Exit(int(ExitCode.OK))
    if not paths:
        raise _fail("name at least one scenario file or folder", ExitCode.USAGE)
    settings = _settings_or_exit()
    if headed:
        settings = settings.model_copy(update={"headless": False})
    options = Options(junit=junit, html=html, slow_mo_ms=slow_mo, grep=grep)
    raise typer.Exit(int(replay_scenarios(paths, settings, console, options)))


@app.command("demo")
def run_demo(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show the log lines above the live display.")
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Then serve the staff console on the demo's queue, until Ctrl-C."
        ),
    ] = False,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="The console's port, with --serve.")
    ] = 8700,
) -> None:
    """Start the mock portal, queue the sample requests, run, print the results, stop (with
    --serve: then the staff console, on http://127.0.0.1:PORT/)."""
    from bot.demo import demo

    settings = _settings_or_exit(verbose=verbose)
    raise typer.Exit(int(demo(settings, console, serve=serve, port=port)))


def _settings_or_exit(*, verbose: bool = False) -> Settings:
    """The settings, or exit 2; on a terminal the log lines go to a file from here on
    (bot/terminal.py), shown above the live display with ``verbose``."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise _fail(str(exc), ExitCode.USAGE) from None
    from bot import terminal

    if terminal.watched():
        terminal.log_to_file(settings, errors)
        if verbose:
            terminal.echo_to(console)
    return settings


def _queue_or_exit(settings: Settings) -> Queue:
    from bot.queue import QueueError, open_queue

    try:
        return open_queue(settings.queue_url)
    except QueueError as exc:
        raise _fail(str(exc), ExitCode.USAGE) from None


def main() -> None:
    """Entry point of the ``pa-bot`` script and ``python -m bot``.

    An exception no command caught is shown as its type and redacted first line, never as a
    raw traceback (which could quote a password or a member's data), and exits 1."""
    use_settings(_settings_or_exit)
    fmt = os.environ.get("PA_BOT_LOG_FORMAT", "").lower()
    log.configure(json={"json": True, "console": False}.get(fmt), stream=sys.stderr)
    try:
        app()
    except ValidationError as exc:
        if exc.title not in _SETTINGS_PREFIXES:
            _unexpected(exc)
        # The mock's settings are read where a portal starts (portal, demo, replay): a bad
        # MOCK_PORTAL_* value is the person's to fix, a usage error like a bad PA_BOT_* one.
        errors.print(
            f"[bold red]error:[/] {escape(env_problems(exc, _SETTINGS_PREFIXES[exc.title]))}"
        )
        sys.exit(int(ExitCode.USAGE))
    except Exception as exc:
        _unexpected(exc)


_SETTINGS_PREFIXES = {"Settings": "PA_BOT_", "PortalSettings": "MOCK_PORTAL_"}


def _unexpected(exc: Exception) -> NoReturn:
    from bot.worker import describe, where

    log.get_logger(__name__).error("unexpected_error", error=describe(exc), at=where(exc))
    errors.print(f"[bold red]error:[/] {escape(describe(exc))}")
    sys.exit(int(ExitCode.FAILED))
