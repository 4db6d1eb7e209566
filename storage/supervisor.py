"""Keeps the embedded servers up: one that dies is restarted on the same folder and data.

A watchdog task checks each server's process a few times a second; when one is gone it is
started again (same socket, so the Postgres pool and the Redis client just reconnect), and
the restart is counted. Meanwhile the server is listed as `restarting` for /ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import Counter, Histogram

from storage.embedded import EmbeddedServer

log = logging.getLogger(__name__)

RESTARTS = Counter(
    "resume_agent_embedded_restarts_total", "Embedded servers restarted after they died", ["server"]
)
RESTART_SECONDS = Histogram(
    "resume_agent_embedded_restart_seconds",
    "From noticing an embedded server died to it answering again",
    ["server"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
)
CHECK_PERIOD_S = 0.2

OnRestart = Callable[[str], Awaitable[None]]


class Supervisor:
    def __init__(
        self,
        servers: Sequence[EmbeddedServer],
        on_restart: OnRestart | None = None,
        period_s: float = CHECK_PERIOD_S,
    ) -> None:
        self.servers = list(servers)
        self.on_restart = on_restart
        self.period_s = period_s
        self.restarting: set[str] = set()
        self.restarts: dict[str, int] = {s.name: 0 for s in self.servers}
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.servers and self._task is None:
            self._task = asyncio.create_task(self._watch(), name="embedded-supervisor")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def wait_restarts(self, name: str, count: int) -> None:
        """Until `name` has been restarted `count` times in all (for tests and tools)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.restarts[name] >= count)

    async def _watch(self) -> None:
        while True:
            for server in self.servers:
                if not server.alive():
                    await self._restart(server)
            await asyncio.sleep(self.period_s)

    async def _restart(self, server: EmbeddedServer) -> None:
        name = server.name
        self.restarting.add(name)
        log.error("embedded %s died (pid %s); restarting it", name, server.pid())
        start = time.monotonic()
        try:
            await asyncio.to_thread(server.restart)
        except Exception:
            log.exception("embedded %s did not restart; trying again", name)
            return
        elapsed = time.monotonic() - start
        RESTARTS.labels(name).inc()
        RESTART_SECONDS.labels(name).observe(elapsed)
        log.warning("embedded %s back after %.2f s (pid %s)", name, elapsed, server.pid())
        if self.on_restart is not None:
            with contextlib.suppress(Exception):
                await self.on_restart(name)
        self.restarting.discard(name)
        async with self._changed:
            self.restarts[name] += 1
            self._changed.notify_all()
