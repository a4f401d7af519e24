"""A small client of the mock portal's test-only admin API (``/_mock/*``)."""

from __future__ import annotations

from typing import Any

import httpx


class PortalAdmin:
    """Reset the portal, change its knobs, read its oracle of recorded authorizations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)

    def reset(self) -> None:
        self.http.post("/_mock/reset").raise_for_status()

    def configure(self, **knobs: Any) -> dict[str, Any]:
        response = self.http.put("/_mock/config", json=knobs)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def authorizations(self) -> list[dict[str, Any]]:
        response = self.http.get("/_mock/authorizations")
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    def stats(self) -> dict[str, Any]:
        response = self.http.get("/_mock/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def decide(self, reference_id: str, status: str, reason_code: str | None = None) -> None:
        body = {"status": status} | ({"reason_code": reason_code} if reason_code else {})
        self.http.post(
            f"/_mock/authorizations/{reference_id}/decision", json=body
        ).raise_for_status()
