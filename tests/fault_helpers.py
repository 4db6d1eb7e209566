"""Causing faults for real: kill -9 an embedded server, wait until its process is gone; and
what the fault tests watch around it (a typed session, the supervisor's restart, counters)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import httpx
from prometheus_client import REGISTRY

from storage.connect import Storage
from storage.embedded import EmbeddedServer
from storage.supervisor import Supervisor


def embedded(storage: Storage, name: str) -> EmbeddedServer:
    return next(s for s in storage._embedded if s.name == name)


async def kill9(server: EmbeddedServer) -> int:
    """SIGKILL the server's process and return once it is dead; returns the pid killed."""
    pid = server.pid()
    assert pid is not None and server.alive()
    await kill9_pid(pid)
    assert not server.alive()
    return pid


async def kill9_pid(pid: int) -> None:
    """SIGKILL a process and wait for its exit (a pidfd turns readable when it has exited)."""
    fd = os.pidfd_open(pid)
    exited = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_reader(fd, exited.set)
    try:
        os.kill(pid, signal.SIGKILL)
        async with asyncio.timeout(10):
            await exited.wait()
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TextSession:
    """A visitor typing questions to POST /api/query, following up on its session's latest token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.session_id: str | None = None
        self.token: str | None = None

    async def ask(self, text: str) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if self.session_id is not None:
            body["session_id"] = self.session_id
        headers = auth(self.token) if self.token else {}
        response = await self.client.post("/api/query", json=body, headers=headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        self.session_id, self.token = answer["session_id"], answer["session_token"]
        return answer


async def restarted_at(supervisor: Supervisor, name: str, count: int) -> float:
    """`time.monotonic()` the moment `name` has been restarted `count` times in all.

    Awaited on the supervisor's own loop, so the time is that of the event, not of a waiter
    in another thread noticing it.
    """
    await supervisor.wait_restarts(name, count)
    return time.monotonic()


def restarts(name: str) -> float:
    return REGISTRY.get_sample_value("resume_agent_embedded_restarts_total", {"server": name}) or 0.0


def degraded(part: str) -> float:
    """Fallbacks taken for `part` so far, whatever they were (resume_agent_degraded_total)."""
    return sum(
        sample.value
        for metric in REGISTRY.collect()
        if metric.name == "resume_agent_degraded"
        for sample in metric.samples
        if sample.name == "resume_agent_degraded_total" and sample.labels.get("part") == part
    )
