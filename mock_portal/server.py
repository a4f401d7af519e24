"""Running the portal: ``serve`` in the foreground, ``PortalServer`` in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from mock_portal.app import create_app
from mock_portal.settings import PortalSettings

ACCOUNTS_TEXT = "demo / Demo!2345, and mfa-demo / Demo!2345 with TOTP secret JBSWY3DPEHPK3PXP"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _config(settings: PortalSettings, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def serve(settings: PortalSettings | None = None) -> None:
    """Run the portal in the foreground until interrupted."""
    settings = settings or PortalSettings()
    port = settings.port or free_port(settings.host)
    print(f"Mock CareSource Provider Portal: http://{settings.host}:{port}", flush=True)
    print(f"Accounts: {ACCOUNTS_TEXT}", flush=True)
    print(f"State: {settings.db}  UI variant: {settings.ui_variant}", flush=True)
    uvicorn.Server(_config(settings, port)).run()


class PortalServer:
    """The portal on a background thread, for tests and ``pa-bot demo``.

    ``port=0`` picks a free port. Entering waits until the portal answers; leaving stops it.
    """

    def __init__(self, settings: PortalSettings | None = None, *, start_timeout: float = 15.0):
        self.settings = settings or PortalSettings()
        self.port = self.settings.port or free_port(self.settings.host)
        self.url = f"http://{self.settings.host}:{self.port}"
        self._server = uvicorn.Server(_config(self.settings, self.port))
        self._thread = threading.Thread(target=self._server.run, name="mock-portal", daemon=True)
        self._start_timeout = start_timeout

    def start(self) -> PortalServer:
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError(f"the mock portal did not start on {self.url}")
            if self._server.started:  # uvicorn sets it once the socket listens
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the mock portal did not answer on {self.url} in time")

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
