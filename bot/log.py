"""Structured logging (structlog) with PHI and secrets redacted before anything is rendered.

Every line carries an ISO UTC timestamp, the level and the context bound with
``structlog.contextvars.bind_contextvars`` (the worker binds ``item_id``). A redaction processor
runs last before the renderer, after exceptions have been turned into text or dicts, so that
nothing it has not seen can reach the output. It redacts in two ways:

* by key: values under keys such as ``password``, ``dob`` or ``member_id`` become ``[REDACTED]``;
* by value: strings registered with :func:`protect`, :func:`protected`, :func:`protect_request`
  (the current context's PHI) or :func:`protect_secret` (process-wide secrets) are replaced
  wherever they occur, in the event text, in bound values, nested containers and tracebacks.

:func:`redact` applies the same replacement to text shown outside logging.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TextIO

import structlog
from pydantic import BaseModel
from structlog.processors import NAME_TO_LEVEL
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.models import AuthRequest

REDACTED = "[REDACTED]"
MIN_LENGTH = 3
"""Shorter values are never registered: redacting "a" or "12" everywhere would garble every line.

Two-letter names ("Li", "Al") are the exception: they are registered, and matched only as whole
words (so "Li" is redacted, the "Li" of "Limit" is not)."""

SENSITIVE_KEYS = frozenset(
    {
        "password",
        "passwd",
        "secret",
        "totp",
        "totp_secret",
        "totp_code",
        "otp",
        "token",
        "csrf_token",
        "cookie",
        "cookies",
        "set_cookie",
        "authorization",
        "dob",
        "date_of_birth",
        "birth_date",
        "first_name",
        "last_name",
        "name",
        "member_name",
        "patient",
        "patient_name",
        "member_id",
        "caresource_id",
        "medicaid_id",
    }
)
_SENSITIVE_PARTS = ("password", "secret", "token", "cookie")
"""Key fragments that are sensitive wherever they occur (``x_csrf_token``, ``session_cookie``)."""

_OWN_KEYS = frozenset({"timestamp", "level"})
"""Keys written by our own processors: they carry no PHI and are left alone."""

_EXCEPTION_KEY = "exception"
"""Tracebacks are redacted by value only: their frames use keys such as ``name`` innocently."""

_protected: ContextVar[frozenset[str]] = ContextVar("pa_bot_protected", default=frozenset())
_secrets: frozenset[str] = frozenset()
"""Process-wide; replaced, never mutated, so a logging thread never sees it change mid-read."""
_json_mode: bool | None = None


def configure(
    *, json: bool | None = None, level: str = "INFO", stream: TextIO | None = None
) -> None:
    """Configure structlog for the process; safe to call again (the last call wins).

    ``json=None`` picks the console renderer when ``stream`` is a terminal and JSON lines
    otherwise. Loggers are not cached, so module-level loggers follow a reconfiguration.
    """
    global _json_mode
    out = stream if stream is not None else sys.stderr
    tty = _isatty(out)
    as_json = not tty if json is None else json
    try:
        threshold = NAME_TO_LEVEL[level.lower()]
    except KeyError:
        raise ValueError(f"unknown log level {level!r}") from None
    exceptions: Processor
    renderer: Processor
    if as_json:
        exceptions = structlog.processors.ExceptionRenderer(
            ExceptionDictTransformer(show_locals=False)
        )
        renderer = structlog.processors.JSONRenderer()
    else:
        exceptions = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(
            colors=tty, exception_formatter=structlog.dev.plain_traceback
        )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            exceptions,
            redact_event,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        context_class=dict,
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )
    _json_mode = as_json


def current_json() -> bool | None:
    """The renderer chosen by the last :func:`configure` (``True`` for JSON), ``None`` before.

    Worker processes pass it on so that they log the way their parent does.
    """
    return _json_mode


def get_logger(name: str | None = None) -> FilteringBoundLogger:
    """A logger; ``name`` (usually ``__name__``) is bound as ``module``.

    The logger is a lazy proxy: it follows later calls of :func:`configure`.
    """
    logger: FilteringBoundLogger = (
        structlog.get_logger(module=name) if name else structlog.get_logger()
    )
    return logger


# --- what counts as sensitive -----------------------------------------------------------------


def protect(*values: str | None) -> None:
    """Register values as sensitive for the rest of the current context (thread or task)."""
    new = _usable(values)
    if new:
        _protected.set(_protected.get() | new)


def protected(*values: str | None) -> AbstractContextManager[None]:
    """Register values as sensitive for a block; the previous set is restored afterwards."""
    return _protected_block(_usable(values))


def protect_request(request: AuthRequest) -> AbstractContextManager[None]:
    """Register every PHI value of ``request``, and the practice contact's details, for a block."""
    return _protected_block(_usable(request_values(request)))


