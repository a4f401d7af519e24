"""The one place that strings the portal's screens together for a request.

``process`` is what the worker and ``pa-bot submit`` call: it retries transient trouble
(``bot.retry_policy``) and, once Submit may have been clicked, never submits again before the
Status tab says the first submission is not there (reconciliation).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot import log as log_module
from bot import retry_policy
from bot.browser import private_dir
from bot.draft import Attempt, Journal, fill_draft, timed
from bot.errors import (
    AwaitingIndex,
    BusinessError,
    PaBotError,
    PortalNotTaken,
    PortalTimeout,
    PortalUnavailable,
    PortalValidationError,
    RateLimited,
    ReconcileImpossible,
    SessionExpired,
    SignedOutElsewhere,
    SubmissionUnclear,
    SystemFault,
)
from bot.log import get_logger
from bot.models import AuthRequest, Outcome, OutcomeLine, PortalStatus
from bot.pages.dates import parse_us
from bot.pages.results import ResultsPage
from bot.pages.status import StatusPage
from bot.pages.types import Results, StatusRow
from bot.queue import QueueError
from bot.session import PortalSession
from bot.steps import Step

log = get_logger(__name__)


EVIDENCE_S = 10.0
"""The longest the failure evidence of one attempt may take to keep."""

CLOCK_SKEW = timedelta(minutes=15)
"""How much earlier than the first Submit click an authorization on the Status tab may say it
was submitted and still be ours (the portal's clock and the queue's may disagree)."""


async def process(
    session: PortalSession,
    request: AuthRequest,
    journal: Journal,
    *,
    already_submitting: bool = False,
) -> Outcome:
    """Submit one request, retrying transient trouble; never twice.

    Raises the last ``TransientError`` when the attempts are used up, ``LoginRejected`` at once,
    and business errors at once (the caller turns them into ``rejected``).
    """
    settings = session.settings
    attempt = Attempt(
        request=request,
        artifacts=private_dir(settings.artifacts_dir / request.key),
        submit_clicked=already_submitting,
        caresource_id=request.member.caresource_id,
    )
    try:
        await session.begin_request()
        with retry_policy.spending(session.resend.budget):
            outcome = await _attempts(session, attempt, journal)
    except BaseException:
        await keep_failure_evidence(session, attempt)
        raise
    await session.stop_trace(None)
    outcome.step_seconds = attempt.step_seconds
    return outcome


async def _attempts(session: PortalSession, attempt: Attempt, journal: Journal) -> Outcome:
    """The request's attempts, as the retry policy allows them."""
    settings = session.settings
    async for try_ in retry_policy.item_attempts(settings):
        with try_:
            attempt.attempts += 1
            if attempt.attempts > 1:
                await session.begin_attempt()
            if attempt.attempts > 1 or settings.trace == "always":
                await session.start_trace()
            return await _waiting_out_rate_limits(session, attempt, journal)
    raise AssertionError("the retry policy ended without an outcome or an error")


RATE_LIMIT_HOLDS = 5
"""How often one attempt waits out the portal's 429 and goes on, uncounted; then the request
goes back to the queue (``RateLimited``: never failed)."""


async def _waiting_out_rate_limits(
    session: PortalSession, attempt: Attempt, journal: Journal
) -> Outcome:
    """The attempt, made again each time the portal limited the rate, after its ``Retry-After``
    (the whole machine waits: ``bot.throttle``). Nothing was taken by a 429, Submit included, so
    going on is safe; after a Submit, reconciliation still looks first."""
    throttle = session.throttle
    for _ in range(RATE_LIMIT_HOLDS):
        await throttle.wait_out()
        mark = throttle.mark()
        try:
            return await _guarded(session, attempt, journal)
        except PortalUnavailable as exc:
            # A lookup that "kept failing" was refused for the rate if a 429 came meanwhile.
            if not isinstance(exc, RateLimited) and not throttle.limited_since(mark):
                raise
        await session.begin_attempt()
    raise RateLimited("the portal kept limiting the rate (429 Too Many Requests)")


