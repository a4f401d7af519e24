"""``pa-bot eligibility FILE``: members and dates of service checked on the portal's Member
Eligibility screen one by one, with the same session, retries and login gate as the flow; every
answer kept (``bot.queue.eligibility``). Before a request is submitted, a known "not eligible"
for its member and date ends it ``rejected`` without a portal search (``known_ineligible``).

The file is JSON Lines of ``{"member": {...}, "date_of_service": "YYYY-MM-DD"}`` (``member`` as
in a request file) or CSV with the columns ``caresource_id``, ``medicaid_id``, ``first_name``,
``last_name``, ``dob`` and ``date_of_service`` (docs/ELIGIBILITY.md).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot import log, retry_policy
from bot.browser import open_browser
from bot.config import Settings
from bot.display import print_invalid, print_wide
from bot.errors import (
    ConfigError,
    ExitCode,
    KnownIneligible,
    LoginRejected,
    MemberNotFound,
    PaBotError,
    UiDrift,
)
from bot.holder import this_process
from bot.intake import format_errors, iso_date
from bot.login_gate import LoginGate, credentials, login_refusal
from bot.models import AuthRequest, Member
from bot.pages.dates import parse_us
from bot.pages.types import Eligibility
from bot.queue import IllegalTransition, Queue
from bot.queue.eligibility import (
    Answered,
    EligibilityCheck,
    EligibilityQueue,
    eligibility_queue,
)
from bot.session import PortalSession
from bot.shared_login import SharedLogin

logger = structlog.get_logger(__name__)

MEMBER_COLUMNS = ("caresource_id", "medicaid_id", "first_name", "last_name", "dob")
COLUMNS = (*MEMBER_COLUMNS, "date_of_service")
NOT_FOUND = "member not found"
"""The error of a check whose member the portal does not know: an answer, not a failure."""


class Ask(BaseModel):
    """One line of the file: a member and a date of service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    member: Member
    date_of_service: date


@dataclass(frozen=True)
class Line:
    """A line of the file: the ask, or why it could not be read."""

    source: str
    ask: Ask | None
    errors: tuple[str, ...] = ()


def member_key(member: Member) -> str:
    """The digest a member is looked up by: of the identifier it was given with."""
    if member.caresource_id:
        raw = f"caresource:{member.caresource_id}"
    elif member.medicaid_id:
        raw = f"medicaid:{member.medicaid_id}"
    else:
        raw = f"info:{member.last_name}|{member.first_name}|{member.dob}".casefold()
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def read_file(path: Path) -> list[Line]:
    """Every line of a JSON Lines or CSV file (by its extension, else by its first character)."""
    text = path.read_text(encoding="utf-8-sig")
    return read_text(text, path.name, is_csv=looks_csv(path.name, text))


def looks_csv(name: str, text: str) -> bool:
    """CSV by the file's extension, else by its first character (JSON Lines start with ``{``)."""
    suffix = Path(name).suffix.lower()
    return suffix == ".csv" or (
        suffix not in (".jsonl", ".json") and not text.lstrip().startswith("{")
    )


def read_text(text: str, source: str, *, is_csv: bool) -> list[Line]:
    if is_csv:
        rows = csv.DictReader(io.StringIO(text))
        unknown = sorted(set(rows.fieldnames or ()) - set(COLUMNS))
        if unknown or not rows.fieldnames:
            said = f"unknown columns {', '.join(unknown)}" if unknown else "no header row"
            return [Line(source, None, (f"{said}; the columns are {', '.join(COLUMNS)}",))]
        return [
            _line(_record(row), f"{source}:line {number}")
            for number, row in enumerate(rows, start=2)
            if any((cell or "").strip() for cell in row.values())
        ]
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            lines.append(Line(f"{source}:line {number}", None, ("not JSON",)))
            continue
        lines.append(_line(data, f"{source}:line {number}"))
    return lines


def _record(row: dict[str, str]) -> dict[str, Any]:
    cells = {k: (v or "").strip() for k, v in row.items() if k and (v or "").strip()}
    member = {k: iso_date(v) if k == "dob" else v for k, v in cells.items() if k in MEMBER_COLUMNS}
    record: dict[str, Any] = {"member": member}
    if "date_of_service" in cells:
        record["date_of_service"] = iso_date(cells["date_of_service"])
    return record


def _line(data: Any, source: str) -> Line:
    try:
        return Line(source, Ask.model_validate(data))
    except ValidationError as exc:
        return Line(source, None, tuple(format_errors(exc)))


