"""Causing faults for real: kill -9 an embedded server, wait until its process is gone."""

from __future__ import annotations

import asyncio
import os
import signal

from storage.connect import Storage
from storage.embedded import EmbeddedServer


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
