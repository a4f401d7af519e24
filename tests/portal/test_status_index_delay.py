"""``status_index_delay_s``: a new authorization is found by the Status search (by member and
dates, or by reference) only that long after it was recorded; its Results page shows it at once.
The trap for reconciliation: "not found" right after a lost Submit may mean "not indexed yet"."""

from __future__ import annotations

from tests.portal.client import PortalClient
from tests.portal.conftest import Clock, MakeClient

MEMBER = "105634024"


def searches(user: PortalClient, reference: str) -> list[bool]:
    by_reference = user.post(
        "/prior-auth/status", {"search_by": "reference", "reference_number": reference}
    )
    by_member = user.post(
        "/prior-auth/status",
        {
            "search_by": "member",
            "caresource_id": MEMBER,
            "from_date": "11/01/2026",
            "to_date": "12/31/2026",
        },
    )
    return [reference in page.all("td") for page in (by_reference, by_member)]


def test_a_new_authorization_is_searchable_only_after_the_delay(
    make_client: MakeClient, clock: Clock
) -> None:
    user = make_client(status_index_delay_s=20)
    assert user.login().h1 == "Provider Portal"
    results = user.request("72148")
    reference = results.reference_id()
    assert reference in results.html, "the Results page shows it at once"

    assert searches(user, reference) == [False, False]
    clock.advance(19)
    assert searches(user, reference) == [False, False]
    clock.advance(2)
    assert searches(user, reference) == [True, True]


def test_without_the_delay_it_is_searchable_at_once(user: PortalClient) -> None:
    reference = user.request("72148").reference_id()

    assert searches(user, reference) == [True, True]
