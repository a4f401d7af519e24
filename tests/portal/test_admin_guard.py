"""The admin API under /_mock answers loopback clients only (403 otherwise) and takes a body only
as application/json (415 otherwise); an empty body needs no Content-Type."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from mock_portal.admin import _is_loopback
from mock_portal.app import create_app
from mock_portal.settings import PortalSettings
from tests.portal.conftest import Clock, MakeClient

ADMIN_CALLS = [
    ("GET", "/_mock/authorizations"),
    ("GET", "/_mock/stats"),
    ("GET", "/_mock/config"),
    ("PUT", "/_mock/config"),
    ("POST", "/_mock/reset"),
    ("POST", "/_mock/authorizations/000000000/decision"),
]


@pytest.fixture
def remote(tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    """A client whose requests come from a documentation address (TEST-NET-3), not loopback."""
    app = create_app(PortalSettings(db=tmp_path / "remote.db"), clock=clock)
    with TestClient(app, client=("203.0.113.7", 50000)) as http:
        yield http


@pytest.mark.parametrize(("method", "path"), ADMIN_CALLS)
def test_a_remote_client_is_refused(remote: TestClient, method: str, path: str) -> None:
    response = remote.request(method, path, json={"latency_ms": 5})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/json")
    assert "loopback" in response.json()["detail"]


def test_a_remote_client_changes_nothing(tmp_path: Path, clock: Clock) -> None:
    app = create_app(PortalSettings(db=tmp_path / "shared.db"), clock=clock)
    with (
        TestClient(app, client=("203.0.113.7", 50000)) as remote,
        TestClient(app) as local,
    ):
        assert remote.put("/_mock/config", json={"maintenance": True}).status_code == 403
        assert remote.post("/_mock/reset").status_code == 403
        assert local.get("/_mock/config").json()["maintenance"] is False


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("testclient", True),
        ("10.0.0.1", False),
        ("192.168.1.5", False),
        ("203.0.113.7", False),
        ("::ffff:203.0.113.7", False),
        ("128.0.0.1", False),
        ("localhost.evil.example", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback(host: str | None, loopback: bool) -> None:
    assert _is_loopback(host) is loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1"])
def test_loopback_addresses_are_answered(tmp_path: Path, clock: Clock, host: str) -> None:
    app = create_app(PortalSettings(db=tmp_path / "local.db"), clock=clock)
    with TestClient(app, client=(host, 50000)) as http:
        assert http.get("/_mock/stats").status_code == 200
        assert http.put("/_mock/config", json={"latency_ms": 5}).json()["latency_ms"] == 5


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
        "text/plain; charset=utf-8",
        "application/xml",
    ],
)
def test_a_body_that_is_not_json_is_refused(make_client: MakeClient, content_type: str) -> None:
    http = make_client().http
    body = b'{"maintenance": true}'
    headers = {"Content-Type": content_type}
    response = http.put("/_mock/config", content=body, headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    assert http.get("/_mock/config").json()["maintenance"] is False
    response = http.post("/_mock/reset", content=body, headers=headers)
    assert response.status_code == 415
    decision = http.post(
        "/_mock/authorizations/000000000/decision",
        content=b'{"status": "Approved"}',
        headers=headers,
    )
    assert decision.status_code == 415


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON"]
)
def test_a_json_body_is_taken(make_client: MakeClient, content_type: str) -> None:
    http = make_client().http
    response = http.put(
        "/_mock/config", content=b'{"latency_ms": 7}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 200
    assert response.json()["latency_ms"] == 7


def test_an_empty_body_needs_no_json(make_client: MakeClient) -> None:
    http = make_client().http
    assert http.post("/_mock/reset").status_code == 200
    assert http.post("/_mock/reset", headers={"Content-Type": "text/plain"}).status_code == 200


def test_a_body_without_content_type_is_parsed_as_json(make_client: MakeClient) -> None:
    http = make_client().http
    assert http.put("/_mock/config", content=b'{"latency_ms": 3}').json()["latency_ms"] == 3
    assert http.put("/_mock/config", content=b"latency_ms=3").status_code == 422


def test_reading_calls_are_not_checked_for_a_content_type(make_client: MakeClient) -> None:
    http = make_client().http
    response = http.request("GET", "/_mock/stats", headers={"Content-Type": "text/plain"})
    assert response.status_code == 200
