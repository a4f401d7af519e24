"""UI variant 2 shows the same screens with the same labels, roles, names and messages as
variant 1, but different ids, classes, order and nesting: a bot that used ids would break."""

from __future__ import annotations

from collections import Counter

from tests.portal.client import PortalClient, answers
from tests.portal.conftest import MakeClient
from tests.portal.pages import Page, button_names


def walk(client: PortalClient) -> dict[str, Page]:
    """The same visit in either variant: every screen, and its error renderings."""
    pages: dict[str, Page] = {}
    pages["login"] = client.get("/login")
    pages["login-bad"] = client.login(password="wrong")
    pages["home"] = client.login()
    pages["search"] = client.get("/prior-auth")
    pages["search-errors"] = client.search(dos="99/99/2026", caresource_id="")
    pages["setting"] = client.search()
    pages["setting-errors"] = client.post(f"{client.draft_base}/setting", {})
    pages["details"] = client.choose()
    pages["details-errors"] = client.details([("97110", 1)], contact_phone="1")
    pages["details-unknown"] = client.post(
        f"{client.draft_base}/details", {"dx": ["M54.50"], "dx_entry": "Q99.9", "add_dx": "1"}
    )
    pages["summary"] = client.details([("72148", 1)])
    pages["clinical-errors"] = client.clinical("72148", {})
    pages["summary-met"] = client.clinical("72148", answers("Advanced Imaging", meet=True))
    pages["results"] = client.submit()
    reference = pages["results"].reference_id()
    pages["upload-error"] = client.post(
        f"/prior-auth/results/{reference}/upload", {}, files={"attachment": ("x.exe", b"MZ")}
    )
    pages["status"] = client.get("/prior-auth/status")
    pages["status-found"] = client.post(
        "/prior-auth/status", {"search_by": "reference", "reference_number": reference}
    )
    pages["status-errors"] = client.post("/prior-auth/status", {"search_by": "member"})
    pages["detail"] = client.get(f"/prior-auth/status/{reference}")
    pages["coming-soon"] = client.get("/coming-soon/pharmacy")
    return pages


def names(page: Page) -> dict[str, object]:
    """What a person or the bot reads off a page, without any markup detail."""
    return {
        "h1": page.h1,
        "labels": Counter(page.labels),
        "legends": Counter(page.all("legend")),
        "headings": Counter(page.all("h2") + page.all("h3")),
        "captions": page.all("caption"),
        "alerts": Counter(page.alerts),
        "statuses": page.statuses,
        "tabs": page.all("tab"),
        "buttons": Counter(button_names(page)),
        "links": Counter(page.all("a")),
        "columns": Counter(page.all("columnheader")),
        "list items": Counter(li.removesuffix(" Remove") for li in page.all("main-li")),
    }


def test_variant_2_keeps_every_name_and_changes_every_id(make_client: MakeClient) -> None:
    one = walk(make_client(ui_variant=1))
    two = walk(make_client(ui_variant=2))
    assert one.keys() == two.keys()
    for screen in one:
        assert names(one[screen]) == names(two[screen]), screen
        ids_one, ids_two = set(one[screen].ids), set(two[screen].ids)
        assert ids_one and ids_two
        assert not ids_one & ids_two, (screen, ids_one & ids_two)
        assert not one[screen].control_classes() & two[screen].control_classes(), screen
        for label in one[screen].labels + two[screen].labels:
            assert "*" not in label and ":" not in label, label  # exact label matches work


def test_variant_2_changes_order_and_nesting(make_client: MakeClient) -> None:
    one = walk(make_client(ui_variant=1))
    two = walk(make_client(ui_variant=2))
    sections = ["Diagnosis Codes", "Contact Information"]
    order_one = [h for h in one["details"].all("h2") if h in sections]
    order_two = [h for h in two["details"].all("h3") if h in sections]
    assert order_one == sections and order_two == sections[::-1]
    assert button_names(one["summary"])[-3:] == ["Submit Request", "Cancel Request", "Back"]
    assert button_names(two["summary"])[-3:] == ["Back", "Cancel Request", "Submit Request"]
    assert 'for="pa-username"' in one["login"].html
    assert 'for="' not in two["login"].html  # labels wrap their inputs instead
    assert one["results"].all("th").index("Status") != two["results"].all("th").index("Status")


def test_variant_can_change_at_run_time(user: PortalClient) -> None:
    first = user.get("/prior-auth")
    user.http.put("/_mock/config", json={"ui_variant": 2})
    second = user.get("/prior-auth")
    assert first.labels and Counter(first.labels) == Counter(second.labels)
    assert not set(first.ids) & set(second.ids)
    reference = user.request("64483").reference_id()
    assert user.http.get("/_mock/authorizations").json()[0]["ui_variant"] == 2
    assert reference
