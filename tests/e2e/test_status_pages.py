"""The Status search pages its results, ten to a page, as the real portal does; the bot reads
every page (an authorization of ours may sit on page 2), in both UI variants."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from bot.session import PortalSession
from tests.portal.client import MEMBER, PortalClient
from tests.support.admin import PortalAdmin

pytestmark = pytest.mark.e2e

DOS = date(2026, 12, 1)  # the portal client's date of service


def record(portal_url: str, count: int) -> list[str]:
    """``count`` authorizations of one member on one date, through the portal's own forms."""
    client = PortalClient(httpx.Client(base_url=portal_url, follow_redirects=True, timeout=30))
    try:
        client.login()
        return [client.request("64483").reference_id() for _ in range(count)]
    finally:
        client.http.close()


@pytest.mark.parametrize("variant", [1, 2])
async def test_the_status_search_is_read_to_its_last_page(
    session: PortalSession, portal: PortalAdmin, portal_url: str, variant: int
) -> None:
    portal.configure(ui_variant=variant)
    made = record(portal_url, 23)

    rows = await (await session.status()).search_member(MEMBER, DOS, DOS)

    assert sorted(row.reference_id for row in rows) == sorted(made), "all three pages read"
    assert len(rows) == 23
