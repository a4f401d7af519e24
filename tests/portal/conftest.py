"""Each test gets its own portal (fresh SQLite file, knobs at their defaults) on a TestClient,
and a clock it can move."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from mock_portal.app import create_app
from mock_portal.settings import PortalSettings
from tests.portal.client import PortalClient


class Clock:
    """A clock tests can move forward (seconds since the epoch, like ``time.time``)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal reads ``MOCK_PORTAL_*``: a developer's shell must not leak into the tests."""
    import os

    for name in list(os.environ):
        if name.startswith("MOCK_PORTAL_"):
            monkeypatch.delenv(name)


@pytest.fixture
def clock() -> Clock:
    return Clock()


MakeClient = Callable[..., PortalClient]


@pytest.fixture
def make_client(tmp_path: Path, clock: Clock) -> Iterator[MakeClient]:
    """``make_client(**settings)``: a new portal app with those settings, and a client of it."""
    clients: list[TestClient] = []

    def make(**knobs: Any) -> PortalClient:
        settings = PortalSettings(db=tmp_path / f"portal{len(clients)}.db", **knobs)
        http = TestClient(create_app(settings, clock=clock))
        clients.append(http)
        return PortalClient(http)

    yield make
    for http in clients:
        http.close()


@pytest.fixture
def anon(make_client: MakeClient) -> PortalClient:
    """A visitor who has not logged in."""
    return make_client()


@pytest.fixture
def user(anon: PortalClient) -> PortalClient:
    """``demo``, logged in."""
    home = anon.login()
    assert home.h1 == "Provider Portal"
    return anon