@dataclass
class Checked:
    """One ask and its answer, as printed and kept."""

    ask: Ask
    answered: Answered

    def record(self) -> dict[str, Any]:
        """The line as ``--format json`` prints it."""
        a = self.answered
        return {
            "member": self.ask.member.model_dump(mode="json", exclude_none=True),
            "date_of_service": self.ask.date_of_service.isoformat(),
            "eligible": a.eligible,
            "plan": a.plan,
            "coverage_start": a.coverage_start.isoformat() if a.coverage_start else None,
            "coverage_end": a.coverage_end.isoformat() if a.coverage_end else None,
            "other_payer": a.other_payer,
            "error": a.error,
        }


STOPPING = (LoginRejected, UiDrift, ConfigError)
"""What stops every check, as it stops the flow: raised, never recorded as an answer."""


def _protected(member: Member) -> AbstractContextManager[None]:
    """The member's identifiers registered as sensitive: redacted from logs and error texts."""
    dob = log.date_forms(member.dob) if member.dob else []
    full = f"{member.first_name} {member.last_name}" if member.first_name else None
    return log.protected(
        member.caresource_id, member.medicaid_id, member.first_name, member.last_name, full, *dob
    )


async def check_one(session: PortalSession, ask: Ask) -> Answered:
    """The portal's answer for one ask, transient trouble retried; what is left is the answer's
    error, the unknown as a system error (a refused login, UI drift or a configuration error goes
    on up: it stops everything)."""
    with _protected(ask.member):
        try:
            async with asyncio.timeout(session.settings.item_deadline_s):
                shown = await _asked(session, ask)
            return Answered(
                eligible=shown.eligible,
                plan=shown.plan,
                coverage_start=parse_us(shown.coverage_start) if shown.coverage_start else None,
                coverage_end=parse_us(shown.coverage_end) if shown.coverage_end else None,
                other_payer=shown.other_payer,
            )
        except STOPPING:
            raise
        except MemberNotFound:
            return Answered(eligible=None, error=NOT_FOUND)
        except PaBotError as exc:
            logger.warning("eligibility_failed", error=type(exc).__name__)
            return Answered(eligible=None, error=log.redact(f"{type(exc).__name__}: {exc}"))
        except Exception as exc:  # the unknown (a hung page too) is a system error
            logger.warning("eligibility_failed", error=type(exc).__name__)
            return Answered(eligible=None, error=f"system: {type(exc).__name__}")


async def _asked(session: PortalSession, ask: Ask) -> Eligibility:
    await session.begin_request()
    with retry_policy.spending(session.resend.budget):
        async for attempt in retry_policy.follow_up_attempts(session.settings):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    await session.begin_attempt()
                screen = await session.eligibility()
                return await screen.check(ask.member, ask.date_of_service)
    raise AssertionError("retry_policy ends with an answer or an error")


async def check_all(queue: Queue, settings: Settings, asks: list[Ask], batch: str) -> list[Checked]:
    """Each ask checked in one portal session, its answer kept as soon as it is known."""
    store = eligibility_queue(queue)
    gate = LoginGate(queue, credentials(settings), f"{this_process().text()}#eligibility")
    done = []
    async with open_browser(settings) as browser:
        session = await PortalSession.open(browser, settings, SharedLogin(gate, settings))
        try:
            for ask in asks:
                answered = await check_one(session, ask)
                store.record_eligibility(
                    member_key(ask.member),
                    ask.member.model_dump_json(exclude_none=True),
                    ask.date_of_service,
                    answered,
                    batch,
                )
                done.append(Checked(ask, answered))
        finally:
            await session.close()
    return done


async def check_asked(
    queue: EligibilityQueue, session: PortalSession, check: EligibilityCheck, worker: str
) -> None:
    """A check asked for from the console, made and answered. What stops everything (a refused
    login, UI drift, a configuration error) gives the check back first, for the next worker;
    a check whose lease another worker took meanwhile is left to it."""
    try:
        member = Member.model_validate_json(check.member)
    except ValueError:  # never the text: it is the member's
        answered = Answered(eligible=None, error="system: the stored member cannot be read")
    else:
        ask = Ask(member=member, date_of_service=check.date_of_service)
        try:
            answered = await check_one(session, ask)
        except STOPPING:
            queue.release_eligibility(check.id, worker)
            raise
    try:
        queue.answer_eligibility(check.id, worker, answered)
    except IllegalTransition:
        logger.warning("eligibility_lease_lost", check_id=check.id)
        return
    logger.info("asked_eligibility_done", check_id=check.id, failed=answered.error is not None)


