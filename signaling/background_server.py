"""The service on a loopback port (uvicorn in a thread), for the eval command and socket-using tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

from config.settings import Settings
from signaling.app import create_app
from signaling.server_options import UVICORN_OPTIONS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings, port: int | None = None, **uvicorn_options: Any) -> None:
        self.port = port or free_port()
        self.app: FastAPI = create_app(settings)
        options: dict[str, Any] = {**UVICORN_OPTIONS, **uvicorn_options}
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, **options)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"live-server-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("service failed to start (see log)")
            if time.monotonic() > deadline:
                raise TimeoutError("service did not start in time")
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


@contextmanager
def live_server(settings: Settings, port: int | None = None, **uvicorn_options: Any) -> Iterator[LiveServer]:
    server = LiveServer(settings, port, **uvicorn_options)
    server.start()
    try:
        yield server
    finally:
        server.stop()