async def _guarded(session: PortalSession, attempt: Attempt, journal: Journal) -> Outcome:
    """One attempt; an exception of a type the bot does not know becomes a ``SystemFault``
    (its type and redacted first line: Playwright's own texts quote what was typed)."""
    try:
        return await _one_attempt(session, attempt, journal)
    except (PaBotError, QueueError):
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        kind = type(exc).__name__
        raise SystemFault(log_module.redact(f"{kind}: {first}"), kind) from exc


async def _one_attempt(session: PortalSession, attempt: Attempt, journal: Journal) -> Outcome:
    async with recovering(session):
        if attempt.submit_clicked:
            found = await _reconcile(session, attempt, journal)
            if found is not None:
                return found
        return await _submit(session, attempt, journal)


@asynccontextmanager
async def recovering(session: PortalSession) -> AsyncIterator[None]:
    """Around one attempt: what the next one needs after trouble (a new login after an expired
    session, the session's 503 resend route once the portal stumbled); the error goes on."""
    try:
        yield
    except SignedOutElsewhere:
        if session.signed_out_elsewhere():
            raise  # the item goes back; the machine waits for its turn (``bot.turns``)
        await session.log_in()  # the sign-out was of an older login of this process
        raise SessionExpired("signed out of an older login") from None
    except SessionExpired:
        log.info("session_expired")
        await session.log_in()
        raise
    except (PortalUnavailable, SubmissionUnclear):
        await session.arm_resend()
        raise


async def _submit(session: PortalSession, attempt: Attempt, journal: Journal) -> Outcome:
    request = attempt.request
    draft = await fill_draft(session, attempt, journal)
    summary, messages = draft.summary, draft.messages
    if draft.not_required:
        await summary.cancel()
        return Outcome(state="not_required", messages=messages, authorization_number=None)
    async with timed(attempt, journal, Step.SUBMIT):
        journal.submitting()
        attempt.submit_clicked = True
        attempt.refused_unread = False
        try:
            with session.no_resend():
                results_page = await summary.submit()
            results = await results_page.read()
        except RateLimited:
            attempt.refused_unread = True  # a 429 takes nothing: "not found" is an answer
            raise
        except (PortalUnavailable, PortalTimeout, SessionExpired, BusinessError) as exc:
            attempt.refused_unread = isinstance(exc, (SessionExpired, PortalNotTaken))
            # An alert instead of the results, or a status word the bot does not know, is no
            # answer to the request either: only the Status tab may tell what happened.
            raise SubmissionUnclear(f"no result after Submit ({type(exc).__name__})") from None
        journal.reference(results.reference_id)
    async with timed(attempt, journal, Step.RESULTS):
        proof = [str(await results_page.save_proof(attempt.artifacts))]
    outcome = _outcome(results, messages, proof)
    if request.attachments:
        async with timed(attempt, journal, Step.UPLOAD):
            outcome.uploaded = await _upload(results_page, request.attachments, results.uploaded)
    return outcome


async def _reconcile(session: PortalSession, attempt: Attempt, journal: Journal) -> Outcome | None:
    """Look for the first submission on the Status tab before anything is submitted again.

    None means "not there, and the grace is over": submit again. Inside the grace, "not there"
    is not an answer (the portal may still be recording or indexing it): ``AwaitingIndex``.
    """
    request = attempt.request
    async with timed(attempt, journal, Step.RECONCILE):
        if attempt.caresource_id is None:
            search = await session.prior_authorization()
            setting = await search.search(request.member, request.start_date)
            attempt.caresource_id = await setting.patient_id()
            if attempt.caresource_id:
                log_module.protect(attempt.caresource_id)
        if attempt.caresource_id is None:
            raise ReconcileImpossible(
                "Submit was clicked, and the member's CareSource ID could not be read to look "
                "for the request on the Status tab: check the portal before submitting again"
            )
        status = await session.status()
        rows = await status.search_member(
            attempt.caresource_id, request.start_date, request.start_date
        )
        found = await _ours(session, status, rows, request, journal)
        log.info("reconciled", found=found is not None, candidates=len(rows))
        if found is None:
            left = 0.0 if attempt.refused_unread else journal.grace_left()
            if left > 0:
                raise AwaitingIndex(
                    "Submit was clicked; the Status search does not show the request yet", left
                )
            return None
        detail, results = found
        outcome = _outcome(results, [], [str(await detail.save_proof(attempt.artifacts))])
        outcome.reconciled = True
    if request.attachments:
        async with timed(attempt, journal, Step.UPLOAD):
            outcome.uploaded = await _upload(detail, request.attachments, results.uploaded)
    return outcome


