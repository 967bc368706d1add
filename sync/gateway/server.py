"""Run the gateway in a background thread of the current process (demo, tests, benchmarks).

``motcua demo`` and the client's integration tests need a real gateway on loopback without a
second process to manage; this wraps uvicorn's Server with a start that waits until the socket
listens and a stop that waits until it is closed.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from sync.gateway.cli import uvicorn_options


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


class GatewayServer:
    """A uvicorn server for ``app`` on ``host:port`` in a daemon thread."""

    def __init__(
        self,
        app: FastAPI,
        host: str = "127.0.0.1",
        port: int | None = None,
        tls_cert: Path | None = None,
        tls_key: Path | None = None,
        **uvicorn_extra: Any,
    ):
        self.host = host
        self.port = port or free_port(host)
        self.scheme = "https" if tls_cert else "http"
        opts = uvicorn_options(host, self.port, tls_cert, tls_key)
        opts.update(uvicorn_extra)
        self._server = uvicorn.Server(uvicorn.Config(app, **opts))
        self._thread = threading.Thread(target=self._server.run, name="gateway", daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> GatewayServer:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("gateway server thread died while starting")
            if time.monotonic() > deadline:
                raise TimeoutError("gateway server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
