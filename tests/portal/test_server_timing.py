"""Every response tells the portal's own time in ``Server-Timing: app;dur=<ms>``: pages, errors,
redirects, static files and the admin API, with the injected latency included (it stands for
the real portal's server work). The benchmark adds these durations up in the browser."""

from __future__ import annotations

import re

import httpx

from tests.portal.client import PortalClient
from tests.portal.conftest import MakeClient

HEADER = re.compile(r"app;dur=(\d+\.\d)")


def durations(response: httpx.Response) -> list[float]:
    headers = response.headers.get_list("server-timing")
    found = [HEADER.fullmatch(value) for value in headers]
    assert headers and all(found), headers
    return [float(match.group(1)) for match in found if match]


def test_one_well_formed_header_on_every_kind_of_response(user: PortalClient) -> None:
    http = user.http
    answers = {
        "page": http.get("/prior-auth"),
        "helper": http.get("/api/icd10/M54.50"),
        "static": http.get("/static/portal.css"),
        "admin": http.get("/_mock/stats"),
        "not found": http.get("/no-such-page"),
        "stale form": http.post("/prior-auth/member-search", data={"csrf_token": "stale"}),
    }
    for name, response in answers.items():
        assert len(durations(response)) == 1, name


def test_redirects_carry_it_too(make_client: MakeClient) -> None:
    client = make_client()
    response = client.http.get("/prior-auth", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert len(durations(response)) == 1


def test_injected_latency_is_part_of_the_portal_time(user: PortalClient) -> None:
    user.http.put("/_mock/config", json={"latency_ms": 50})
    assert durations(user.http.get("/prior-auth"))[0] >= 50 * 0.8


def test_error_pages_of_injected_faults_carry_it(user: PortalClient) -> None:
    user.http.put("/_mock/config", json={"maintenance": True})
    response = user.http.get("/prior-auth")
    assert response.status_code == 503
    assert len(durations(response)) == 1
