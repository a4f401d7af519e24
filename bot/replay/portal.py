"""The mock portal a replay runs against: started here on a free port unless ``PA_BOT_PORTAL_URL``
names one, and driven through its test-only admin API (``/_mock/*``).

Only replay (QA tooling) calls the admin API; the bot's own path (queue, worker, flow, pages)
never does.
"""

from __future__ import annotations

import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.config import Settings
from mock_portal.server import PortalServer
from mock_portal.settings import PortalSettings


class AdminError(Exception):
    """The admin API refused a call (a bad knob value) or could not be reached."""


class MockAdmin:
    """Reset the portal, set its knobs, read what it recorded."""

    def __init__(self, url: str, timeout: float = 15.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def reset(self) -> None:
        self._call("POST", "/_mock/reset")

    def configure(self, knobs: dict[str, Any]) -> None:
        self._call("PUT", "/_mock/config", knobs)

    def authorizations(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call("GET", "/_mock/authorizations")
        return found

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:500]
            raise AdminError(f"{method} {path}: HTTP {exc.code} {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise AdminError(
                f"{method} {path}: the mock portal at {self.url} is unreachable ({exc})"
            ) from None


@contextmanager
def mock_portal(settings: Settings) -> Iterator[str]:
    """The URL of the portal to replay against: ``PA_BOT_PORTAL_URL`` if set, else one started
    here on a free port with a throwaway database, stopped when the block ends."""
    if "portal_url" in settings.model_fields_set:
        yield settings.portal_url
        return
    with (
        tempfile.TemporaryDirectory(prefix="pa-bot-replay-") as folder,
        PortalServer(PortalSettings(port=0, db=Path(folder) / "portal.db")) as server,
    ):
        yield server.url
