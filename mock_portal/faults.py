"""Injected trouble: latency, a seeded error rate, maintenance, failures after submit and
one-shot step faults, all changeable at run time through ``PUT /_mock/config``.

The random draws come from one ``random.Random(seed)`` consumed in request order (one draw per
page request, one more per submission), so a run with the same seed and the same requests sees
the same faults. Latency jitter has its own generator so that changing the latency does not
move the faults.
"""

from __future__ import annotations

import random
import threading
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from mock_portal.settings import PortalSettings

Step = Literal[
    "login",
    "home",
    "member_search",
    "setting",
    "details",
    "summary",
    "clinical",
    "submit",
    "results",
    "upload",
    "status",
    "eligibility",
    "keepalive",
]
FaultKind = Literal["503", "429", "500_after", "expire_session", "signed_in_elsewhere"]


class StepFault(BaseModel):
    """Fire ``fault`` on the next ``times`` requests (GET or POST) that belong to ``step``."""

    model_config = ConfigDict(extra="forbid")

    step: Step
    fault: FaultKind
    times: int = Field(default=1, ge=1, le=10_000)


class RuntimeConfig(BaseModel):
    """The knobs as they are now (``GET /_mock/config``)."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(default=0, ge=0, le=60_000)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    fail_after_submit_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    submit_delay_ms: int = Field(default=0, ge=0, le=300_000)
    status_index_delay_s: float = Field(default=0.0, ge=0.0, le=3600.0)
    """A new authorization shows in the Status search only this long after it was recorded."""
    password_expires_in_days: int | None = Field(default=None, ge=0, le=365)
    """After login, "your password expires in N days" (Continue); 0: "has expired", no way on."""
    announcement: str | None = None
    """After login, a provider notice to acknowledge before the home page."""
    rate_limit_per_minute: int = Field(default=0, ge=0, le=100_000)
    """Past this many requests of one session in a minute, 429 with ``Retry-After`` (0: off)."""
    single_session: bool = False
    """A new login ends the account's older sessions ("signed in elsewhere")."""
    maintenance: bool = False
    ui_drift: bool = False
    """The details screen's "Diagnosis Code" field is labelled "ICD-10 Code" (a changed label)."""
    session_timeout_s: int = Field(default=900, ge=1)
    seed: int | None = None
    ui_variant: Literal[1, 2] = 1
    step_faults: list[StepFault] = Field(default_factory=list)


class ConfigPatch(BaseModel):
    """The body of ``PUT /_mock/config``: any subset of the knobs; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int | None = Field(default=None, ge=0, le=60_000)
    error_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    fail_after_submit_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    submit_delay_ms: int | None = Field(default=None, ge=0, le=300_000)
    status_index_delay_s: float | None = Field(default=None, ge=0.0, le=3600.0)
    password_expires_in_days: int | None = Field(default=None, ge=0, le=365)
    announcement: str | None = None
    rate_limit_per_minute: int | None = Field(default=None, ge=0, le=100_000)
    single_session: bool | None = None
    maintenance: bool | None = None
    ui_drift: bool | None = None
    session_timeout_s: int | None = Field(default=None, ge=1)
    seed: int | None = None
    ui_variant: Literal[1, 2] | None = None
    step_faults: list[StepFault] | None = None


def initial_config(settings: PortalSettings) -> RuntimeConfig:
    return RuntimeConfig(
        latency_ms=settings.latency_ms,
        error_rate=settings.error_rate,
        fail_after_submit_rate=settings.fail_after_submit_rate,
        submit_delay_ms=settings.submit_delay_ms,
        status_index_delay_s=settings.status_index_delay_s,
        password_expires_in_days=settings.password_expires_in_days,
        announcement=settings.announcement,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        single_session=settings.single_session,
        maintenance=settings.maintenance,
        ui_drift=settings.ui_drift,
        session_timeout_s=settings.session_timeout_s,
        seed=settings.seed,
        ui_variant=settings.ui_variant,
    )


class Faults:
    """The live configuration and the random generators behind it."""

    def __init__(self, settings: PortalSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._config = initial_config(settings)
        self._rng = random.Random(self._config.seed)
        self._jitter = random.Random(self._config.seed)

    @property
    def config(self) -> RuntimeConfig:
        with self._lock:
            return self._config.model_copy(deep=True)

    def reset(self) -> RuntimeConfig:
        with self._lock:
            self._config = initial_config(self._settings)
            self._reseed()
            return self._config.model_copy(deep=True)

    def update(self, patch: ConfigPatch) -> RuntimeConfig:
        """Merge the given knobs; a given ``seed`` (even the same one) restarts the draws."""
        given = patch.model_dump(exclude_unset=True)
        with self._lock:
            merged = self._config.model_dump()
            merged.update(given)
            self._config = RuntimeConfig.model_validate(merged)
            if "seed" in given:
                self._reseed()
            return self._config.model_copy(deep=True)

    def _reseed(self) -> None:
        self._rng = random.Random(self._config.seed)
        self._jitter = random.Random(self._config.seed)

    def latency_seconds(self) -> float:
        """The configured latency with ±20 % jitter."""
        with self._lock:
            base = self._config.latency_ms / 1000.0
            if base <= 0:
                return 0.0
            return base * self._jitter.uniform(0.8, 1.2)

    def draw_error(self) -> bool:
        """One draw per page request: True when this request answers 503."""
        with self._lock:
            return self._rng.random() < self._config.error_rate

    def draw_fail_after_submit(self) -> bool:
        with self._lock:
            return self._rng.random() < self._config.fail_after_submit_rate

    def take_step_faults(self, step: Step) -> set[FaultKind]:
        """The faults that fire on this request to ``step``; each one counts down."""
        fired: set[FaultKind] = set()
        with self._lock:
            remaining: list[StepFault] = []
            for fault in self._config.step_faults:
                if fault.step == step and fault.fault not in fired:
                    fired.add(fault.fault)
                    if fault.times > 1:
                        remaining.append(fault.model_copy(update={"times": fault.times - 1}))
                else:
                    remaining.append(fault)
            self._config.step_faults = remaining
        return fired


_DRAFT_SCREENS: dict[str, Step] = {
    "setting": "setting",
    "details": "details",
    "summary": "summary",
    "cancel": "summary",
    "clinical": "clinical",
    "submit": "submit",
}


def step_for(path: str) -> Step | None:
    """Which screen a page request belongs to (None for the lookup helpers and unknown paths;
    the session-timeout warning's keep-alive is a step of its own)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "home"
    head = parts[0]
    if parts == ["api", "keepalive"]:
        return "keepalive"  # the "Stay signed in" of the session-timeout warning
    if head in ("login", "logout"):
        return "login"
    if head == "coming-soon":
        return "home"
    if head == "member-eligibility":
        return "eligibility"
    if head != "prior-auth":
        return None
    if len(parts) == 1 or parts[1] == "member-search":
        return "member_search"
    if parts[1] == "requests" and len(parts) >= 4:
        return _DRAFT_SCREENS.get(parts[3])
    if parts[1] in ("results", "status"):
        if parts[-1] == "upload":
            return "upload"
        return "results" if parts[1] == "results" else "status"
    return None
