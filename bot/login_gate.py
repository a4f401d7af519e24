"""The login gate: a login is precious, so every attempt for one portal account passes here.

The real portal locks the practice's account after five wrong passwords, and a whole practice
then stops working. So, through the queue's database (shared by every worker, process, machine
and run):

* at most one login attempt is in flight per account; the others wait for its outcome, then
  adopt its session (same machine: the saved login) or log in themselves once it succeeded;
* a rejection (bad credentials, a locked or expired account, a login page the bot does not
  recognise) is recorded with a slow hash of the secrets it was made with, never the secrets;
  while it stands, no command makes an attempt with them (``LoginRecorded``, exit 4). Changed
  credentials hash differently and are tried once; ``pa-bot login`` (``force``) tries on purpose
  and clears the record when it succeeds;
* a TOTP code is never sent twice: each 30-second step is claimed in the database, and a second
  login inside a used step waits for the next one.

The waits here are schedules a protocol names (the gate's poll, the TOTP step), not waits for a
page: they live in this engine module, named and bounded.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import pyotp
from pydantic import SecretStr

from bot import log
from bot.accounts import Account, accounts
from bot.config import Settings
from bot.errors import ConfigError, ExitCode, LoginRecorded, LoginRejected, PortalTimeout
from bot.queue import GateRecord, LoginOutcome, Queue

LOGIN_LEASE_S = 120.0
"""An attempt in flight longer than this is taken as dead (its process went mid-login)."""
LOGIN_POLL_S = 0.5
"""How often a worker waiting for another's attempt looks at the gate."""
LOGIN_WAIT_LIMIT_S = 2 * LOGIN_LEASE_S
"""The longest a worker waits for attempts in flight elsewhere before giving up (transient)."""
TOTP_STEP_S = 30
"""RFC 6238's time step: one code per step, and the portal takes each code once."""
_DIGEST_ROUNDS = 200_000

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
TotpCode = Callable[[], Awaitable[str]]


class _PortalTOTP(pyotp.TOTP):
    """The portal issues 80-bit secrets (16 base32 characters), below pyotp's 128-bit default."""

    min_secret_length_bits = 80


@dataclass(frozen=True)
class Credentials:
    """One portal account's secrets and the two digests the gate keys them by."""

    username: str
    password: SecretStr
    totp_secret: SecretStr | None
    account: str
    """SHA-256 of the portal's URL and the username: which row of the gate."""
    digest: str
    """PBKDF2 of the password and TOTP secret, salted by ``account``: which secrets were
    rejected. Slow on purpose, so that a copy of the queue does not give the password away."""


def credentials(settings: Settings) -> Credentials:
    """The settings' credentials (a pool's first account); ``ConfigError`` naming what is
    missing (no defaults)."""
    return _keyed(settings.portal_url, accounts(settings)[0])


def pool(settings: Settings) -> list[Credentials]:
    """Every account the settings give (``bot.accounts``), each keyed for the gate."""
    return [_keyed(settings.portal_url, account) for account in accounts(settings)]


def _keyed(portal_url: str, given: Account) -> Credentials:
    password = given.password.get_secret_value()
    missing = [
        name
        for name, value in (("PA_BOT_USERNAME", given.username), ("PA_BOT_PASSWORD", password))
        if not value
    ]
    if missing:
        raise ConfigError(
            f"{' and '.join(missing)} not set: the portal account's credentials have no default "
            "(set them in the environment or .env; `pa-bot demo` uses the mock's demo account)"
        )
    totp = given.totp_secret.get_secret_value() if given.totp_secret else None
    account = hashlib.sha256(f"{portal_url}\n{given.username}".encode()).hexdigest()
    secrets = f"{password}\0{totp or ''}".encode()
    digest = hashlib.pbkdf2_hmac("sha256", secrets, account.encode(), _DIGEST_ROUNDS).hex()
    return Credentials(
        given.username,
        SecretStr(password),
        SecretStr(totp) if totp else None,
        account,
        digest,
    )