def exit_code(lines: list[Line], done: list[Checked]) -> ExitCode:
    """2 when a line could not be read, else 1 when a check could not be made, else 0."""
    if any(line.ask is None for line in lines):
        return ExitCode.USAGE
    if any(c.answered.error not in (None, NOT_FOUND) for c in done):
        return ExitCode.FAILED
    return ExitCode.OK


def known_ineligible(queue: Queue, request: AuthRequest) -> None:
    """``KnownIneligible`` when the newest eligibility check of the request's member on its
    first date of service said "not eligible": the request ends rejected, no portal search."""
    found: EligibilityCheck | None = eligibility_queue(queue).latest_eligibility(
        member_key(request.member), request.start_date
    )
    if found is not None and found.eligible is False:
        raise KnownIneligible(
            f"Member is not eligible on the date of service {request.start_date} (from the "
            f"eligibility check of {found.checked_at:%Y-%m-%d %H:%M} UTC; the portal was not "
            "searched)"
        )


UPCOMING_DAYS = 2
"""The morning report names the visits not covered today and tomorrow."""


def uninsured_warnings(queue: Queue, today: date) -> list[str]:
    """Per day of the next :data:`UPCOMING_DAYS`, how many visits the newest eligibility check
    found not covered (counts only: the report carries no member data)."""
    found = []
    store = eligibility_queue(queue)
    for offset in range(UPCOMING_DAYS):
        day = today + timedelta(days=offset)
        newest: dict[str, EligibilityCheck] = {}
        for check in store.eligibility_checks(on=day):
            if check.eligible is not None:
                newest[check.member_key] = check
        uncovered = sum(check.eligible is False for check in newest.values())
        if uncovered:
            found.append(
                f"Eligibility: {uncovered} visit(s) on {day} are not covered by CareSource on "
                "that date (pa-bot eligibility); see the console's Eligibility page before "
                "seeing the patient."
            )
    return found


def run_file(queue: Queue, settings: Settings, path: Path) -> tuple[list[Line], list[Checked]]:
    lines = read_file(path)
    asks = [line.ask for line in lines if line.ask is not None]
    batch = f"{path.name}@{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}Z"
    done = asyncio.run(check_all(queue, settings, asks, batch)) if asks else []
    return lines, done


def eligibility_command(
    queue: Queue, settings: Settings, out: Console, err: Console, path: Path, fmt: str
) -> ExitCode:
    """``pa-bot eligibility``: check, keep, print (a table, or JSON on standard output)."""
    if fmt not in ("table", "json"):
        err.print("[red]error:[/] --format must be table or json")
        return ExitCode.USAGE
    if not path.is_file():
        err.print(f"[red]error:[/] no file {escape(str(path))}")
        return ExitCode.USAGE
    refusal = login_refusal(queue, settings)
    if refusal is not None:
        err.print(f"[red]{refusal[0]}:[/] {escape(refusal[1])}", soft_wrap=True)
        return refusal[2]
    try:
        lines, done = run_file(queue, settings, path)
    except LoginRejected as exc:
        err.print(f"[red]login rejected:[/] {escape(log.redact(str(exc)))}")
        return ExitCode.LOGIN_REJECTED
    for line in lines:
        if line.ask is None:
            print_invalid(err, line.source, list(line.errors))
    if fmt == "json":
        print(json.dumps([checked.record() for checked in done], indent=2))
    else:
        print_checks(out, done)
    return exit_code(lines, done)


def print_checks(console: Console, done: list[Checked]) -> None:
    table = Table(title="pa-bot eligibility")
    for column in ("member", "date of service", "eligible", "plan", "coverage", "other payer"):
        table.add_column(column)
    for checked in done:
        a = checked.answered
        verdict = "[red]error[/]" if a.eligible is None else ("yes" if a.eligible else "[red]no[/]")
        span = f"{a.coverage_start or ''} to {a.coverage_end or 'open'}" if a.coverage_start else ""
        table.add_row(
            escape(_who(checked.ask.member)),
            checked.ask.date_of_service.isoformat(),
            verdict if a.error is None else f"{verdict}: {escape(a.error)}",
            escape(a.plan or ""),
            span,
            escape(a.other_payer or ""),
        )
    print_wide(console, table)
    eligible = sum(c.answered.eligible is True for c in done)
    not_eligible = sum(c.answered.eligible is False for c in done)
    errors = sum(c.answered.eligible is None for c in done)
    console.print(
        f"{len(done)} checked: {eligible} eligible, {not_eligible} not eligible, {errors} errors."
    )


def _who(member: Member) -> str:
    if member.caresource_id:
        return f"CareSource ID {member.caresource_id}"
    if member.medicaid_id:
        return f"Medicaid ID {member.medicaid_id}"
    return f"{member.last_name}, {member.first_name} ({member.dob})"