async def _ours(
    session: PortalSession,
    status: StatusPage,
    rows: list[StatusRow],
    request: AuthRequest,
    journal: Journal,
) -> tuple[ResultsPage, Results] | None:
    """The newest authorization that agrees with the request in everything the Status tab and
    its detail show: provider, codes, dates, units, and a submission no older than ours."""
    codes = sorted(line.code for line in request.procedures)
    units = {line.code: line.units for line in request.procedures}
    since = journal.first_click()
    candidates = [
        row
        for row in rows
        if sorted(row.procedure_codes) == codes
        and row.provider_npi == request.provider_npi
        and _same_day(row.start_date, request.start_date)
        and _same_day(row.end_date, request.end_date)
        and _not_older(row.submitted, since)
    ]
    for number, row in enumerate(sorted(candidates, key=lambda r: r.submitted, reverse=True)):
        if number:  # the search's table is gone once a detail was opened: find this one again
            status = await session.status()
            await status.search_reference(row.reference_id)
        detail = await status.open_detail(row.reference_id)
        results = await detail.read()
        if {line.procedure: line.requested_units for line in results.lines} == units:
            return detail, results
    return None


def _not_older(submitted: str, since: datetime | None) -> bool:
    """Whether the Status tab's "Submitted" time (the portal's local time, as this machine's
    local time reads it) is no earlier than our first click, give or take ``CLOCK_SKEW``."""
    if since is None:
        return True
    try:
        moment = datetime.strptime(submitted, "%Y-%m-%d %H:%M:%S").astimezone()
    except ValueError:
        return True  # a format the bot does not know decides nothing against the row
    return moment >= since - CLOCK_SKEW


def _same_day(text: str, day: date) -> bool:
    try:
        return parse_us(text) == day
    except ValueError:
        return text == day.isoformat()


async def _upload(page: ResultsPage, files: list[Path], already: list[str]) -> list[str]:
    """Upload what the portal does not list yet; the names it holds afterwards.

    A file the portal refuses does not undo the submission: the request went in, so the
    item stays ``submitted`` and ``pa-bot follow-up`` shows the attachment as still owed.
    """
    uploaded = list(already)
    for path in files:
        if path.name in uploaded:
            continue
        try:
            await page.upload(path)
        except PortalValidationError as refused:
            log.warning("upload_refused", said=str(refused))
            continue
        except OSError:  # gone since the item was claimed: still owed, follow-up says so
            log.warning("upload_file_missing")
            continue
        uploaded.append(path.name)
    return uploaded


def _outcome(results: Results, messages: list[str], artifacts: list[str]) -> Outcome:
    status = PortalStatus.from_portal(results.status)
    return Outcome(
        state="submitted",
        reference_id=results.reference_id,
        portal_status=status,
        authorization_number=results.authorization_number,
        lines=[OutcomeLine.model_validate(asdict(line)) for line in results.lines],
        messages=messages,
        artifacts=artifacts,
        uploaded=list(results.uploaded),
        reason_code=results.reason_code,
        denial_reason=results.reason,
        submitted_status=status,
    ).seen(status, datetime.now(UTC))


async def keep_failure_evidence(session: PortalSession, attempt: Attempt) -> None:
    """The trace, a screenshot and the HTML of the failed page (bounded: a hung page or a
    cancelled item must not hang here too)."""
    try:
        async with asyncio.timeout(EVIDENCE_S):
            await session.stop_trace(attempt.artifacts / "trace.zip")
            page = session.page
            await page.screenshot(path=str(attempt.artifacts / "failure.png"), full_page=True)
            (attempt.artifacts / "failure.html").write_text(await page.content())
    except Exception:
        log.warning("failure_evidence_failed")
