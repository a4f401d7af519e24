"""The console's HTTP server on a thread of its own, beside the resident worker."""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from bot.config import Settings
from bot.console.app import create_app

START_TIMEOUT_S = 15.0
STOP_GRACE_S = 3
"""How long a stop waits for answers still streaming (a request page's live steps)."""


class ConsoleServer:
    """``create_app(settings)`` served by uvicorn; entering waits until it listens."""

    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(
            create_app(settings),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=STOP_GRACE_S,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="console", daemon=True)
        self.host = host

    @property
    def url(self) -> str:
        port = self._server.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    def __enter__(self) -> ConsoleServer:
        return self.start()

    def start(self) -> ConsoleServer:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the console did not start on {self.host}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
