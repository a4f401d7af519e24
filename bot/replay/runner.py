"""Replay scenarios: each one on a freshly reset portal, with its own queue and artifacts, through
the product's own path (queue, ``process_item``, flow, page objects), as ``pa-bot submit`` does.

One browser serves the whole replay; each scenario gets a new browser context (its own login).
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser

from bot import log
from bot.browser import open_browser, private_dir
from bot.config import MOCK_ACCOUNT, Settings
from bot.errors import ExitCode
from bot.holder import this_process
from bot.queue import FINAL_STATES, Action, Item, Queue, open_queue
from bot.queued import outcome_of, payload
from bot.replay.portal import AdminError, MockAdmin, mock_portal
from bot.replay.scenario import Loaded, Malformed, collect, load
from bot.session import PortalSession
from bot.submit import exit_code_for
from bot.worker import process_until_settled, worker_name

logger = log.get_logger(__name__)

EVIDENCE = ("trace*.zip", "failure.png", "failure.html", "mismatch.png", "proof.pdf", "proof.png")
"""Files a failure links to, most telling first (the flow saves the first three on errors;
``trace-1.zip``… are the parts of a trace that a login cut, see ``PortalSession.stop_trace``)."""


class UsageError(Exception):
    """Bad paths or options (exit 2)."""


@dataclass(frozen=True)
class Observed:
    """What came of a scenario, in the terms of its expectations."""

    state: str
    portal_status: str | None
    reference_id: bool
    attachments: list[str]
    attempts: int
    reconciled: bool
    exit_code: int
    portal_records: int
    submit_clicks: int
    error: str | None


@dataclass
class Result:
    """One scenario's verdict."""

    name: str
    file: Path
    description: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    """Why the file is malformed, or why the replay itself broke (``field: message``)."""
    mismatches: list[str] = field(default_factory=list)
    """``field: expected X, got Y``."""
    observed: Observed | None = None
    evidence: list[Path] = field(default_factory=list)
    malformed: bool = False

    @property
    def passed(self) -> bool:
        return not self.problems and not self.mismatches

    @property
    def verdict(self) -> str:
        if self.passed:
            return "pass"
        return "malformed" if self.malformed else "fail"

    @property
    def messages(self) -> list[str]:
        return self.problems + self.mismatches


@dataclass(frozen=True)
class Options:
    junit: Path | None = None
    html: Path | None = None
    slow_mo_ms: float = 0
    grep: str | None = None


def select(paths: list[Path], grep: str | None) -> list[Loaded | Malformed]:
    """Load the scenario files under ``paths``, keeping those whose name or description match."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    try:
        pattern = re.compile(grep) if grep else None
    except re.error as exc:
        raise UsageError(f"--grep: not a regular expression ({exc})") from None
    loaded = [load(file) for file in collect(paths)]
    if pattern is not None:
        loaded = [s for s in loaded if pattern.search(s.name) or pattern.search(s.description)]
    if not loaded:
        raise UsageError(
            "no scenario files (*.yaml, *.yml) found" + (" matching --grep" if grep else "")
        )
    return loaded


def replay_all(
    scenarios: list[Loaded | Malformed],
    settings: Settings,
    out: Path,
    slow_mo_ms: float = 0,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Replay every scenario; malformed ones are reported without touching the portal."""
    results: list[Result] = []
    with mock_portal(settings) as url:
        admin = MockAdmin(url)
        # The mock's demo account unless the settings name another one of the mock's.
        account = {} if settings.username else {**MOCK_ACCOUNT, "totp_secret": None}
        local = settings.model_copy(update={"portal_url": url, **account})

        async def replay_in_one_browser() -> None:
            async with open_browser(local, slow_mo_ms) as browser:
                for scenario in scenarios:
                    if isinstance(scenario, Malformed):
                        result = Result(
                            scenario.name,
                            scenario.file,
                            scenario.description,
                            problems=list(scenario.problems),
                            malformed=True,
                        )
                    else:
                        folder = out / scenario.name
                        result = await replay_one(scenario, local, admin, browser, folder)
                    results.append(result)
                    if on_result is not None:
                        on_result(result)

        asyncio.run(replay_in_one_browser())
    return results


