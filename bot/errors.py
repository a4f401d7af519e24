"""The bot's error hierarchy: one base, and a class for each way a request can go wrong.

Three families decide what happens to an item:

* ``BusinessError``: the portal said no (member not eligible, code refused, a validation message).
  Final; the item becomes ``rejected`` with the portal's own words. Never retried.
* ``TransientError``: the portal or the network stumbled (5xx, maintenance, a timeout, an expired
  session). Retried with tenacity, bounded and jittered; past the limit the item is ``failed``.
* everything else is a system error (``SystemFault`` wraps what the bot did not expect): retried
  like a transient error before Submit is clicked, then ``failed``; after the click the item is
  given back for reconciliation. ``bot.dispositions`` holds the one table that decides.

``LoginRejected`` stands apart: bad credentials, a locked or expired account, or a login page the
bot does not recognise stop the whole run (exit 4) because another attempt could lock the practice
out of the portal; ``bot.login_gate`` records the rejection so that no later run tries again.

Messages never carry PHI or secrets: they name fields and codes, not members.
"""

from __future__ import annotations

from enum import IntEnum


class PaBotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(PaBotError):
    """The settings are missing or wrong (exit 2)."""


class BrowserNotFound(ConfigError):
    """No usable Chromium: neither Playwright's own nor the system's."""


class InputError(PaBotError):
    """A request file could not be read or failed validation (exit 2)."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class LoginRejected(PaBotError):
    """The portal refused the credentials or the account is locked: no further attempts."""

    reason = "login_rejected"


class PasswordExpired(LoginRejected):
    """The portal says the account's password has expired: a stop like a refused login (the
    login gate records it; nothing is tried again until a person changes the password)."""

    reason = "password_expired"


class LoginPageUnknown(LoginRejected):
    """The login page shows something the bot does not recognise (other wording, a CAPTCHA, a
    verification step it cannot read): a stop, never a retry."""

    reason = "login_page_unknown"


class LoginRecorded(LoginRejected):
    """A rejection of these very credentials was recorded earlier: no attempt is made at all."""

    reason = "login_rejection_recorded"


class BusinessError(PaBotError):
    """The portal refused the request for a business reason; final, needs a person.

    ``reason`` is a short machine-readable code; the message is the portal's own words.
    """

    reason = "rejected"


class MemberNotFound(BusinessError):
    """No member matches the given identifiers."""

    reason = "member_not_found"


class MemberNotEligible(BusinessError):
    """The member exists but has no coverage on the date of service."""

    reason = "member_not_eligible"


class KnownIneligible(MemberNotEligible):
    """An eligibility check already said the member is not covered on the date of service: the
    request ends without a portal search (``bot.eligibility.known_ineligible``)."""

    reason = "known_ineligible"


class ProviderNotFound(BusinessError):
    """The ordering provider is unknown to the portal or out of network."""

    reason = "provider_not_found"


class CodeRefused(BusinessError):
    """The portal refused a diagnosis or procedure code."""

    reason = "code_refused"


class PortalValidationError(BusinessError):
    """The portal showed a validation message for what the bot entered."""

    reason = "portal_validation"


class TransientError(PaBotError):
    """Trouble that may pass: retried with backoff, up to the attempt limit."""


class PortalUnavailable(TransientError):
    """The portal answered 5xx, or did not answer at all."""


class PortalNotTaken(PortalUnavailable):
    """The portal answered 503 (or its maintenance page): it did not take the request, so
    after a Submit the Status search's "not found" is an answer at once, with no grace."""


class RateLimited(PortalNotTaken):
    """The portal answered 429 Too Many Requests: it took nothing, and it said how long to wait
    (``Retry-After``, which ``bot.throttle`` keeps). The flow waits it out and tries again
    without counting an attempt; a request still refused after ``RATE_LIMIT_HOLDS`` waits goes
    back to the queue, never to ``failed``, and counts toward stopping the run as for a portal
    that is down."""

    reason = "rate_limited"


class PortalMaintenance(PortalNotTaken):
    """The portal shows its scheduled-maintenance page."""


class SessionExpired(TransientError):
    """The portal sent the bot back to the login page mid-flow."""


class SignedOutElsewhere(SessionExpired):
    """The portal ended the session because the account signed in elsewhere (a portal that
    allows one session per account): another bot machine or a person. Not retried at once, or
    two machines would sign each other out in turn: the item goes back to the queue whole and
    the machine waits for its turn on the account (``bot.shared_login``)."""

    reason = "signed_out_elsewhere"


class PortalTimeout(TransientError):
    """A page or element did not appear in time."""


class SubmissionUnclear(TransientError):
    """Submit was clicked but no result was read: reconcile before anything is resubmitted."""


class PageCrashed(TransientError):
    """The tab's renderer crashed: the attempt is made again in a fresh browser context."""

    reason = "page_crashed"


class ItemDeadline(PortalTimeout):
    """The item took longer than ``PA_BOT_ITEM_DEADLINE_S``: a page hung past Playwright's own
    timeouts. Its context is replaced; the item ends through the error path."""

    reason = "item_deadline"


class BrowserGone(TransientError):
    """The browser itself crashed or was closed mid-item: every item held goes back to the queue
    and the machine's Chromium is launched again."""

    reason = "browser_gone"


class UnexpectedPage(PaBotError):
    """The portal showed something no page object recognises (a system error)."""

    reason = "unexpected_page"


class UiDrift(PaBotError):
    """A screen does not hold a control the page objects rely on (a label renamed, a button
    gone): the portal changed, not the network. Never retried; the run stops (exit 5) and a
    person updates the page object (usually one line: the label it looks for)."""

    reason = "ui_drift"

    def __init__(self, screen: str, looked_for: str) -> None:
        super().__init__(
            f"the portal's {screen} screen has no {looked_for}: the portal's screens changed "
            "and the bot's page object must be updated"
        )
        self.screen = screen
        self.looked_for = looked_for


class SystemFault(PaBotError):
    """An exception of a type the bot did not expect, caught at the item's boundary.

    Only its type and a redacted first line are kept: a Playwright message quotes what was typed
    (``fill("…")``), and its call log is never shown.
    """

    reason = "system_error"

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


class AwaitingIndex(PaBotError):
    """Submit was clicked, the Status search does not show the request yet, and the
    reconciliation grace has not passed: look again later, submit nothing meanwhile."""

    reason = "awaiting_status_index"

    def __init__(self, message: str, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class ReconcileImpossible(PaBotError):
    """Submit was clicked and the bot cannot find out what became of it (the member's id cannot
    be read for the Status search): the item ends ``failed`` for a person to check the portal,
    and is never submitted again on its own."""

    reason = "reconcile_impossible"


class AttachmentChanged(BusinessError):
    """An attachment is missing or differs from the file checked at ``enqueue``."""

    reason = "attachment_changed"


class ExitCode(IntEnum):
    """Exit codes of ``run``, ``submit`` and ``replay`` (DESIGN.md's contract)."""

    OK = 0
    FAILED = 1
    USAGE = 2
    PORTAL_UNAVAILABLE = 3
    LOGIN_REJECTED = 4
    UI_DRIFT = 5
