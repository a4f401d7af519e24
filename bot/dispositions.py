"""The one mapping from an exception inside an item's processing to what the queue records.

Every exception ends here, of whatever type: the worker never dies of one, and the run goes on
to its report. Two facts decide: the exception's family (the first class of its MRO found in
``TABLE``) and whether Submit may have been clicked (the item is ``submitting``). Before the
click nothing reached the portal, so the item can end; after it, the portal may hold the request
and only reconciliation may say what happened, so the item is given back and never ended blind.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final

from bot.errors import (
    AwaitingIndex,
    BrowserGone,
    BusinessError,
    ConfigError,
    LoginRejected,
    PortalUnavailable,
    ReconcileImpossible,
    SignedOutElsewhere,
    TransientError,
    UiDrift,
)


class Disposition(StrEnum):
    """What the worker does with the item (and the run) after an exception."""

    REJECT = "reject"
    """Final ``rejected``: the portal (or the request's own files) said no; a person decides."""
    FAIL = "fail"
    """Final ``failed``: a system error past the flow's retries."""
    RELEASE = "release"
    """Back to the queue for a later attempt: ``pending``, or ``submitting`` to reconcile."""
    RELEASE_DOWN = "release_down"
    """As ``RELEASE``, and the portal counts as down (the run stops after a few in a row)."""
    GIVE_BACK = "give_back"
    """Back to the queue whole, no trouble counted: another machine or a person took the
    account's one session, and this machine waits for its turn (``bot.turns``)."""
    DEFER = "defer"
    """Back to the queue, claimable only after a while (the reconciliation grace)."""
    STOP_LOGIN = "stop_login"
    """Released; the run stops with exit 4, no further login attempt."""
    STOP_CONFIG = "stop_config"
    """Released; the run stops with exit 2."""
    STOP_DRIFT = "stop_drift"
    """Released (after the click, to reconcile); the run stops with exit 5: the portal's
    screens changed, and every other item would meet the same screen."""


_D = Disposition
TABLE: Final[Mapping[tuple[type[BaseException], bool], Disposition]] = {
    # (family, clicked): what happens
    (LoginRejected, False): _D.STOP_LOGIN,
    (LoginRejected, True): _D.STOP_LOGIN,
    (ConfigError, False): _D.STOP_CONFIG,
    (ConfigError, True): _D.STOP_CONFIG,
    (UiDrift, False): _D.STOP_DRIFT,
    (UiDrift, True): _D.STOP_DRIFT,
    # The only end after the click that reconciliation did not give: a person must look.
    (ReconcileImpossible, False): _D.FAIL,
    (ReconcileImpossible, True): _D.FAIL,
    # Nothing the item did: it goes back whole, and a fresh browser takes it (after the click,
    # to reconcile first).
    (BrowserGone, False): _D.RELEASE,
    (BrowserGone, True): _D.RELEASE,
    # Another machine or a person took the account's one session: the item waits for our turn.
    (SignedOutElsewhere, False): _D.GIVE_BACK,
    (SignedOutElsewhere, True): _D.GIVE_BACK,
    (AwaitingIndex, True): _D.DEFER,
    (AwaitingIndex, False): _D.DEFER,
    (BusinessError, False): _D.REJECT,
    # A business error after the click (an alert instead of the results, a member search that
    # now refuses during reconciliation) is never taken for the request's own answer.
    (BusinessError, True): _D.RELEASE,
    # A portal that is down, or that still limits the rate after the flow waited as it said.
    (PortalUnavailable, False): _D.RELEASE_DOWN,
    (PortalUnavailable, True): _D.RELEASE_DOWN,
    (TransientError, False): _D.FAIL,
    (TransientError, True): _D.RELEASE,
    # Everything else, the bot's own errors (UnexpectedPage, SystemFault) and any other type.
    (Exception, False): _D.FAIL,
    (Exception, True): _D.RELEASE,
}


def disposition(exc: BaseException, *, clicked: bool) -> Disposition:
    """The row of ``TABLE`` for ``exc``: its nearest family, before or after the click."""
    for family in type(exc).__mro__:
        found = TABLE.get((family, clicked))
        if found is not None:
            return found
    return Disposition.RELEASE if clicked else Disposition.FAIL