class LoginGate:
    """The gate for one account on one queue, for one holder (a worker)."""

    def __init__(
        self,
        queue: Queue,
        secrets: Credentials,
        holder: str,
        *,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.time,
    ) -> None:
        self.queue = queue
        self.secrets = secrets
        self.holder = holder
        self._sleep = sleep
        self._clock = clock

    def check(self) -> None:
        """Raise ``LoginRecorded`` when a rejection of these credentials stands."""
        record = self.queue.login_record(self.secrets.account)
        if record is not None and record.rejected_digest == self.secrets.digest:
            raise LoginRecorded(recorded_message(record, self.secrets.username))

    async def log_in(
        self,
        attempt: Callable[[TotpCode | None], Awaitable[None]],
        adopt: Callable[[], Awaitable[bool]],
        *,
        force: bool = False,
    ) -> bool:
        """Make the account's one attempt (``attempt(totp_code)``), or adopt another's.

        Returns True when this worker logged in, False when it adopted a login that another
        worker made while it waited (``adopt`` returned True). ``LoginRejected`` from the attempt
        is recorded and re-raised; a standing rejection raises ``LoginRecorded`` with no attempt.
        """
        waited = 0.0
        while True:
            verdict = self.queue.login_enter(
                self.secrets.account, self.secrets.digest, self.holder, LOGIN_LEASE_S, force=force
            )
            if verdict.granted:
                break
            record = verdict.record
            if record is not None and record.rejected_digest == self.secrets.digest and not force:
                raise LoginRecorded(recorded_message(record, self.secrets.username))
            since = record.attempt_since if record else None
            if waited >= LOGIN_WAIT_LIMIT_S:
                raise PortalTimeout("another worker's login attempt did not end in time")
            await self._sleep(LOGIN_POLL_S)
            waited += LOGIN_POLL_S
            if self._succeeded_since(since) and await adopt():
                log.get_logger(__name__).info("login_adopted")
                return False
        totp = self.totp_code if self.secrets.totp_secret else None
        try:
            await attempt(totp)
        except LoginRejected as exc:
            self._leave("rejected", str(exc))
            raise
        except BaseException:
            self._leave("unsettled")
            raise
        self._leave("succeeded")
        return True

    async def totp_code(self) -> str:
        """The code of a TOTP step nobody has sent yet, waiting for the next step if need be."""
        assert self.secrets.totp_secret is not None
        totp = _PortalTOTP(self.secrets.totp_secret.get_secret_value())
        while True:
            now = self._clock()
            step = int(now // TOTP_STEP_S)
            if self.queue.login_take_totp_step(self.secrets.account, step):
                code = totp.at(step * TOTP_STEP_S)
                log.protect(code)
                return code
            await self._sleep((step + 1) * TOTP_STEP_S - now)

    def _succeeded_since(self, since: datetime | None) -> bool:
        record = self.queue.login_record(self.secrets.account)
        return (
            record is not None
            and record.attempt_holder is None
            and record.succeeded_at is not None
            and (since is None or record.succeeded_at >= since)
        )

    def _leave(self, outcome: LoginOutcome, reason: str = "") -> None:
        secrets = self.secrets
        self.queue.login_leave(secrets.account, secrets.digest, self.holder, outcome, reason)


def login_refusal(queue: Queue, settings: Settings) -> tuple[str, str, ExitCode] | None:
    """Why a command must not log in at all: missing credentials (exit 2) or a standing
    rejection of them (exit 4; of every account, for a pool), as a title, a message and the
    exit code; None when it may."""
    try:
        every = pool(settings)
    except ConfigError as exc:
        return "Configuration error", str(exc), ExitCode.USAGE
    refused = []
    for secrets in every:
        try:
            LoginGate(queue, secrets, "check").check()
        except LoginRecorded as exc:
            refused.append(str(exc))
    if len(refused) == len(every):
        return "Login rejected earlier", refused[0], ExitCode.LOGIN_REJECTED
    return None


def recorded_message(record: GateRecord, username: str) -> str:
    """What happened, when, and how to go on: the text of ``LoginRecorded`` (exit 4)."""
    when = f"{record.rejected_at:%Y-%m-%d %H:%M:%S} UTC" if record.rejected_at else "earlier"
    why = record.rejected_reason or "the portal rejected the login"
    return (
        f"the portal rejected the login of user {username!r} at {when} ({why}). No attempt was "
        "made now, so that the practice's account is not locked out. Fix PA_BOT_PASSWORD (or "
        "PA_BOT_USERNAME, PA_BOT_TOTP_SECRET): changed credentials are tried once. If the "
        "credentials are right and the account works again on the portal, run `pa-bot login` "
        "to try them once on purpose; it clears this record when the login succeeds."
    )