def protect_secret(settings: Settings) -> None:
    """Register the portal password and TOTP secret for the whole process."""
    values = [settings.password.get_secret_value()] if settings.password is not None else []
    if settings.totp_secret is not None:
        values.append(settings.totp_secret.get_secret_value())
    global _secrets
    _secrets = _secrets | _usable(values)


def request_values(request: AuthRequest) -> list[str]:
    """The strings of ``request`` that identify a person, in every form they may be written:
    ids, names, date of birth, contact details, diagnosis codes (``M54.50`` and ``M5450``) and
    the clinical notes."""
    member, contact = request.member, request.contact
    values: list[str | None] = [
        member.caresource_id,
        member.medicaid_id,
        member.first_name,
        member.last_name,
        contact.name,
        contact.email,
        *_phone_forms(contact.phone),
        *_phone_forms(contact.fax),
    ]
    if member.first_name and member.last_name:
        values.append(f"{member.first_name} {member.last_name}")
    if member.dob is not None:
        values.extend(date_forms(member.dob))
    for code in request.diagnosis_codes:
        values.extend((code, code.replace(".", "")))
    values.append(request.clinical.notes)
    return [value for value in values if value]


def date_forms(day: date) -> list[str]:
    """``1985-03-07``, ``03/07/1985`` and ``3/7/1985``: the ways a date of birth is written."""
    return [
        day.isoformat(),
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.month}/{day.day}/{day.year}",
    ]


def _phone_forms(digits: str) -> list[str]:
    if len(digits) != 10:
        return [digits]
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [digits, f"{area}-{exchange}-{line}", f"({area}) {exchange}-{line}"]


def _usable(values: Iterable[str | None]) -> frozenset[str]:
    stripped = (v.strip() for v in values if v)
    return frozenset(v for v in stripped if len(v) >= MIN_LENGTH or _short_name(v))


def _short_name(value: str) -> bool:
    """A two-letter name such as "Li": registered, but matched as a whole word only."""
    return len(value) == 2 and value.isalpha()


@contextmanager
def _protected_block(values: frozenset[str]) -> Iterator[None]:
    token = _protected.set(_protected.get() | values)
    try:
        yield
    finally:
        _protected.reset(token)


# --- redaction --------------------------------------------------------------------------------


def redact(text: str) -> str:
    """``text`` with every registered value (context and secrets) replaced by ``[REDACTED]``."""
    pattern = _pattern(_protected.get() | _secrets)
    return text if pattern is None else pattern.sub(REDACTED, text)


def redact_event(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """The structlog processor: redact by key and by value, at every depth."""
    pattern = _pattern(_protected.get() | _secrets)
    result: EventDict = {}
    for key, value in event_dict.items():
        if key in _OWN_KEYS:
            result[key] = value
        elif key == _EXCEPTION_KEY:
            result[key] = _walk(value, pattern, by_key=False)
        elif _sensitive_key(key) and value is not None:
            result[key] = REDACTED
        else:
            result[key] = _walk(value, pattern, by_key=True)
    return result


def _sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    normal = key.lower().replace("-", "_")
    return normal in SENSITIVE_KEYS or any(part in normal for part in _SENSITIVE_PARTS)


def _walk(value: Any, pattern: re.Pattern[str] | None, *, by_key: bool) -> Any:
    """A copy of ``value`` with sensitive keys and registered values replaced.

    Objects that are neither containers nor plain scalars are rendered by ``repr`` in both
    renderers, so their ``repr`` is checked; pydantic models are walked through their JSON form
    so that their dates are seen as ISO text.
    """
    if isinstance(value, str):
        return value if pattern is None else pattern.sub(REDACTED, value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return {
            (_walk(k, pattern, by_key=by_key) if isinstance(k, str) else k): (
                REDACTED
                if by_key and _sensitive_key(k) and v is not None
                else _walk(v, pattern, by_key=by_key)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [_walk(item, pattern, by_key=by_key) for item in value]
    if isinstance(value, BaseModel):
        return _walk(value.model_dump(mode="json"), pattern, by_key=by_key)
    if pattern is None:
        return value
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = repr(value)
    return pattern.sub(REDACTED, text) if pattern.search(text) else value


@lru_cache(maxsize=64)
def _pattern(values: frozenset[str]) -> re.Pattern[str] | None:
    """One case-insensitive alternation, longest first so that a name inside another loses."""
    if not values:
        return None
    ordered = sorted(values, key=lambda v: (-len(v), v))
    return re.compile("|".join(_alternative(v) for v in ordered), re.IGNORECASE)


def _alternative(value: str) -> str:
    text = re.escape(value)
    return rf"(?<!\w){text}(?!\w)" if _short_name(value) else text


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
