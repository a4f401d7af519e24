"""``PortalServer`` runs the portal over real HTTP on a free port and stops cleanly;
``python -m mock_portal`` parses its options."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from mock_portal.__main__ import main
from mock_portal.server import PortalServer
from mock_portal.settings import PortalSettings


def test_portal_server_on_a_free_port(tmp_path: Path) -> None:
    settings = PortalSettings(port=0, db=tmp_path / "state" / "portal.db")
    with PortalServer(settings) as server:
        assert server.url.startswith("http://127.0.0.1:") and server.port > 0
        response = httpx.get(f"{server.url}/login")
        assert response.status_code == 200
        assert response.headers["server-timing"].startswith("app;dur=")
        assert httpx.post(f"{server.url}/_mock/reset").status_code == 200
    assert (tmp_path / "state" / "portal.db").exists()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{server.url}/login", timeout=1)


def test_module_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "--port" in capsys.readouterr().out
