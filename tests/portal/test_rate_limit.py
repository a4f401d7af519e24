"""``rate_limit_per_minute``: past it, a session's next request (page or helper lookup) is
answered 429 with ``Retry-After`` until its oldest counted request is a minute old; the busiest
minute the portal saw is in the stats."""

from __future__ import annotations

import warnings

from tests.portal.client import PortalClient
from tests.portal.conftest import Clock, MakeClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_past_the_limit_a_session_gets_429_with_retry_after(
    make_client: MakeClient, clock: Clock
) -> None:
    user = make_client(rate_limit_per_minute=5)
    # GET and POST /login count for the client's address; the home page is the session's first.
    assert user.login().h1 == "Provider Portal"
    clock.advance(10)
    for _ in range(3):
        assert user.get("/prior-auth").status_code == 200
    assert user.http.get("/api/icd10/M54.50").status_code == 200

    page = user.get("/prior-auth")
    assert page.status_code == 429
    assert page.h1 == "Too Many Requests"
    assert page.response.headers["Retry-After"] == "50"
    lookup = user.http.get("/api/icd10/M54.50")
    assert lookup.status_code == 429, "the helper lookups are limited too"

    clock.advance(50)
    assert user.get("/prior-auth").status_code == 200, "a client that waits as told gets in"
    stats = user.http.get("/_mock/stats").json()
    assert stats["rate_limited"] == 2
    assert stats["requests"] == 10


def test_the_limit_counts_each_session_apart(make_client: MakeClient) -> None:
    user = make_client(rate_limit_per_minute=3)
    user.login()  # the home page is the session's first request
    assert user.get("/prior-auth").status_code == 200
    assert user.get("/prior-auth").status_code == 200
    assert user.get("/prior-auth").status_code == 429
    assert isinstance(user.http, TestClient)
    other = PortalClient(TestClient(user.http.app))
    assert other.get("/login").status_code == 200, "another session has a count of its own"


def test_off_by_default_and_the_busiest_minute_is_kept(
    make_client: MakeClient, clock: Clock
) -> None:
    user = make_client()
    for _ in range(30):
        assert user.get("/login").status_code == 200
    clock.advance(61)
    for _ in range(10):
        user.get("/login")
    stats = user.http.get("/_mock/stats").json()
    assert stats["rate_limited"] == 0
    assert stats["requests_peak_per_minute"] == 30
    user.http.post("/_mock/reset")
    assert user.http.get("/_mock/stats").json()["requests_peak_per_minute"] == 0


def test_the_limit_is_a_knob_of_the_environment_and_of_put_config(make_client: MakeClient) -> None:
    user = make_client()
    config = user.http.put("/_mock/config", json={"rate_limit_per_minute": 2}).json()
    assert config["rate_limit_per_minute"] == 2
    user.get("/login")
    user.get("/login")
    assert user.get("/login").status_code == 429
