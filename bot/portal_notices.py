"""What the portal said between login and its home page, kept for the morning report.

A password that expires soon is the one notice a practice must act on before it bites: once it
has expired the bot cannot log in (and stops, exit 4). The bot presses Continue, and the last
login's notices are written to ``ARTIFACTS_DIR/.state/portal-notices.json`` (the report reads
them); a login that shows none writes that too, so a changed password ends the warning.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.browser import private_dir
from bot.config import Settings
from bot.log import get_logger
from bot.pages.notice import Notice

log = get_logger(__name__)

FILE = "portal-notices.json"


def record(settings: Settings, notices: list[Notice]) -> None:
    """Keep what the last login was told."""
    days = [n.password_expires_in_days for n in notices if n.password_expires_in_days is not None]
    announcements = [n.announcement for n in notices if n.announcement]
    said = {
        "seen_at": datetime.now(UTC).isoformat(),
        "password_expires_in_days": min(days) if days else None,
        "announcements": announcements,
    }
    if days:
        log.warning("password_expires_soon", days=min(days))
    if announcements:
        log.info("announcement_acknowledged", count=len(announcements))
    folder = private_dir(settings.artifacts_dir / ".state")
    (folder / FILE).write_text(json.dumps(said))


def warnings(settings: Settings, since: datetime) -> list[str]:
    """The report's warnings from the portal's notices seen since ``since``."""
    path = settings.artifacts_dir / ".state" / FILE
    try:
        said = json.loads(path.read_text())
        seen = datetime.fromisoformat(said["seen_at"])
    except (OSError, ValueError, KeyError):
        return []
    if seen < since:
        return []
    found = []
    days = said.get("password_expires_in_days")
    if days is not None:
        found.append(
            f"The portal says the account's password expires in {days} days. Change it on the "
            "portal and in PA_BOT_PASSWORD before then: once it has expired the bot cannot log "
            "in."
        )
    found += [
        f"The portal showed a provider announcement (acknowledged by the bot): {text}"
        for text in said.get("announcements", [])
    ]
    return found
