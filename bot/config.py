"""Settings, read from ``PA_BOT_*`` environment variables and from ``.env``."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Final, Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from bot.hours import Hours

MOCK_ACCOUNT: Final = {"username": "demo", "password": SecretStr("Demo!2345")}
"""The mock portal's demo account: the only credentials pa-bot knows of itself, for ``pa-bot
demo`` and ``replay``, which run against the mock. Every other command needs them set."""

APPEAL_DAYS: Final = {"Medicaid": 60, "Marketplace": 180, "Medicare Advantage": 65}
"""Days to appeal an adverse decision: Medicaid managed care 60 (42 CFR 438.402(c)(2)(ii)),
Marketplace plans 180 (45 CFR 147.136(b) with 29 CFR 2560.503-1(h)(3)(i)), Medicare Advantage 65
(42 CFR 422.582(b)); docs/APPEALS.md."""


class Settings(BaseSettings):
    """Everything the bot needs to know; credentials stay ``SecretStr`` end to end."""

    model_config = SettingsConfigDict(env_prefix="PA_BOT_", env_file=".env", extra="ignore")

    portal_url: str = "http://127.0.0.1:8765"
    username: str | None = None
    """No default outside ``pa-bot demo`` and ``replay``: a command that logs in without it
    exits 2 naming it, with no attempt."""
    password: SecretStr | None = None
    totp_secret: SecretStr | None = None
    accounts_file: Path | None = None
    """A pool of portal accounts instead of the three above (``bot.accounts``): JSON, owner-only;
    each machine's process takes one of its own."""
    queue_url: str = "sqlite:///var/queue.db"
    artifacts_dir: Path = Path("artifacts")
    headless: bool = True
    workers: int = Field(default=1, ge=1, le=16)
    max_attempts: int = Field(default=3, ge=1, le=20)
    browser_executable: Path | None = None
    browser_endpoint: str | None = None
    """A Chromium elsewhere: ``ws://…`` (a Playwright server) or ``http://…`` (Chrome DevTools)."""
    timeout_ms: int = Field(default=15_000, ge=1_000)
    max_consecutive_system_errors: int = Field(default=5, ge=1)
    lease_seconds: int = Field(default=30, ge=10)
    """How long a claimed item stays a worker's without a heartbeat; the worker's heartbeat
    thread renews it every third of this, whatever the flow is doing (a slow Submit too)."""
    item_deadline_s: float = Field(default=600.0, gt=0)
    """The longest one item may take in a worker, all its attempts together. Playwright's calls
    can hang past their own timeouts (a renderer stuck in a script); past the deadline the item
    ends through the error path and its browser context is replaced."""
    stop_grace_s: float = Field(default=60.0, ge=0)
    """After SIGTERM or Ctrl-C, how long the items in flight may take to finish; then each is
    given back to the queue (``submitting`` stays, to be reconciled) and the process ends."""
    reconcile_grace_s: float = Field(default=120.0, ge=0)
    """After a Submit whose answer was lost, how long "not found" on the Status search is not
    an answer yet (the portal may still be recording or indexing it): the item is looked at
    again later, never resubmitted inside the grace."""
    max_requests_per_minute: int | None = Field(default=None, ge=1)
    """A politeness limit for the whole machine: every page and helper request of every worker
    together, evenly spaced, never more than this many in any minute (unset: no limit)."""
    retry_wait_seconds: float = Field(default=1.0, ge=0)
    trace: Literal["retries", "always"] = "retries"
    """Which attempts are traced: ``retries`` (a request's second and later attempts, as
    Playwright's own ``on-first-retry``; tracing costs ~7 % of a request) or ``always``."""
    trace_snapshots: bool = False
    """DOM snapshots and network in the failure traces: richer to debug, ~0.3 CPU s per request."""

    resident_hours: str | None = None
    """When a resident worker takes queued requests, as ``HH:MM-HH:MM`` local time (``bot.hours``);
    urgent ones any time. Unset: any time."""
    console_idle_minutes: int = Field(default=15, ge=1, le=24 * 60)
    """A console session ends after this many minutes without a request."""
    console_secure_cookie: bool = False
    """Send the console's session cookie over HTTPS only: set it when a TLS reverse proxy
    serves the console (docs/CONSOLE.md)."""
    fhir_sync_s: float = Field(default=15.0, ge=0, le=120)
    """How long ``POST /fhir/Claim/$submit`` waits for the portal's answer before it answers
    "pended" (A4) with the identifiers to ask again with (the PAS guide's 15 seconds)."""
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_fax: str | None = None
    """The practice's contact for requests that come in FHIR without the requester's telecom
    (docs/FHIR.md): the name, the phone and the fax the portal asks for."""
    practice_name: str | None = None
    practice_address: str | None = None
    practice_phone: str | None = None
    practice_fax: str | None = None
    """The letterhead of appeal packets (``pa-bot appeal``, docs/APPEALS.md)."""
    plan: str = "Medicaid"
    """The members' CareSource plan, a key of ``appeal_days``: it sets the appeal deadline."""
    appeal_days: dict[str, int] = Field(default_factory=lambda: dict(APPEAL_DAYS))
    """Calendar days to appeal, from the day the decision was seen, per plan (as JSON in
    ``PA_BOT_APPEAL_DAYS``); the defaults and their sources are in docs/APPEALS.md."""

    @model_validator(mode="after")
    def _plan_has_days(self) -> Self:
        if self.plan not in self.appeal_days:
            known = ", ".join(sorted(self.appeal_days))
            raise ValueError(f"PA_BOT_PLAN: must be a plan of PA_BOT_APPEAL_DAYS ({known})")
        if any(days < 1 for days in self.appeal_days.values()):
            raise ValueError("PA_BOT_APPEAL_DAYS: every plan needs at least 1 day")
        return self

    @field_validator("resident_hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return str(Hours.parse(value))

    @field_validator("portal_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if value.startswith("http://") and not _is_loopback(urlsplit(value).hostname or ""):
            raise ValueError(
                "http:// is refused for a portal that is not on this machine (the password would "
                "cross the network in clear text): use https://"
            )
        return value.rstrip("/")

    @field_validator("queue_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///path or postgresql://…")
        return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sqlite_path(queue_url: str) -> Path:
    """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL (SQLAlchemy's form)."""
    if not queue_url.startswith("sqlite:///"):
        raise ValueError("not a sqlite URL")
    return Path(queue_url.removeprefix("sqlite:///"))


def env_problems(exc: ValidationError, prefix: str) -> str:
    """A settings error as one line naming each variable as a person sets it (``PA_BOT_WORKERS``)
    and what it accepts; never the value given, which may be a password."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        said = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a rule across settings: its message names the variable
            parts.append(said)
            continue
        name = prefix + "_".join(str(part) for part in error["loc"]).upper()
        parts.append(f"{name}: {said}")
    return "; ".join(parts)


def not_json(exc: SettingsError, prefix: str) -> str:
    """pydantic-settings' "error parsing value for field" as the variable a person sets."""
    field = re.search(r'field "(\w+)"', str(exc))
    name = prefix + field.group(1).upper() if field else f"a {prefix}* variable"
    return f'{name}: must be valid JSON, such as {{"Medicaid": 60}}'
