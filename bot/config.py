"""Settings, read from ``PA_BOT_*`` environment variables and from ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything the bot needs to know; credentials stay ``SecretStr`` end to end."""

    model_config = SettingsConfigDict(env_prefix="PA_BOT_", env_file=".env", extra="ignore")

    portal_url: str = "http://127.0.0.1:8765"
    username: str = "demo"
    password: SecretStr = SecretStr("Demo!2345")
    totp_secret: SecretStr | None = None
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
    lease_seconds: int = Field(default=300, ge=10)
    retry_wait_seconds: float = Field(default=1.0, ge=0)
    trace: Literal["retries", "always"] = "retries"
    """Which attempts are traced: ``retries`` (a request's second and later attempts, as
    Playwright's own ``on-first-retry``; tracing costs ~7 % of a request) or ``always``."""
    trace_snapshots: bool = False
    """DOM snapshots and network in the failure traces: richer to debug, ~0.3 CPU s per request."""

    @field_validator("portal_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("queue_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError("must be sqlite:///path or postgresql://…")
        return value


def sqlite_path(queue_url: str) -> Path:
    """The file of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL (SQLAlchemy's form)."""
    if not queue_url.startswith("sqlite:///"):
        raise ValueError("not a sqlite URL")
    return Path(queue_url.removeprefix("sqlite:///"))
