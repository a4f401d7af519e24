"""The mock portal's knobs, read from the environment (prefix ``MOCK_PORTAL_``) when it starts.

The same knobs, in lower case, can be changed at run time through ``PUT /_mock/config``; the
values given here are what ``POST /_mock/reset`` goes back to.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

FIXTURES_DIR = Path(str(files("pa_bot_fixtures")))
"""The repository's ``fixtures/``, shipped in the wheel as the package ``pa_bot_fixtures``."""


class PortalSettings(BaseSettings):
    """Where the portal listens, where it keeps its state, and how hard it is to please."""

    model_config = SettingsConfigDict(env_prefix="MOCK_PORTAL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8765, ge=0, le=65535)
    db: Path = Path("var/mock_portal.db")
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fail_after_submit_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    submit_delay_ms: int = Field(default=0, ge=0, le=300_000)
    status_index_delay_s: float = Field(default=0.0, ge=0.0, le=3600.0)
    password_expires_in_days: int | None = Field(default=None, ge=0, le=365)
    announcement: str | None = None
    rate_limit_per_minute: int = Field(default=0, ge=0, le=100_000)
    single_session: bool = False
    maintenance: bool = False
    ui_drift: bool = False
    session_timeout_s: int = Field(default=900, ge=1)
    seed: int | None = None
    ui_variant: Literal[1, 2] = 1
    fixtures: Path = FIXTURES_DIR

    @field_validator("ui_variant", mode="before")
    @classmethod
    def _variant_from_text(cls, value: object) -> object:
        """The environment gives text: "2" is the variant 2 (newer pydantic versions no longer
        coerce a string to a ``Literal`` of ints)."""
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value
