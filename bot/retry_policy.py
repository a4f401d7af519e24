"""Every retry the bot makes, in one place: what is retried, how often, and how long it waits.

Three layers meet transient trouble, from the inside out:

* a GET the portal answered 503 is loaded again (``reload_page``, ``RELOADS`` times), and once
  the portal has shown trouble, every page and helper request is sent again on 503 by the
  session's route (``resend``, ``RESENDS`` times) before the page sees it;
* a lookup the page says to "try again" is made again (``bot.pages.base.LOOKUP_TRIES``);
* one request's whole attempt is made again (``item_attempts``: ``PA_BOT_MAX_ATTEMPTS``).

The inner layers (reloads and resends) share one ``RetryBudget`` per request, all its attempts
together, and a try that gets an answer gives back what it cost: a GET that keeps answering 503
costs at most ``max_attempts + RETRY_BUDGET`` requests, not the product of every layer's
setting (21 before the budget), while scattered 503s are retried as before. The waits are jittered
exponential backoffs (``PA_BOT_RETRY_WAIT_SECONDS`` scales them): schedules, kept here, never a
wait for a page.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from bot.config import Settings
from bot.errors import (
    BrowserGone,
    RateLimited,
    SignedOutElsewhere,
    SystemFault,
    TransientError,
    UnexpectedPage,
)
from bot.log import get_logger

log = get_logger(__name__)

T = TypeVar("T")

RETRIED = (TransientError, SystemFault, UnexpectedPage)
"""What a request's attempt is made again for; everything else ends the request's processing
at once (business errors, a rejected login, a configuration error, an item set aside for the
reconciliation grace, the queue's own errors), and so does a browser that is gone (the engine
gives the item back and launches a new one), a portal that still limits the rate after the
flow waited as it said (``bot.throttle``; the item goes back to the queue for later) and a
session ended because the account signed in elsewhere (the item goes back; the machine waits for
its turn on the account, ``bot.shared_login``)."""


def _retried(error: BaseException) -> bool:
    return isinstance(error, RETRIED) and not isinstance(
        error, (BrowserGone, RateLimited, SignedOutElsewhere)
    )


RETRY_BUDGET = 6
"""How many portal requests the reloads and resends may make again for one request, all its
attempts together, without getting an answer: a try the portal answers gives back what it cost,
so scattered 503s (a busy portal) never spend it, while a screen that keeps answering 503 spends
it once; past it, a 503 reaches the page at once and fails the attempt."""


class RetryBudget:
    """What is left of one request's ``RETRY_BUDGET``."""

    def __init__(self, size: int = RETRY_BUDGET) -> None:
        self.size = size
        self.left = size

    def take(self) -> bool:
        """One more request again, if any is left."""
        if self.left <= 0:
            return False
        self.left -= 1
        return True

    def refund(self, tries: int) -> None:
        """Give back ``tries`` that ended in an answer."""
        self.left = min(self.size, self.left + tries)


_spending: ContextVar[RetryBudget | None] = ContextVar("retry_budget", default=None)


@contextlib.contextmanager
def spending(budget: RetryBudget) -> Iterator[None]:
    """Within the block (one request in one worker task), reloads spend ``budget``."""
    token = _spending.set(budget)
    try:
        yield
    finally:
        _spending.reset(token)


class _BudgetSpent(stop_base):
    """A tenacity stop: the budget has nothing left for another try (taking one if it has)."""

    def __init__(self, budget: RetryBudget) -> None:
        self.budget = budget

    def __call__(self, retry_state: RetryCallState) -> bool:
        return not self.budget.take()


RELOADS = 2
"""How often a page the portal answered 503 is loaded again before the page shows the error."""

RESENDS = 2
"""How often the session's route sends a request the portal answered 503 again."""


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("retrying", attempt=state.attempt_number, error=type(error).__name__)


def item_attempts(settings: Settings) -> AsyncRetrying:
    """One request's attempts: ``PA_BOT_MAX_ATTEMPTS``, backing off from the retry wait."""
    wait = settings.retry_wait_seconds
    return AsyncRetrying(
        retry=retry_if_exception(_retried),
        stop=stop_after_attempt(settings.max_attempts),
        wait=wait_random_exponential(multiplier=wait, max=30 * wait),
        reraise=True,
        before_sleep=_log_retry,
    )


def follow_up_attempts(settings: Settings) -> AsyncRetrying:
    """One item's Status lookup in ``pa-bot follow-up``: transient trouble only."""
    return AsyncRetrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(settings.max_attempts),
        wait=wait_random_exponential(multiplier=settings.retry_wait_seconds, max=30),
        reraise=True,
    )


async def reload_page(load: Callable[[], Awaitable[bool]]) -> None:
    """``load`` (True once the portal answered) up to ``RELOADS`` times, as far as the request's
    budget allows; what is still a 503 stays on the page for the page object to read."""
    budget = _spending.get() or RetryBudget()
    if not budget.take():
        return
    retrying = AsyncRetrying(
        retry=retry_if_result(lambda answered: not answered),
        stop=stop_after_attempt(RELOADS) | _BudgetSpent(budget),
        wait=wait_random_exponential(multiplier=0.2, max=2),
        retry_error_callback=lambda _state: False,
    )
    if await retrying(load):
        budget.refund(int(retrying.statistics.get("attempt_number", 1)))


async def resend(
    send: Callable[[], Awaitable[T]],
    is_unavailable: Callable[[T], bool],
    settings: Settings,
    budget: RetryBudget,
) -> tuple[T, int]:
    """``send`` until its answer is not a 503 (``RESENDS`` more times at most, as far as
    ``budget`` allows); the last answer and how many requests were made.

    The budget is given, not found: the route calls this outside the worker's task."""
    wait = settings.retry_wait_seconds
    retrying = AsyncRetrying(
        retry=retry_if_result(is_unavailable),
        stop=stop_after_attempt(1 + RESENDS) | _BudgetSpent(budget),
        wait=wait_random_exponential(multiplier=wait / 4, max=wait * 4),
        retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
    )
    answer: T = await retrying(send)
    made = int(retrying.statistics.get("attempt_number", 1))
    if not is_unavailable(answer):
        budget.refund(made - 1)
    return answer, made
