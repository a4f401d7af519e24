"""The exception -> queue state table, row by row, and its reach: every exception type lands."""

from __future__ import annotations

import pytest

from bot.dispositions import TABLE, Disposition, disposition
from bot.errors import (
    AttachmentChanged,
    AwaitingIndex,
    BrowserNotFound,
    CodeRefused,
    ConfigError,
    LoginPageUnknown,
    LoginRecorded,
    LoginRejected,
    PortalMaintenance,
    PortalTimeout,
    PortalUnavailable,
    RateLimited,
    ReconcileImpossible,
    SessionExpired,
    SignedOutElsewhere,
    SubmissionUnclear,
    SystemFault,
    UiDrift,
    UnexpectedPage,
)

D = Disposition

ROWS = [
    # exception, before the click, after the click
    (LoginRejected("bad"), D.STOP_LOGIN, D.STOP_LOGIN),
    (LoginPageUnknown("captcha"), D.STOP_LOGIN, D.STOP_LOGIN),
    (LoginRecorded("earlier"), D.STOP_LOGIN, D.STOP_LOGIN),
    (ConfigError("x"), D.STOP_CONFIG, D.STOP_CONFIG),
    (BrowserNotFound("x"), D.STOP_CONFIG, D.STOP_CONFIG),
    (UiDrift("Request details", 'field labelled "Diagnosis Code"'), D.STOP_DRIFT, D.STOP_DRIFT),
    (AwaitingIndex("not yet", 10), D.DEFER, D.DEFER),
    (ReconcileImpossible("no id"), D.FAIL, D.FAIL),
    (CodeRefused("no"), D.REJECT, D.RELEASE),
    (AttachmentChanged("gone"), D.REJECT, D.RELEASE),
    (PortalUnavailable("503"), D.RELEASE_DOWN, D.RELEASE_DOWN),
    (PortalMaintenance("m"), D.RELEASE_DOWN, D.RELEASE_DOWN),
    (RateLimited("429"), D.RELEASE_DOWN, D.RELEASE_DOWN),
    (PortalTimeout("slow"), D.FAIL, D.RELEASE),
    (SessionExpired("gone"), D.FAIL, D.RELEASE),
    (SignedOutElsewhere("elsewhere"), D.GIVE_BACK, D.GIVE_BACK),
    (SubmissionUnclear("lost"), D.FAIL, D.RELEASE),
    (UnexpectedPage("odd"), D.FAIL, D.RELEASE),
    (SystemFault("odd", "KeyError"), D.FAIL, D.RELEASE),
    (FileNotFoundError("gone.pdf"), D.FAIL, D.RELEASE),
    (KeyError("x"), D.FAIL, D.RELEASE),
    (RuntimeError("x"), D.FAIL, D.RELEASE),
]


@pytest.mark.parametrize(("exc", "before", "after"), ROWS, ids=lambda v: type(v).__name__)
def test_each_family_before_and_after_the_click(
    exc: Exception, before: Disposition, after: Disposition
) -> None:
    assert disposition(exc, clicked=False) is before
    assert disposition(exc, clicked=True) is after


def test_nothing_after_the_click_ends_an_item_blind() -> None:
    """After the click only reconciliation may end an item: no row there rejects or fails, but
    for the one that says reconciliation is impossible (a person must look)."""
    after = {
        family: found
        for (family, clicked), found in TABLE.items()
        if clicked and found in {D.REJECT, D.FAIL}
    }

    assert after == {ReconcileImpossible: D.FAIL}


def test_every_family_has_both_rows() -> None:
    families = {family for family, _ in TABLE}

    assert {(family, clicked) for family in families for clicked in (False, True)} == set(TABLE)
