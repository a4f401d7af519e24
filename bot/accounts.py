"""The portal accounts the bot may use: one (``PA_BOT_USERNAME``, ``PA_BOT_PASSWORD``,
``PA_BOT_TOTP_SECRET``) or a pool (``PA_BOT_ACCOUNTS_FILE``).

A pool is the clean way for a practice with several bot machines on a portal that allows one
session per account: each machine's process takes an account of its own (``bot.turns``), so no
machine ever signs another out. The file is JSON, an array of objects with ``username``,
``password`` and, for an account with two-step verification, ``totp_secret``; it holds
passwords, so it must be readable by its owner only (``chmod 600``), or the bot refuses it.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from bot.config import Settings
from bot.errors import ConfigError

ENV_FILE = "PA_BOT_ACCOUNTS_FILE"


@dataclass(frozen=True)
class Account:
    """One portal account's name and secrets, as given."""

    username: str
    password: SecretStr
    totp_secret: SecretStr | None = None


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str
    password: SecretStr
    totp_secret: SecretStr | None = None


def accounts(settings: Settings) -> list[Account]:
    """The accounts to use, the pool's first; ``ConfigError`` naming what is missing or wrong
    (never a secret). Without a pool, the one account, whose missing parts the login gate
    names (``bot.login_gate.credentials``)."""
    if settings.accounts_file is None:
        password = settings.password or SecretStr("")
        return [Account(settings.username or "", password, settings.totp_secret)]
    given = [
        name
        for name, value in (
            ("PA_BOT_USERNAME", settings.username),
            ("PA_BOT_PASSWORD", settings.password),
            ("PA_BOT_TOTP_SECRET", settings.totp_secret),
        )
        if value
    ]
    if given:
        raise ConfigError(
            f"{ENV_FILE} and {', '.join(given)} are both set: give the accounts one way only"
        )
    return read_pool(settings.accounts_file)


def read_pool(path: Path) -> list[Account]:
    """The accounts of a pool file, checked: owner-only, JSON, at least one, no name twice."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"{ENV_FILE}: cannot read {path} ({exc.strerror})") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{ENV_FILE}: {path} can be read by others (mode {stat.filemode(mode)}); it holds "
            f"passwords: run `chmod 600 {path}`"
        )
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(entries, list):
            raise ValueError("not a list")
        pool = [_Entry.model_validate(entry) for entry in entries]
    except (OSError, ValueError, ValidationError):
        # Neither the file's text nor pydantic's message (it quotes the input) may be shown.
        raise ConfigError(
            f"{ENV_FILE}: {path} is not a JSON array of objects with username, password and "
            "an optional totp_secret (docs/DEPLOYMENT.md)"
        ) from None
    names = [entry.username for entry in pool]
    if not pool or not all(names) or len(set(names)) != len(names):
        raise ConfigError(f"{ENV_FILE}: {path} must name at least one account, each once")
    return [Account(entry.username, entry.password, entry.totp_secret) for entry in pool]