async def replay_one(
    scenario: Loaded, settings: Settings, admin: MockAdmin, browser: Browser, folder: Path
) -> Result:
    """Reset the portal, set its knobs, queue the request and process it; compare."""
    started = time.perf_counter()
    result = Result(scenario.name, scenario.file, scenario.description)
    knobs = scenario.scenario.portal.model_dump(mode="json", exclude_unset=True)
    with tempfile.TemporaryDirectory(prefix="pa-bot-replay-queue-") as tmp:
        local = settings.model_copy(
            update={
                "queue_url": f"sqlite:///{Path(tmp).resolve() / 'queue.db'}",
                "artifacts_dir": private_dir(folder),
                # QA's contract: a trace for every failure, the first attempt's included.
                "trace": "always",
            }
        )
        queue = open_queue(local.queue_url)
        session = await PortalSession.open(browser, local)
        try:
            admin.reset()
            admin.configure(knobs)
            item, code = await _run(queue, session, scenario, admin)
            result.observed = _observe(queue, item, code, admin)
            result.mismatches = compare(scenario, result.observed)
            if result.mismatches and not any(folder.rglob("failure.png")):
                await _screenshot(session, folder / "mismatch.png")
        except AdminError as exc:
            result.problems.append(f"portal: {exc}")
        finally:
            await session.close()
            queue.close()
    if not result.passed:
        result.evidence = _evidence(folder)
    result.seconds = time.perf_counter() - started
    logger.info("scenario_replayed", scenario=scenario.name, verdict=result.verdict)
    return result


async def _run(
    queue: Queue, session: PortalSession, scenario: Loaded, admin: MockAdmin
) -> tuple[Item, ExitCode]:
    """One run, and a second after ``then`` when the first left the item unfinished."""
    request = scenario.request
    item = queue.enqueue(request.key, payload(request), str(scenario.file)).item
    item, code = await _one_run(queue, session, item)
    if scenario.scenario.then is not None and item.state not in FINAL_STATES:
        admin.configure(scenario.scenario.then.model_dump(mode="json", exclude_unset=True))
        item, code = await _one_run(queue, session, item)
    return item, code


async def _one_run(queue: Queue, session: PortalSession, item: Item) -> tuple[Item, ExitCode]:
    """Claim and process the item as ``pa-bot submit`` does (set aside for the reconciliation
    grace, it is taken up again when the grace allows); its exit code."""
    worker = worker_name()
    holder = this_process().text()
    claimed = queue.claim(worker, session.settings.lease_seconds, item_id=item.id, holder=holder)
    if claimed is None:
        return queue.get(item.id), ExitCode.FAILED
    processed = await process_until_settled(queue, session, claimed, worker)
    if processed.stop is not None:
        return processed.item, processed.stop
    return processed.item, exit_code_for(processed)


def _observe(queue: Queue, item: Item, code: ExitCode, admin: MockAdmin) -> Observed:
    outcome = outcome_of(item)
    recorded = admin.authorizations()
    mine = [a for a in recorded if item.reference_id and a["reference_id"] == item.reference_id]
    clicks = [e for e in queue.history(item.id) if e.action == Action.MARK_SUBMITTING]
    return Observed(
        state=str(item.state),
        portal_status=item.portal_status,
        reference_id=bool(item.reference_id),
        attachments=sorted(mine[0]["attachments"]) if mine else [],
        attempts=item.attempts,
        reconciled=outcome is not None and outcome.reconciled,
        exit_code=int(code),
        portal_records=len(recorded),
        submit_clicks=len(clicks),
        error=item.error,
    )


def compare(scenario: Loaded, got: Observed) -> list[str]:
    """``field: expected X, got Y`` for each expectation that does not hold."""
    expect = scenario.scenario.expect
    checks: list[tuple[str, Any, Any]] = [
        ("state", expect.state, got.state),
        ("portal_status", expect.portal_status and str(expect.portal_status), got.portal_status),
        ("reference_id", expect.reference_id, got.reference_id),
        ("attachments", expect.attachments and sorted(expect.attachments), got.attachments),
        ("attempts", expect.attempts, got.attempts),
        ("reconciled", expect.reconciled, got.reconciled),
        ("exit_code", expect.exit_code, got.exit_code),
        ("portal_records", expect.portal_records, got.portal_records),
        ("submit_clicks", expect.submit_clicks, got.submit_clicks),
    ]
    fields = expect.model_fields_set
    found = [
        f"{name}: expected {_show(wanted)}, got {_show(actual)}"
        for name, wanted, actual in checks
        if name in fields and wanted != actual
    ]
    if expect.error_contains and expect.error_contains not in (got.error or ""):
        found.append(
            f"error: expected text containing {expect.error_contains!r}, got {got.error!r}"
        )
    return found


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


async def _screenshot(session: PortalSession, path: Path) -> None:
    """What the browser showed when the scenario went wrong (best effort)."""
    try:
        await session.page.screenshot(path=str(path), full_page=True)
    except Exception:
        logger.warning("mismatch_screenshot_failed")


def _evidence(folder: Path) -> list[Path]:
    found = []
    for name in EVIDENCE:
        found.extend(sorted(p for p in folder.rglob(name) if ".state" not in p.parts))
    return found


def run_folder(settings: Settings) -> Path:
    """Where this replay keeps its artifacts: ``<artifacts>/replay/<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return private_dir(settings.artifacts_dir / "replay" / stamp)
